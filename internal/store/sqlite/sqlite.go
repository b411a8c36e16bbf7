// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go).
//
// The database runs in WAL mode with synchronous=FULL, so a committed Update
// survives a crash of the process or the machine. Writers are serialized: a
// Go semaphore orders the Updates of one Store, and every write transaction
// is a BEGIN IMMEDIATE, which orders the writers of different processes
// sharing the file. Reads run concurrently on a separate pool of read-only
// connections, each View in its own read transaction (a WAL snapshot).
//
// Several Stores, in one process or several, may share a file. Watchers are
// woken at once by commits made through their own Store and see the commits
// of other Stores by polling.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// Store is a store.Store backed by a SQLite file. Its methods are safe for
// concurrent use.
type Store struct {
	cfg config

	wdb *sql.DB // one connection; BEGIN IMMEDIATE transactions
	rdb *sql.DB // read-only connections for View, Revision, Changes, Watch

	// wsem serializes writers (Update, Compact) within this Store.
	wsem storeutil.WriteLock

	notify *storeutil.Notifier // wakes watchers after each commit

	lc *storeutil.Lifecycle // running operations and watchers; Close
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the SQLite file at path. The
// schema is created or checked on open. ctx bounds the open only. A new
// file is created readable by its owner only (0600), and so are the WAL and
// shared-memory files beside it; an existing file keeps its mode.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open: a file path is required, got %q", path)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	wdb, err := openDB(path, cfg, true)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := migrate(ctx, wdb); err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	rdb, err := openDB(path, cfg, false)
	if err != nil {
		_ = wdb.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := rdb.PingContext(ctx); err != nil {
		_ = wdb.Close()
		_ = rdb.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	s := &Store{
		cfg:    cfg,
		wdb:    wdb,
		rdb:    rdb,
		wsem:   storeutil.NewWriteLock(),
		notify: storeutil.NewNotifier(),
		lc:     storeutil.NewLifecycle("sqlite"),
	}
	return s, nil
}

// Close stops the watchers (their Err reports store.ErrClosed), waits for
// running operations to finish and closes the database. It is idempotent.
// A second Close waits for the first and returns nil.
func (s *Store) Close() error {
	return s.lc.Close(func() error { return errors.Join(s.rdb.Close(), s.wdb.Close()) })
}

// createPrivate creates the database file, empty and with mode 0600, unless
// it exists. Left to itself SQLite creates it 0644 (less the umask); the
// WAL, shared-memory and journal files it makes later take the database
// file's mode (os_unix.c, findCreateFileMode: "the permissions on the
// corresponding database file"), so creating the database first makes them
// all private. An empty file is a valid, empty SQLite database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
