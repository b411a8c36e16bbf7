package cli

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/datadir"
)

// TestDataDirLockSkippedForClusterStores: the data dir lock keeps a second
// gateway off an embedded store, but gateways sharing a cluster store are
// meant to run side by side.
func TestDataDirLockSkippedForClusterStores(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	first, err := prepareDataDir(config.Settings{DataDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	for _, st := range []string{"", "sqlite:" + dir + "/other.db"} {
		if _, err := prepareDataDir(config.Settings{DataDir: dir, Store: st}, log); !errors.Is(err, datadir.ErrLocked) {
			t.Errorf("store %q: %v, want the data dir refused", st, err)
		}
	}
	for _, st := range []string{"postgres://db/tollgate", "postgresql://db/tollgate"} {
		lock, err := prepareDataDir(config.Settings{DataDir: dir, Store: st}, log)
		if err != nil || lock != nil {
			t.Errorf("store %q: %v, %v; want no lock taken", st, lock, err)
		}
	}
}
