package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startClientGateway starts a gateway for the client suites. Every
// listener takes an ephemeral loopback port (the data plane's default,
// :8443, would collide between gateways running in parallel).
func startClientGateway(t *testing.T) *Gateway {
	t.Helper()
	return startGateway(t, "", "--https-addr", "127.0.0.1:0")
}

// clientResult is what a client program did.
type clientResult struct {
	Stdout, Stderr string
	Code           int // exit code; -1 if it did not exit normally
	Err            error
}

// runClient runs a client program in dir with the gateway's environment
// plus extraEnv, keeping stdout and stderr apart. The program runs in its
// own process group, which is killed as a whole when ctx ends (test
// runners such as node --test start children that would otherwise keep
// the output pipes open).
func runClient(ctx context.Context, g *Gateway, dir string, extraEnv []string, name string, args ...string) clientResult {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(g.Env(), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	return clientResult{Stdout: stdout.String(), Stderr: stderr.String(), Code: code, Err: err}
}

// checkGatewayLog fails the test if the gateway reported a data race, a
// panic or a failed (5xx) management call while the clients ran: none of
// the suites provokes one, so any is a server bug.
func checkGatewayLog(t *testing.T, g *Gateway) {
	t.Helper()
	logs := g.Logs()
	for _, bad := range []string{"WARNING: DATA RACE", "panic:", "management handler panic", "management call failed"} {
		if strings.Contains(logs, bad) {
			t.Errorf("gateway log contains %q:\n%s", bad, lastBytes(logs, 8<<10))
			return
		}
	}
}

// lastBytes returns at most the last n bytes of s.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
