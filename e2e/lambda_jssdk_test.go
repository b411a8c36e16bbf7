package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsLambdaSDKVersion is the @aws-sdk/client-lambda version e2e/js pins.
const jsLambdaSDKVersion = "3.1142.0"

// TestLambdaJavaScriptSDK runs e2e/js/lambda.test.mjs (the Lambda API with
// @aws-sdk/client-lambda) against a fresh gateway, with the deployment
// packages of the test functions (the echo program itself, and stubs that
// exec the built programs, for the functions created only to be invoked).
func TestLambdaJavaScriptSDK(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, dir)
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "@aws-sdk", "client-lambda", "package.json"))
	var pkg struct {
		Version string `json:"version"`
	}
	if err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version != jsLambdaSDKVersion {
		t.Fatalf("e2e/js/node_modules lacks @aws-sdk/client-lambda %s (%q, %v): run npm ci in e2e/js", jsLambdaSDKVersion, pkg.Version, err)
	}
	zips := t.TempDir()
	var env []string
	for name, zip := range map[string][]byte{"ECHO": functionZip(t, "echo"), "FAIL": functionStubZip(t, "fail"), "ECHO_STUB": functionStubZip(t, "echo")} {
		p := filepath.Join(zips, strings.ToLower(name)+".zip")
		if err := os.WriteFile(p, zip, 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "TOLLGATE_LAMBDA_"+name+"_ZIP="+p)
	}

	g := startClientGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res := runClient(ctx, g, dir, env, "node", "--test", "--test-reporter=spec", "lambda.test.mjs")
	if res.Err != nil || res.Code != 0 || !strings.Contains(res.Stdout, "ℹ fail 0") || strings.Contains(res.Stdout, "ℹ skipped 1") {
		t.Fatalf("node --test lambda.test.mjs (exit %d, %v)\n--- stdout ---\n%s\n--- stderr ---\n%s\n--- gateway log (end) ---\n%s",
			res.Code, res.Err, res.Stdout, res.Stderr, lastBytes(g.Logs(), 8<<10))
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimPrefix(line, "ℹ "))
		}
	}
	checkGatewayLog(t, g)
}
