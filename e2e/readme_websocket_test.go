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

// TestReadmeWebSocket runs the README's WebSocket block (the chat
// example: its function created with the Lambda API, the API made with
// the AWS CLI, two clients over wss://) as written, from the repository
// root, against a test gateway started with the example's config file:
// only the ports, the data dir and the chat-demo/ work directory differ.
func TestReadmeWebSocket(t *testing.T) {
	block := readmeBlock(t, "websocket")
	requireAWSCLI(t)
	dataDir := filepath.Join(t.TempDir(), "tollgate-data")
	g := startDataPlane(t, dataDir, "--config", filepath.Join(repoRoot(), "examples", "websocket-chat", "tollgate.yaml"))
	work := t.TempDir()
	script := strings.NewReplacer(
		"127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"),
		"wss://127.0.0.1:8443", "wss://"+strings.TrimPrefix(g.HTTPS, "https://"),
		"$PWD/tollgate-data", dataDir,
		"tollgate-data/", dataDir+"/",
		"mkdir -p chat-demo ", "mkdir -p "+work+" ",
		"(cd chat-demo ", "(cd "+work+" ",
		"chat-demo/", work+"/",
	).Replace(block)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a client still running
		}
	})
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the WebSocket block failed: %v\n%s\n--- gateway log\n%s", err, out, lastBytes(g.Logs(), 8<<10))
	}
	want := "ada joined lobby\nada: hello, bob\n"
	wantBob := "bob joined lobby\nada joined lobby\nada: hello, bob\nada left lobby\n"
	if !strings.Contains(string(out), want) || !strings.HasSuffix(string(out), wantBob) {
		t.Fatalf("output:\n%s\nwant ada's\n%s\nthen bob's\n%s", out, want, wantBob)
	}
	checkGatewayLog(t, g.Gateway)
}
