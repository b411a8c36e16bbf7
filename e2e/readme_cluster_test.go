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

// TestReadmeCluster runs the README's cluster block as written, in a
// fresh directory: two nodes on the test's PostgreSQL and Redis, an
// import through one and a call through the other, a WebSocket client on
// one and a message posted through the other. Only the servers'
// URLs, the ports, the binary (the test's build) and the example's path
// differ.
func TestReadmeCluster(t *testing.T) {
	block := readmeBlock(t, "cluster")
	for _, tool := range []string{"/usr/bin/aws", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the cluster block needs %s", tool)
		}
	}
	pg, rd := sharedServices(t)
	work := t.TempDir()
	r := []string{
		"postgres://tollgate:tollgate@127.0.0.1:5432/tollgate", newDatabase(t, pg),
		"redis://127.0.0.1:6379", rd.URL(),
		"go build -o bin/tollgate ./cmd/tollgate", "true",
		"bin/tollgate", binary(t),
		"examples/petstore/openapi.yaml", filepath.Join(repoRoot(), "examples/petstore/openapi.yaml"),
		"go build -o bin/ws-client ./examples/websocket-chat/client",
		"go -C " + repoRoot() + " build -o " + filepath.Join(work, "bin", "ws-client") + " ./examples/websocket-chat/client",
	}
	for _, port := range []string{"4566", "4567", "8443", "8444"} {
		r = append(r, "127.0.0.1:"+port, closedPort(t))
	}
	script := strings.NewReplacer(r...).Replace(block)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_REGION=", "AWS_DEFAULT_REGION=",
		"TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=", "TOLLGATE_DATA_DIR=", "TOLLGATE_ADMIN_ADDR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the nodes, if the block failed before killing them
		}
	})
	// Output to a file, not a pipe: the nodes run in the background.
	logf, err := os.Create(filepath.Join(t.TempDir(), "cluster.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	out, _ := os.ReadFile(logf.Name())
	nodeLogs := ""
	for _, n := range []string{"node-a.log", "node-b.log"} {
		b, _ := os.ReadFile(filepath.Join(work, n))
		nodeLogs += "--- " + n + "\n" + string(b)
	}
	if err != nil {
		t.Fatalf("the cluster block failed: %v\n%s\n%s", err, out, nodeLogs)
	}
	for _, want := range []string{
		"imported REST API",
		`"message": "Hello, Ada!"`,
		`"registry":"redis `,
		`"state":"up"`,
		"hello through node B",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, out, nodeLogs)
		}
	}
	if strings.Count(string(out), `"state":"up"`) != 2 {
		t.Errorf("want two nodes up:\n%s", out)
	}
}
