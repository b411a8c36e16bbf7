// Package testsvc starts private PostgreSQL and Redis servers for the tests
// of one test binary: each on a free loopback port, with its data in a
// temporary directory of its own, stopped (and its directory removed) when
// the tests end. Tests never use the machine's own services on 5432 or
// 6379, and need nothing started by hand.
//
// A test binary starts what it needs in TestMain:
//
//	func TestMain(m *testing.M) {
//		pg := testsvc.MustStartPostgres()
//		code := m.Run()
//		pg.Stop()
//		os.Exit(code)
//	}
//
// When the server binaries are missing, MustStart* prints why and exits
// with status 1: the package's tests fail, they are not skipped.
// scripts/test installs Debian's postgresql and redis-server packages.
//
// A test that runs its own test binary again as a child process (a crash
// test's writer, say) passes Env to the child: the child's TestMain then
// finds the parent's servers in its environment and uses them instead of
// starting its own (Stop is then a no-op).
package testsvc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 60 * time.Second

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
// Another process may take it before the caller binds it; the Start
// functions retry on a new port when the server cannot bind.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testsvc: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lookBin finds a program among dirs, then on PATH.
func lookBin(name string, dirs ...string) (string, error) {
	for _, d := range dirs {
		p := d + "/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return exec.LookPath(name)
}

// waitFor polls ready every 50 ms until it returns nil, the process exits
// (exited is closed) or startTimeout passes.
func waitFor(what string, ready func() error, exited <-chan struct{}, logTail func() string) error {
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		if last = ready(); last == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("testsvc: %s exited while starting: %v%s", what, last, logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("testsvc: %s not ready within %v: %v%s", what, startTimeout, last, logTail())
}

// tail returns the last n lines of the file at path, indented, for error
// messages ("" if it cannot be read).
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\n  " + strings.Join(lines, "\n  ")
}

// exitOnError prints err and exits with status 1 (for TestMain).
func exitOnError(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// errMissing is wrapped by the errors for missing server binaries.
var errMissing = errors.New("not installed")

func itoa(n int) string { return strconv.Itoa(n) }

// spawnReq asks the spawner thread to start cmd.
type spawnReq struct {
	cmd  *exec.Cmd
	done chan<- error
}

var (
	spawnOnce sync.Once
	spawnCh   chan spawnReq
)

// spawn starts cmd from one OS thread that lives as long as the process.
// The kernel sends a child's Pdeathsig when the thread that forked it
// exits, not the process (golang/go#27505), and a Go program may end a
// thread (a goroutine that exits while locked to one does); a server
// restarted by a test from such a thread could be killed moments later.
func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread outlives every child
			for r := range spawnCh {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawnCh <- spawnReq{cmd, done}
	return <-done
}
