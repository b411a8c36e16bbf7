//go:build unix

package sqlite_test

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

// TestFilesArePrivate: the database and the WAL and shared-memory files
// SQLite makes beside it are created 0600 whatever the umask (here 0, under
// which SQLite alone would make them 0644).
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	s, path := openTemp(t)
	ctx := context.Background()
	if _, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %o, want 600", p, got)
		}
	}
}
