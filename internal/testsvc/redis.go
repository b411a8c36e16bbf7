package testsvc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
)

// redisEnv carries a parent's server address to child test processes.
const redisEnv = "TOLLGATE_TESTSVC_REDIS"

// Redis is a private redis-server on 127.0.0.1 at a free port, without
// persistence (--save "" --appendonly no), working in a temporary
// directory of its own.
type Redis struct {
	addr  string
	owned bool

	bin  string
	base string
	port int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// MustStartRedis starts a private server, or uses the parent's (see the
// package doc); on failure it prints why and exits with status 1.
func MustStartRedis() *Redis {
	r, err := StartRedis()
	exitOnError(err)
	return r
}

// StartRedis starts a private server, or uses the parent's (see the
// package doc).
func StartRedis() (*Redis, error) {
	if a := os.Getenv(redisEnv); a != "" {
		return &Redis{addr: a}, nil
	}
	bin, err := lookBin("redis-server", "/usr/bin", "/usr/local/bin")
	if err != nil {
		return nil, fmt.Errorf("testsvc: redis-server %w: install Debian's redis-server package (scripts/test does)", errMissing)
	}
	base, err := os.MkdirTemp("", "tollgate-redis-")
	if err != nil {
		return nil, fmt.Errorf("testsvc: redis: %w", err)
	}
	r := &Redis{owned: true, bin: bin, base: base}
	var startErr error
	for range 3 {
		if r.port, startErr = freePort(); startErr != nil {
			break
		}
		r.addr = fmt.Sprintf("127.0.0.1:%d", r.port)
		if startErr = r.Start(); startErr == nil {
			return r, nil
		}
	}
	_ = os.RemoveAll(base)
	return nil, startErr
}

// Addr returns the server's host:port.
func (r *Redis) Addr() string { return r.addr }

// URL returns the server's URL (database 0).
func (r *Redis) URL() string { return "redis://" + r.addr + "/0" }

// Env returns the environment entry that makes a child test process use
// this server (see the package doc).
func (r *Redis) Env() string { return redisEnv + "=" + r.addr }

// Start starts the server on its port (after Halt, or the first time),
// empty: it keeps nothing on disk.
func (r *Redis) Start() error {
	if !r.owned {
		return errors.New("testsvc: redis: Start on a server inherited from the parent process")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return errors.New("testsvc: redis: already running")
	}
	logPath := filepath.Join(r.base, "redis.log")
	cmd := exec.Command(r.bin,
		"--port", itoa(r.port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", r.base,
		"--logfile", logPath,
		"--daemonize", "no",
		"--protected-mode", "yes",
	)
	cmd.Dir = r.base
	// Pdeathsig: a test binary killed by its timeout takes its server with
	// it (spawn keeps the signal from following a thread that exits).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := spawn(cmd); err != nil {
		return fmt.Errorf("testsvc: redis: start: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := waitFor("redis-server", r.ping, exited, func() string { return tail(logPath, 10) }); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return err
	}
	r.cmd, r.exited = cmd, exited
	return nil
}

// ping sends PING and expects PONG.
func (r *Redis) ping() error {
	c, err := net.DialTimeout("tcp", r.addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Halt stops the server (SIGKILL: it keeps nothing anyway); Start brings
// it back, empty, on the same port.
func (r *Redis) Halt() error {
	if !r.owned {
		return errors.New("testsvc: redis: Halt on a server inherited from the parent process")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return nil
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd, r.exited = nil, nil
	return nil
}

// Pause freezes the server (SIGSTOP): connections stay open and nothing
// is answered, as with a hung server or a network partition. Resume
// undoes it.
func (r *Redis) Pause() error { return r.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (r *Redis) Resume() error { return r.signal(syscall.SIGCONT) }

func (r *Redis) signal(sig syscall.Signal) error {
	if !r.owned {
		return errors.New("testsvc: redis: signalling a server inherited from the parent process")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return errors.New("testsvc: redis: not running")
	}
	return r.cmd.Process.Signal(sig)
}

// Stop stops the server and removes its directory. It is a no-op on a
// server inherited from the parent process.
func (r *Redis) Stop() {
	if !r.owned {
		return
	}
	_ = r.Halt()
	_ = os.RemoveAll(r.base)
}

// MainWithRedis runs a test binary's tests with a private server in *srv
// (see MustStartRedis), stops it and exits with the tests' status: the
// TestMain of a package whose tests share one Redis.
func MainWithRedis(m *testing.M, srv **Redis) {
	*srv = MustStartRedis()
	code := m.Run()
	(*srv).Stop()
	os.Exit(code)
}

// Dial opens a client to r for one test, closed at its cleanup. Unless o
// sets a timeout it gets a long one: tests check results, not latency, on
// a machine whose few cores the race detector and other test binaries
// share.
func (r *Redis) Dial(t testing.TB, o redisclient.Options) *redisclient.Client {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	c, err := redisclient.Open(context.Background(), r.URL(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
