package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeSDK runs the README's test-invoke and SDK block as written,
// from the repository root, against a test gateway: only the ports, the
// data dir and `go run ./cmd/tollgate` (the test's build of the same
// command) differ.
func TestReadmeSDK(t *testing.T) {
	block := readmeBlock(t, "sdk")
	requireAWSCLI(t)
	dataDir := filepath.Join(t.TempDir(), "tollgate-data")
	g := startDataPlane(t, dataDir)
	admin := strings.TrimPrefix(g.Endpoint, "http://")
	script := strings.NewReplacer(
		"127.0.0.1:4566", admin,
		"$PWD/tollgate-data", dataDir,
		"go run ./cmd/tollgate", binary(t),
	).Replace(block)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "TMPDIR="+t.TempDir(),
		"TOLLGATE_DATA_DIR="+dataDir, "TOLLGATE_ADMIN_ADDR="+admin, "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the sdk block failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	for _, want := range []string{
		"200\t{\"id\": \"42\", \"color\": \"red\"}",
		" : HTTP Method: GET, Resource Path: /items/42\n",
		" : Method request path: {id=42}\n",
		" : Method request query string: {color=red}\n",
		"javascript\ttypescript\tgo",
		"    apigClient.itemsIdGet = function (params, body, additionalParams) {",
		"shop-typescript-sdk/README.md\nshop-typescript-sdk/dist/index.d.ts\nshop-typescript-sdk/dist/index.js\nshop-typescript-sdk/package.json\nshop-typescript-sdk/src/index.ts\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
