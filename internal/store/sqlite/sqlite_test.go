package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// guard bounds waits; reaching it is a failure.
const guard = 30 * time.Second

// openTemp opens a store in a new file under t.TempDir, closed at cleanup.
func openTemp(t testing.TB, opts ...sqlite.Option) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	return openPath(t, path, opts...), path
}

// openPath opens the store at path, closed at cleanup.
func openPath(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close %s: %v", path, err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t)
		return s
	})
}

func put(t *testing.T, s store.Store, key, value string) int64 {
	t.Helper()
	rev, err := s.Update(t.Context(), func(tx store.Tx) error { return tx.Put(t.Context(), key, []byte(value)) })
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return rev
}

func TestReopenKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		put(t, s, fmt.Sprintf("k/%d", i), fmt.Sprintf(`{"i":%d}`, i))
	}
	want, err := s.Changes(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openPath(t, path)
	if rev, err := s.Revision(t.Context()); err != nil || rev != 5 {
		t.Fatalf("revision after reopen = %d, %v; want 5", rev, err)
	}
	got, err := s.Changes(t.Context(), 0, 0)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("changes after reopen = %v, %v; want %v", got, err, want)
	}
	err = s.View(t.Context(), func(r store.Reader) error {
		it, err := r.Get(t.Context(), "k/3")
		if err != nil {
			return err
		}
		if string(it.Value) != `{"i":3}` || it.Revision != 4 {
			return fmt.Errorf("k/3 = %s@%d, want {\"i\":3}@4", it.Value, it.Revision)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev := put(t, s, "k/5", `{}`); rev != 6 {
		t.Fatalf("first revision after reopen = %d, want 6", rev)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := sqlite.Open(t.Context(), ""); err == nil {
		t.Errorf("Open(\"\") succeeded")
	}
	if _, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")); err == nil {
		t.Errorf("Open in a missing directory succeeded")
	}
	if _, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), sqlite.WithPollInterval(0)); err == nil {
		t.Errorf("Open with a zero poll interval succeeded")
	}
}

func TestOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd ?#%name&_pragma=x.db")
	s := openPath(t, path)
	put(t, s, "a", `1`)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPath(t, path)
	if rev, err := s.Revision(t.Context()); err != nil || rev != 1 {
		t.Fatalf("revision after reopen = %d, %v; want 1", rev, err)
	}
}
