package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds ./cmd/tollgate once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tollgate-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tollgate")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/tollgate")...)
		cmd.Dir = repoRoot()
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// Gateway is a running tollgate process.
type Gateway struct {
	t        *testing.T
	cmd      *exec.Cmd
	DataDir  string
	Endpoint string // http://127.0.0.1:port of the management API
	CredFile string
	stderr   *lockedBuffer
	done     chan error
}

// Env returns the environment a client needs to reach and sign for the gateway.
func (g *Gateway) Env() []string {
	return append(os.Environ(),
		"AWS_SHARED_CREDENTIALS_FILE="+g.CredFile,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_PROFILE=tollgate",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
		"AWS_PAGER=",
		"TOLLGATE_ENDPOINT="+g.Endpoint,
	)
}

var adminRE = regexp.MustCompile(`management API\s+(http://\S+)`)

// startGateway runs tollgate serve on an ephemeral port in dataDir (a fresh
// temp dir when empty) and waits until /healthz answers.
func startGateway(t *testing.T, dataDir string, extra ...string) *Gateway {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"serve", "--data-dir", dataDir, "--admin-addr", "127.0.0.1:0"}, extra...)
	if !strings.Contains(strings.Join(extra, " "), "--https-addr") {
		// Never the default :8443: tests run gateways in parallel.
		args = append(args, "--https-addr", "127.0.0.1:0")
	}
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{t: t, cmd: cmd, DataDir: dataDir, CredFile: filepath.Join(dataDir, "credentials"), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = g.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.done <- cmd.Wait() }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := adminRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case g.Endpoint = <-found:
	case err := <-g.done:
		t.Fatalf("tollgate exited: %v\n%s", err, g.stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("tollgate did not start\n%s", g.stderr.String())
	}
	t.Cleanup(func() { g.Stop() })
	g.waitHealthy()
	return g
}

func (g *Gateway) waitHealthy() {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(g.Endpoint + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.t.Fatalf("gateway not healthy\n%s", g.stderr.String())
}

// Stop ends the gateway gracefully (SIGTERM) and waits for it.
func (g *Gateway) Stop() {
	if g.cmd.ProcessState != nil {
		return
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(20 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.done
	}
}

// Kill ends the gateway with SIGKILL, as a crash would.
func (g *Gateway) Kill() {
	_ = g.cmd.Process.Kill()
	<-g.done
}

// Logs returns what the gateway wrote to stderr.
func (g *Gateway) Logs() string { return g.stderr.String() }

// run executes a client command with the gateway's environment.
func (g *Gateway) run(ctx context.Context, dir string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = g.Env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var _ io.Writer = (*lockedBuffer)(nil)
