package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTTPAPIJavaScript runs e2e/js/httpapi-dataplane.mjs: HTTP APIs made
// with @aws-sdk/client-apigatewayv2 (pinned in e2e/js), called with
// Node's fetch.
func TestHTTPAPIJavaScript(t *testing.T) {
	dir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, dir)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", functionFlag(t, "fn", "httpv2")...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env := []string{"TOLLGATE_DATA_PLANE=" + dp.HTTP, "TOLLGATE_BACKEND=" + backend.URL}
	res := runClient(ctx, dp.Gateway, dir, env, "node", "--test", "--test-reporter=spec", "httpapi-dataplane.mjs")
	if res.Code != 0 || !strings.Contains(res.Stdout, "ℹ fail 0") {
		t.Fatalf("node --test httpapi-dataplane.mjs (exit %d, %v)\n%s\n%s\n--- gateway log (end) ---\n%s",
			res.Code, res.Err, res.Stdout, res.Stderr, lastBytes(dp.Logs(), 8<<10))
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimPrefix(line, "ℹ "))
		}
	}
	checkGatewayLog(t, dp.Gateway)
}
