package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLambdaRuntimesJavaScriptSDK runs e2e/js/lambda-runtimes.test.mjs
// (Node.js and Python functions, versions and aliases with
// @aws-sdk/client-lambda) against a fresh gateway, with the zipped test
// functions of e2e/testdata/lambda-node and lambda-python.
func TestLambdaRuntimesJavaScriptSDK(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, dir)
	zips := t.TempDir()
	var env []string
	for _, lang := range []string{"node", "python"} {
		p := filepath.Join(zips, lang+".zip")
		if err := os.WriteFile(p, dirZip(t, runtimeFixture(lang)), 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "TOLLGATE_LAMBDA_"+strings.ToUpper(lang)+"_ZIP="+p)
	}
	g := startClientGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res := runClient(ctx, g, dir, env, "node", "--test", "--test-reporter=spec", "lambda-runtimes.test.mjs")
	if res.Err != nil || res.Code != 0 || !strings.Contains(res.Stdout, "ℹ fail 0") || strings.Contains(res.Stdout, "ℹ skipped 1") {
		t.Fatalf("node --test lambda-runtimes.test.mjs (exit %d, %v)\n--- stdout ---\n%s\n--- stderr ---\n%s\n--- gateway log (end) ---\n%s",
			res.Code, res.Err, res.Stdout, res.Stderr, lastBytes(g.Logs(), 8<<10))
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimPrefix(line, "ℹ "))
		}
	}
	checkGatewayLog(t, g)
}
