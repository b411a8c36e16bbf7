package postgres_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate/tollgate/internal/store/postgres"
)

// TestOpenUnreachable: a server that does not answer fails Open promptly,
// with an error that names it.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, url := range []string{
		"postgres://tollgate:secret@" + addr + "/tollgate?sslmode=disable",
		"host=127.0.0.1 port=" + addr[strings.LastIndexByte(addr, ':')+1:] + " user=tollgate password=secret dbname=tollgate sslmode=disable",
	} {
		start := time.Now()
		s, err := postgres.Open(t.Context(), url, postgres.WithConnectTimeout(2*time.Second))
		took := time.Since(start)
		if err == nil {
			s.Close()
			t.Fatalf("Open of %s succeeded", url)
		}
		t.Logf("%v after %v", err, took.Round(time.Millisecond))
		if msg := err.Error(); !strings.Contains(msg, addr+"/tollgate") || strings.Contains(msg, "secret") {
			t.Errorf("error %q: want it to name %s/tollgate and not the password", msg, addr)
		}
		if took > 5*time.Second {
			t.Errorf("Open took %v to fail", took)
		}
	}
	// A server that accepts connections and never answers fails within
	// the connect timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, unanswered, until the test ends
		}
	}()
	start := time.Now()
	url := "postgres://u@" + silent.Addr().String() + "/db?sslmode=disable"
	if _, err := postgres.Open(t.Context(), url, postgres.WithConnectTimeout(500*time.Millisecond)); err == nil {
		t.Fatal("Open of a silent server succeeded")
	} else if !strings.Contains(err.Error(), silent.Addr().String()+"/db") {
		t.Errorf("error %q does not name the server", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Open of a silent server took %v", took)
	}
}

// TestConcurrentOpensMigrateOnce: gateways starting together on a new
// database all open it, and the schema is made once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	schema := newSchema()
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, 6)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), pg.URL(), postgres.WithSchema(schema)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	for i, s := range stores {
		if rev := put(t, s, fmt.Sprintf("k/%d", i), `1`); rev != int64(i+1) {
			t.Fatalf("store %d wrote revision %d, want %d", i, rev, i+1)
		}
	}
	var version, rows int
	admin(t, func(c *pgx.Conn) error {
		return c.QueryRow(t.Context(), fmt.Sprintf(`SELECT max(version), count(*) FROM %s.schema_version`, schema)).Scan(&version, &rows)
	})
	if version != postgres.SchemaVersion || rows != 1 {
		t.Fatalf("schema_version holds %d rows, max %d; want 1 row at %d", rows, version, postgres.SchemaVersion)
	}
}

// TestOpenNewerSchema: a schema migrated by a newer build is refused, and
// left as it is.
func TestOpenNewerSchema(t *testing.T) {
	_, schema := openNew(t)
	admin(t, func(c *pgx.Conn) error {
		_, err := c.Exec(t.Context(), fmt.Sprintf(`UPDATE %s.schema_version SET version = 99`, schema))
		return err
	})
	_, err := postgres.Open(t.Context(), pg.URL(), postgres.WithSchema(schema))
	if err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("Open of a newer schema: %v, want an error naming version 99", err)
	}
}

func TestOpenBadOptions(t *testing.T) {
	for _, o := range []postgres.Option{
		postgres.WithSchema("Bad-Name"),
		postgres.WithSchema(strings.Repeat("s", 49)),
		postgres.WithKeepRevisions(-1),
		postgres.WithPollInterval(0, time.Second),
		postgres.WithMaxConns(0),
		postgres.WithConnectTimeout(0),
		postgres.WithLogger(nil),
	} {
		if s, err := postgres.Open(t.Context(), pg.URL(), o); err == nil {
			s.Close()
			t.Errorf("Open with a bad option succeeded")
		}
	}
	if _, err := postgres.Open(t.Context(), "postgres://%zz"); err == nil {
		t.Errorf("Open of a malformed URL succeeded")
	}
}

// admin runs fn on a connection of its own to the test server.
func admin(t *testing.T, fn func(*pgx.Conn) error) {
	t.Helper()
	c, err := pgx.Connect(t.Context(), pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if err := fn(c); err != nil {
		t.Fatal(err)
	}
}
