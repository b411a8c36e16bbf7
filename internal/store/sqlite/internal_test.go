package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

func openInternal(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestPragmas(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "s.db"))
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
		{"user_version", "1"},
	} {
		var got string
		if err := s.wdb.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(got, c.want) {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	var qo int
	if err := s.rdb.QueryRowContext(t.Context(), "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Errorf("read pool query_only = %d, %v; want 1", qo, err)
	}
}

// TestListUsesRangeScan checks that prefix listing is a primary-key range
// search, not a scan.
func TestListUsesRangeScan(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "s.db"))
	for _, q := range []string{
		`SELECT key, value, rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`,
		`SELECT key, value, rev FROM kv WHERE key > ? AND key < ? ORDER BY key`,
		`DELETE FROM kv WHERE key >= ? AND key < ?`,
	} {
		rows, err := s.rdb.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, "a/", "a0", 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		t.Logf("plan: %s", p)
		if !strings.Contains(p, "SEARCH kv USING PRIMARY KEY (key>") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("plan of %q: %s", q, p)
		}
	}
}

// TestUpdateBeginsImmediate checks that Update takes the write lock when it
// begins: while another handle holds it, Update fails with SQLITE_BUSY before
// running fn (a deferred transaction would run fn and fail at its first
// write).
func TestUpdateBeginsImmediate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	a := openInternal(t, path)
	b := openInternal(t, path, WithBusyTimeout(10*time.Millisecond))

	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := a.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Put(context.Background(), "a", []byte(`1`)); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
		done <- err
	}()
	<-holding
	called := false
	_, err := b.Update(t.Context(), func(tx store.Tx) error { called = true; return nil })
	close(release)
	if err == nil || called {
		t.Fatalf("Update while another handle writes: err %v, fn called %v; want SQLITE_BUSY before fn", err, called)
	}
	t.Logf("busy error: %v", err)
	if !strings.Contains(err.Error(), "SQLITE_BUSY") && !strings.Contains(err.Error(), "locked") {
		t.Errorf("error %v does not look like SQLITE_BUSY", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestFailedWriteAbortsCommit: a write statement that failed in SQLite makes
// Update roll back even if fn ignores the error.
func TestFailedWriteAbortsCommit(t *testing.T) {
	s := openInternal(t, filepath.Join(t.TempDir(), "s.db"))
	if _, err := s.wdb.ExecContext(t.Context(), `CREATE TRIGGER no_x BEFORE INSERT ON kv WHEN NEW.key = 'x' BEGIN SELECT RAISE(ABORT, 'no x'); END`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.Put(t.Context(), "a", []byte(`1`)); err != nil {
			return err
		}
		if err := tx.Put(t.Context(), "x", []byte(`1`)); err == nil {
			t.Error("Put of x succeeded despite the trigger")
		}
		return nil // ignore the failure
	})
	if err == nil {
		t.Fatal("Update committed after a failed write")
	}
	if rev, err := s.Revision(t.Context()); err != nil || rev != 0 {
		t.Fatalf("revision = %d, %v; want 0", rev, err)
	}
	err = s.View(t.Context(), func(r store.Reader) error {
		_, err := r.Get(t.Context(), "a")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get a: %v, want ErrNotFound", err)
	}
}
