package cli

import (
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/datadir"
)

// TestDataDirLockSkippedForClusterStores: the data dir lock keeps a second
// gateway off an embedded store, but gateways sharing a cluster store are
// meant to run side by side.
func TestDataDirLockSkippedForClusterStores(t *testing.T) {
	dir := t.TempDir()
	first, err := prepareDataDir(config.Settings{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	for _, st := range []string{"", "sqlite:" + dir + "/other.db"} {
		if _, err := prepareDataDir(config.Settings{DataDir: dir, Store: st}); !errors.Is(err, datadir.ErrLocked) {
			t.Errorf("store %q: %v, want the data dir refused", st, err)
		}
	}
	for _, st := range []string{"postgres://db/tollgate", "postgresql://db/tollgate"} {
		lock, err := prepareDataDir(config.Settings{DataDir: dir, Store: st})
		if err != nil || lock != nil {
			t.Errorf("store %q: %v, %v; want no lock taken", st, lock, err)
		}
	}
}
