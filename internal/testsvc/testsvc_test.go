package testsvc

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// TestPostgres starts a private server, creates a database on it, and
// checks that a crash and a restart keep committed data.
func TestPostgres(t *testing.T) {
	p, err := StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if p.Port() == 5432 {
		t.Fatalf("private server on the machine's port 5432")
	}
	psql, err := lookBin("psql", p.bin)
	if err != nil {
		t.Fatal(err)
	}
	run := func(url, sql string) string {
		t.Helper()
		out, err := exec.Command(psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %q: %v: %s", sql, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	u, err := p.CreateDatabase("t1")
	if err != nil {
		t.Fatal(err)
	}
	run(u, "CREATE TABLE x (n int); INSERT INTO x VALUES (42)")
	if err := p.Crash(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", "127.0.0.1:"+itoa(p.Port())); err == nil {
		t.Fatalf("server still listening after Crash")
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if got := run(u, "SELECT n FROM x"); got != "42" {
		t.Fatalf("after crash and restart: %q, want 42", got)
	}
}

// TestRedis starts a private server and restarts it on the same port.
func TestRedis(t *testing.T) {
	r, err := StartRedis()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if strings.HasSuffix(r.Addr(), ":6379") {
		t.Fatalf("private server on the machine's port 6379")
	}
	if err := r.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := r.ping(); err == nil {
		t.Fatalf("server answers after Halt")
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.ping(); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
