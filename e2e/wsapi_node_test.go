package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWebSocketJavaScript runs e2e/js/wsapi-dataplane.mjs: a WebSocket API
// made with @aws-sdk/client-apigatewayv2, clients made with the `ws`
// package, @connections through @aws-sdk/client-apigatewaymanagementapi
// (both pinned in e2e/js).
func TestWebSocketJavaScript(t *testing.T) {
	dir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, dir)
	dp := startDataPlane(t, "", "--config", wsConfig(t))
	dp.createWSFunction(t, "wschat", false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := []string{"TOLLGATE_DATA_PLANE=" + dp.HTTP, "WS_OPS_KEY=" + wsOpsKey, "WS_OPS_SECRET=" + wsOpsSecret}
	res := runClient(ctx, dp.Gateway, dir, env, "node", "--test", "--test-reporter=spec", "wsapi-dataplane.mjs")
	if res.Code != 0 || !strings.Contains(res.Stdout, "ℹ fail 0") {
		t.Fatalf("node --test wsapi-dataplane.mjs (exit %d, %v)\n%s\n%s\n--- gateway log (end) ---\n%s",
			res.Code, res.Err, res.Stdout, res.Stderr, lastBytes(dp.Logs(), 8<<10))
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "ℹ ") {
			t.Log(strings.TrimSpace(line))
		}
	}
	checkGatewayLog(t, dp.Gateway)
}
