package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsSDKVersion is the version of the @aws-sdk/client-* packages e2e/js
// pins.
const jsSDKVersion = "3.1142.0"

// TestJavaScriptSDK runs the node:test suites in e2e/js (the AWS SDK for
// JavaScript v3 against a fresh gateway). Their dependencies are installed
// by `npm ci` in e2e/js; the test fails, never skips, when they are absent.
func TestJavaScriptSDK(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, dir)
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed (Node.js 20 or later runs e2e/js)")
	}

	g := startClientGateway(t)
	// The certificate domains.test.mjs imports into ACM (Node cannot make
	// one) and the truststore its mTLS domain reads from the S3 stand-in.
	certPath, keyPath, _ := testCertFiles(t, t.TempDir(), "js.example.test", "*.js.example.test")
	writeTruststore(t, filepath.Join(g.DataDir, "s3", "truststores", "js.pem"))
	env := []string{"TOLLGATE_TEST_CERT=" + certPath, "TOLLGATE_TEST_KEY=" + keyPath, "TOLLGATE_TEST_TRUSTSTORE=s3://truststores/js.pem"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := runClient(ctx, g, dir, env, "node", "--test", "--test-reporter=spec", ".")
	if res.Err != nil || res.Code != 0 {
		reason := "failed"
		if ctx.Err() != nil {
			reason = "timed out"
		}
		t.Fatalf("node --test %s (exit %d, %v)\n--- node stdout ---\n%s\n--- node stderr ---\n%s\n--- gateway log (end) ---\n%s",
			reason, res.Code, res.Err, res.Stdout, res.Stderr, lastBytes(g.Logs(), 8<<10))
	}
	// The summary lines ("ℹ tests 57", "ℹ pass 57", …) for -v runs.
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(line, "ℹ ") {
			t.Log(strings.TrimPrefix(line, "ℹ "))
		}
	}
	if !strings.Contains(res.Stdout, "ℹ fail 0") {
		t.Fatalf("node --test reported failures:\n%s\n%s", res.Stdout, res.Stderr)
	}
	checkGatewayLog(t, g)
}

// checkNodeModules fails with the fix when e2e/js's dependencies are not
// installed or are not the pinned ones.
func checkNodeModules(t *testing.T, dir string) {
	t.Helper()
	const fix = "run npm ci in e2e/js (scripts/test does it)"
	nm := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(nm); err != nil {
		t.Fatalf("e2e/js/node_modules is missing: %s", fix)
	}
	for _, name := range []string{"client-api-gateway", "client-acm"} {
		b, err := os.ReadFile(filepath.Join(nm, "@aws-sdk", name, "package.json"))
		if err != nil {
			t.Fatalf("e2e/js/node_modules lacks @aws-sdk/%s: %s", name, fix)
		}
		var pkg struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(b, &pkg); err != nil || pkg.Version != jsSDKVersion {
			t.Fatalf("e2e/js/node_modules has @aws-sdk/%s %q, package-lock.json pins %s: %s", name, pkg.Version, jsSDKVersion, fix)
		}
	}
}
