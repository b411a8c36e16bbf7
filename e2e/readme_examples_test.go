package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeExamples runs the README's examples block (import the PetStore
// OpenAPI file, call it, API key and usage plan, validation, export) as
// written, from the repository root, against a test gateway: only the
// ports, the data dir and `go run ./cmd/tollgate` (the test's build of the
// same command) differ.
func TestReadmeExamples(t *testing.T) {
	block := readmeBlock(t, "examples")
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("the examples need Debian's AWS CLI v2 at /usr/bin/aws (scripts/test installs it)")
	}
	dataDir := filepath.Join(t.TempDir(), "tollgate-data")
	g := startDataPlane(t, dataDir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	backendAddr := ln.Addr().String()
	ln.Close()
	admin := strings.TrimPrefix(g.Endpoint, "http://")
	script := strings.NewReplacer(
		"127.0.0.1:4566", admin,
		"https://127.0.0.1:8443", g.HTTPS,
		"127.0.0.1:8081", backendAddr,
		"$PWD/tollgate-data", dataDir,
		"tollgate-data/", dataDir+"/",
		"go run ./cmd/tollgate", binary(t),
		"./petstore-backend", filepath.Join(t.TempDir(), "petstore-backend"),
	).Replace(block)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
		"TOLLGATE_DATA_DIR="+dataDir, "TOLLGATE_ADMIN_ADDR="+admin, "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the backend, if still running
		}
	})
	// Output goes to a file, not a pipe: a background process the script
	// starts must not keep the test waiting for the pipe to close.
	logf, err := os.Create(filepath.Join(t.TempDir(), "examples.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	out, _ := os.ReadFile(logf.Name())
	if err != nil {
		t.Fatalf("examples failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	for _, want := range []string{
		"imported REST API",
		"deployed to stage dev",
		`"message": "Hello, Ada!"`,
		`[{"id":"1","name":"Rex","type":"dog","price":249.99}]`,
		`{"message":"Forbidden"}`,
		`{"id":"3","name":"Nemo","type":"fish","price":0}`,
		`{"message":"Invalid request body"}`,
		`openapi: "3.0`, // AWS quotes the values of its YAML exports
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("examples output lacks %q:\n%s", want, out)
		}
	}
}

// TestReadmeHTTPAPI runs the README's HTTP API block (quick create, a
// route behind a JWT authorizer with the development issuer, CORS) as
// written, from the repository root, against a test gateway: only the
// ports and the data dir differ.
func TestReadmeHTTPAPI(t *testing.T) {
	block := readmeBlock(t, "httpapi")
	requireAWSCLI(t)
	dataDir := filepath.Join(t.TempDir(), "tollgate-data")
	g := startDataPlane(t, dataDir)
	free := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}
	bin := t.TempDir()
	script := strings.NewReplacer(
		"127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"),
		"https://127.0.0.1:8443", g.HTTPS,
		"127.0.0.1:8081", free(),
		"127.0.0.1:9000", free(),
		"$PWD/tollgate-data", dataDir,
		"tollgate-data/", dataDir+"/",
		"./petstore-backend", filepath.Join(bin, "petstore-backend"),
		"./oidc-issuer", filepath.Join(bin, "oidc-issuer"),
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
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the backend and issuer, if still running
		}
	})
	logf, err := os.Create(filepath.Join(t.TempDir(), "httpapi.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	out, _ := os.ReadFile(logf.Name())
	if err != nil {
		t.Fatalf("the HTTP API block failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	for _, want := range []string{
		`[{"id":"1","name":"Rex","type":"dog","price":249.99}]`,
		`"POST /pets"`,
		`{"message":"Unauthorized"}`,
		`{"id":"3","name":"Nemo","type":"fish","price":0}`,
		"access-control-allow-origin: https://app.example",
		"access-control-allow-methods: GET,POST",
		"access-control-allow-headers: authorization,content-type",
	} {
		if !strings.Contains(strings.ToLower(string(out)), strings.ToLower(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
