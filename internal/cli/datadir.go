package cli

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/datadir"
)

// prepareDataDir creates the data dir (0700) and takes its lock unless the
// store is shared by a cluster. The lock is held until the returned Lock is
// released or the process ends.
func prepareDataDir(s config.Settings) (*datadir.Lock, error) {
	if err := datadir.Create(s.DataDir); err != nil {
		return nil, err
	}
	var lock *datadir.Lock
	if !clusterStore(s.Store) {
		// One gateway per data dir: a second one would share the store but
		// keep its own throttles, quotas and caches.
		var err error
		if lock, err = datadir.Acquire(s.DataDir); err != nil {
			return nil, err
		}
	}
	return lock, nil
}

// warnExposed warns when other users can read the data dir, or the store
// file when it lies outside. It runs once start-up has succeeded, so that
// a failed start prints its one-line reason alone.
func warnExposed(s config.Settings, log *slog.Logger) {
	if perm, exposed := datadir.Exposed(s.DataDir); exposed {
		log.Warn("the data dir is readable by other users; it holds the management credentials, the key that seals API key values, TLS keys and the store: chmod 700 it",
			"dir", s.DataDir, "mode", fmt.Sprintf("%04o", perm))
	}
	if path, ok := sqlitePath(s); ok && !within(path, s.DataDir) {
		if perm, exposed := datadir.Exposed(path); exposed {
			log.Warn("the store file is readable by other users: chmod 600 it (and its -wal and -shm files)",
				"path", path, "mode", fmt.Sprintf("%04o", perm))
		}
	}
}

// clusterStore reports whether the store is shared by the gateways of a
// cluster, each with its own data dir, and coordinated through the store
// itself rather than by a data dir lock.
func clusterStore(url string) bool { return config.ClusterStore(url) }

// sqlitePath returns the SQLite file a store setting names.
func sqlitePath(s config.Settings) (string, bool) {
	switch {
	case s.Store == "":
		return filepath.Join(s.DataDir, "tollgate.db"), true
	case strings.HasPrefix(s.Store, "sqlite:"):
		return strings.TrimPrefix(strings.TrimPrefix(s.Store, "sqlite:"), "//"), true
	}
	return "", false
}

// within reports whether path lies inside dir.
func within(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
