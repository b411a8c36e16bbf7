package testsvc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// postgresEnv carries a parent's server URL to child test processes.
const postgresEnv = "TOLLGATE_TESTSVC_POSTGRES"

// Postgres is a private PostgreSQL server: a cluster made by initdb in a
// temporary directory, served by a postgres process listening on
// 127.0.0.1 at a free port, with its unix socket in the same directory
// and trust authentication for the superuser "postgres".
//
// When the tests run as root (as in CI), initdb and postgres, which refuse
// to run as root, run as the unprivileged user "postgres" (made by
// Debian's package) or else "nobody", and the directory is handed to it.
type Postgres struct {
	url   string
	owned bool // false when inherited from a parent process

	bin  string // directory of initdb, postgres, psql
	base string // temporary directory: data/, the log, the socket
	port int
	cred *syscall.Credential // nil unless running as root

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// MustStartPostgres starts a private server, or uses the parent's (see the
// package doc); on failure it prints why and exits with status 1.
func MustStartPostgres() *Postgres {
	p, err := StartPostgres()
	exitOnError(err)
	return p
}

// StartPostgres starts a private server, or uses the parent's (see the
// package doc).
func StartPostgres() (*Postgres, error) {
	if u := os.Getenv(postgresEnv); u != "" {
		return &Postgres{url: u}, nil
	}
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp(tempRoot(), "tollgate-pg-")
	if err != nil {
		return nil, fmt.Errorf("testsvc: postgres: %w", err)
	}
	p := &Postgres{owned: true, bin: bin, base: base}
	if err := p.init(); err != nil {
		_ = os.RemoveAll(base)
		return nil, err
	}
	var startErr error
	for range 3 { // a new port if another process took the free one
		if p.port, startErr = freePort(); startErr != nil {
			break
		}
		if startErr = p.Start(); startErr == nil {
			p.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
			return p, nil
		}
	}
	_ = os.RemoveAll(base)
	return nil, startErr
}

// tempRoot is where the server's directory goes: the usual temporary
// directory, unless the server runs as another user (as root) and cannot
// reach it (a TMPDIR under a private home, say); then /tmp.
func tempRoot() string {
	dir := os.TempDir()
	if os.Geteuid() != 0 {
		return dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return dir
		}
	}
}

// postgresBin finds the directory holding initdb and postgres: the newest
// /usr/lib/postgresql/*/bin (Debian's layout), else the directory of an
// initdb on PATH.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := lookBin("postgres", d); err == nil {
			if _, err := lookBin("initdb", d); err == nil {
				return d, nil
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if r, err := filepath.EvalSymlinks(p); err == nil {
			d = filepath.Dir(r)
		}
		if _, err := lookBin("postgres", d); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("testsvc: PostgreSQL server binaries (initdb, postgres) %w: looked in /usr/lib/postgresql/*/bin and PATH; install Debian's postgresql package (scripts/test does)", errMissing)
}

// pgMajor is the version number in /usr/lib/postgresql/N/bin (0 if none).
func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// URL returns the server's connection URL (database "postgres").
func (p *Postgres) URL() string { return p.url }

// Port returns the server's TCP port on 127.0.0.1 (0 when inherited).
func (p *Postgres) Port() int { return p.port }

// Env returns the environment entry that makes a child test process use
// this server (see the package doc).
func (p *Postgres) Env() string { return postgresEnv + "=" + p.url }

// DatabaseURL returns the URL of database name on this server.
func (p *Postgres) DatabaseURL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, name)
}

// CreateDatabase creates database name (an SQL identifier of letters,
// digits and underscores) and returns its URL.
func (p *Postgres) CreateDatabase(name string) (string, error) {
	if !p.owned {
		return "", errors.New("testsvc: postgres: CreateDatabase on a server inherited from the parent process")
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", fmt.Errorf("testsvc: postgres: database name %q: use lower-case letters, digits and _", name)
		}
	}
	psql, err := lookBin("psql", p.bin)
	if err != nil {
		return "", fmt.Errorf("testsvc: postgres: psql %w", errMissing)
	}
	out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", p.url, "-c", "CREATE DATABASE "+name).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("testsvc: postgres: create database %s: %v: %s", name, err, out)
	}
	return p.DatabaseURL(name), nil
}

// init makes the cluster in p.base/data.
func (p *Postgres) init() error {
	if os.Geteuid() == 0 {
		cred, err := unprivileged()
		if err != nil {
			return err
		}
		p.cred = cred
		if err := os.Chown(p.base, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("testsvc: postgres: %w", err)
		}
	}
	initdb, err := lookBin("initdb", p.bin)
	if err != nil {
		return err
	}
	cmd := exec.Command(initdb, "-D", filepath.Join(p.base, "data"), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	cmd.Dir = p.base
	cmd.Env = []string{"PATH=" + p.bin + ":/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testsvc: postgres: initdb: %v: %s", err, out)
	}
	return nil
}

// unprivileged returns the credentials of the user "postgres", else
// "nobody".
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
		}
	}
	return nil, errors.New("testsvc: postgres: running as root and neither user postgres nor nobody exists to run the server as")
}

// Start starts the server on its port, on the data it has (after Halt or
// Crash, or the first time).
func (p *Postgres) Start() error {
	if !p.owned {
		return errors.New("testsvc: postgres: Start on a server inherited from the parent process")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return errors.New("testsvc: postgres: already running")
	}
	bin, err := lookBin("postgres", p.bin)
	if err != nil {
		return err
	}
	logPath := filepath.Join(p.base, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("testsvc: postgres: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-D", filepath.Join(p.base, "data"),
		"-p", strconv.Itoa(p.port),
		"-k", p.base,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=300",
		"-c", "log_min_messages=warning",
		"-c", "log_min_error_statement=panic",
	)
	cmd.Dir = p.base
	cmd.Env = []string{"PATH=" + p.bin + ":/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: a test binary killed by its timeout takes its server with
	// it (spawn keeps the signal from following a thread that exits) (SIGQUIT is PostgreSQL's immediate shutdown).
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred, Pdeathsig: syscall.SIGQUIT}
	if err := spawn(cmd); err != nil {
		return fmt.Errorf("testsvc: postgres: start: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	isready, _ := lookBin("pg_isready", p.bin)
	ready := func() error {
		if isready == "" {
			return nil
		}
		out, err := exec.Command(isready, "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "postgres", "-t", "1").CombinedOutput()
		if err != nil {
			return fmt.Errorf("pg_isready: %v %s", err, out)
		}
		return nil
	}
	if err := waitFor("postgres", ready, exited, func() string { return tail(logPath, 10) }); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return err
	}
	p.cmd, p.exited = cmd, exited
	return nil
}

// Halt shuts the server down (fast shutdown: sessions are ended, the data
// is checkpointed) and keeps its data for Start.
func (p *Postgres) Halt() error { return p.signal(syscall.SIGINT) }

// Crash stops the server with an immediate shutdown (SIGQUIT): no
// checkpoint, sessions cut, and crash recovery from the WAL at the next
// Start, as after kill -9 or a power cut.
func (p *Postgres) Crash() error { return p.signal(syscall.SIGQUIT) }

// signal sends sig to the postmaster and waits for it to exit (SIGKILL
// after 30 s).
func (p *Postgres) signal(sig syscall.Signal) error {
	if !p.owned {
		return errors.New("testsvc: postgres: stopping a server inherited from the parent process")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd, p.exited = nil, nil
	return nil
}

// Stop shuts the server down and removes its directory. It is a no-op on
// a server inherited from the parent process.
func (p *Postgres) Stop() {
	if !p.owned {
		return
	}
	_ = p.Halt()
	_ = os.RemoveAll(p.base)
}
