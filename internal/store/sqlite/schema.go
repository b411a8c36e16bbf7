package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"time"
)

// schemaVersion is stored in PRAGMA user_version.
const schemaVersion = 1

// schemaV1 creates the tables of schema version 1.
//
// kv holds the documents, each stamped with the revision that last wrote it.
// changes is the change feed: one row per key written by a revision, seq
// giving the order within the revision. meta is a single row holding the
// current revision and the compaction floor (changes with rev <= floor have
// been discarded).
//
// TEXT keys use the BINARY collation, so they compare byte-wise (memcmp), as
// Go compares strings.
var schemaV1 = []string{
	`CREATE TABLE IF NOT EXISTS kv (
		key   TEXT    PRIMARY KEY,
		value BLOB    NOT NULL,
		rev   INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS changes (
		rev INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		op  INTEGER NOT NULL,
		key TEXT    NOT NULL,
		PRIMARY KEY (rev, seq)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS meta (
		id    INTEGER PRIMARY KEY CHECK (id = 1),
		rev   INTEGER NOT NULL,
		floor INTEGER NOT NULL
	)`,
	`INSERT OR IGNORE INTO meta (id, rev, floor) VALUES (1, 0, 0)`,
}

// dsn builds a modernc.org/sqlite data source name for path. The path is
// made absolute and escaped into a file: URI so that characters such as '?'
// and '#' in it are safe.
func dsn(path string, cfg config, write bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)+")")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		// BEGIN IMMEDIATE: take the write lock when the transaction starts,
		// so that a transaction never fails half-way on a lock upgrade.
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String(), nil
}

// openDB opens a database/sql pool on path.
func openDB(path string, cfg config, write bool) (*sql.DB, error) {
	name, err := dsn(path, cfg, write)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", path, err)
	}
	if write {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	} else {
		db.SetMaxOpenConns(cfg.readConns)
		db.SetMaxIdleConns(cfg.readConns)
	}
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// migrate creates the schema if the file is new and checks its version
// otherwise. It runs in one write transaction, so concurrent opens of a new
// file by several processes are safe.
func migrate(ctx context.Context, db *sql.DB) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("migrate: read user_version: %w", err)
	}
	switch {
	case version == schemaVersion:
		return tx.Rollback()
	case version > schemaVersion:
		return fmt.Errorf("migrate: schema version %d is newer than supported version %d", version, schemaVersion)
	}
	for _, stmt := range schemaV1 {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(schemaVersion)); err != nil {
		return fmt.Errorf("migrate: set user_version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
