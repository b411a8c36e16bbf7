package redisclient_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
)

// TestOpenUnreachable: a Redis that does not answer fails Open promptly,
// naming it.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	c, err := redisclient.Open(t.Context(), "redis://:secret@"+addr+"/0", redisclient.Options{DialTimeout: time.Second})
	if err == nil {
		c.Close()
		t.Fatal("Open succeeded")
	}
	t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %q: want it to name %s and not the password", err, addr)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Open took %v to fail", took)
	}
	if _, err := redisclient.Open(t.Context(), "http://"+addr, redisclient.Options{}); err == nil {
		t.Fatal("Open of an http URL succeeded")
	}
}

func TestParseFailMode(t *testing.T) {
	for _, m := range []redisclient.FailMode{redisclient.FailOpen, redisclient.FailClosed} {
		got, err := redisclient.ParseFailMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseFailMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := redisclient.ParseFailMode("ajar"); err == nil {
		t.Error("ParseFailMode(ajar) succeeded")
	}
}
