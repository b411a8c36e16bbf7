package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions: migrations[i] takes version i to
// version i+1. Append only; never edit a released step. "{s}" stands for
// the quoted schema name.
var migrations = [][]string{
	// 1: the store.
	{
		`CREATE TABLE {s}.kv (
			key   bytea  PRIMARY KEY,
			value bytea  NOT NULL,
			rev   bigint NOT NULL
		)`,
		`CREATE TABLE {s}.changes (
			rev bigint   NOT NULL,
			seq integer  NOT NULL,
			op  smallint NOT NULL,
			key bytea    NOT NULL,
			PRIMARY KEY (rev, seq)
		)`,
		`CREATE TABLE {s}.meta (
			id    integer PRIMARY KEY CHECK (id = 1),
			rev   bigint  NOT NULL,
			floor bigint  NOT NULL
		)`,
		`INSERT INTO {s}.meta (id, rev, floor) VALUES (1, 0, 0)`,
	},
}

// SchemaVersion is the schema version this build creates and reads.
var SchemaVersion = len(migrations)

// expand replaces {s} in stmt with the quoted schema name.
func expand(stmt, schema string) string {
	return strings.ReplaceAll(stmt, "{s}", pgx.Identifier{schema}.Sanitize())
}

// lockKey is the advisory lock that serialises migrations of schema.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tollgate.migrate." + schema))
	return int64(h.Sum64())
}

// errTooNew is wrapped when the database was migrated by a newer build.
var errTooNew = errors.New("schema is newer than this build")

// migrate brings schema to SchemaVersion. It runs in one transaction
// holding a transaction-level advisory lock: concurrent Opens wait for
// each other, the second finds the work done, and a failed step leaves
// the schema as it was (PostgreSQL's DDL is transactional).
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) (err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			cctx, cancel := cleanupCtx(ctx)
			defer cancel()
			_ = tx.Rollback(cctx)
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(schema)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	for _, stmt := range []string{
		`CREATE SCHEMA IF NOT EXISTS {s}`,
		`CREATE TABLE IF NOT EXISTS {s}.schema_version (version integer NOT NULL)`,
	} {
		if _, err := tx.Exec(ctx, expand(stmt, schema)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	version := 0
	err = tx.QueryRow(ctx, expand(`SELECT version FROM {s}.schema_version`, schema)).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, expand(`INSERT INTO {s}.schema_version (version) VALUES (0)`, schema)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	case err != nil:
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("migrate: schema %q is at version %d, this build knows %d: %w", schema, version, SchemaVersion, errTooNew)
	}
	for v := version; v < SchemaVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.Exec(ctx, expand(stmt, schema)); err != nil {
				return fmt.Errorf("migrate to version %d: %w", v+1, err)
			}
		}
	}
	if version < SchemaVersion {
		if _, err := tx.Exec(ctx, expand(`UPDATE {s}.schema_version SET version = $1`, schema), SchemaVersion); err != nil {
			return fmt.Errorf("migrate: set version: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// listSQL is the List statement from a lower bound $1 (excluded when
// exclusive), below an upper bound $2 if bounded, with a LIMIT (NULL: all)
// as the last parameter. Each shape is its own statement, so that the
// planner sees a plain range scan of the primary key.
func listSQL(schema string, exclusive, bounded bool) string {
	var b strings.Builder
	b.WriteString(`SELECT key, value, rev FROM {s}.kv WHERE key `)
	if exclusive {
		b.WriteString(`> $1`)
	} else {
		b.WriteString(`>= $1`)
	}
	if bounded {
		b.WriteString(` AND key < $2 ORDER BY key LIMIT $3`)
	} else {
		b.WriteString(` ORDER BY key LIMIT $2`)
	}
	return expand(b.String(), schema)
}

// listIndex is the position in queries.list of the statement for a List
// with an exclusive lower bound and an upper bound, or not.
func listIndex(exclusive, bounded bool) int {
	i := 0
	if exclusive {
		i += 2
	}
	if bounded {
		i++
	}
	return i
}

// channelName is the NOTIFY channel of schema's commits.
func channelName(schema string) string { return schema + "_changes" }

// queries holds the store's statements with the schema filled in.
type queries struct {
	lockMeta, readRev, setRev                       string
	get, put, create, del, delRange, delFrom        string
	list                                            [4]string // by listIndex
	appendChanges, changes, raiseFloor, dropChanges string
}

func newQueries(schema string) queries {
	e := func(s string) string { return expand(s, schema) }
	return queries{
		lockMeta: e(`SELECT rev, floor FROM {s}.meta WHERE id = 1 FOR UPDATE`),
		readRev:  e(`SELECT rev FROM {s}.meta WHERE id = 1`),
		setRev:   e(`UPDATE {s}.meta SET rev = $1 WHERE id = 1`),
		get:      e(`SELECT value, rev FROM {s}.kv WHERE key = $1`),
		put: e(`INSERT INTO {s}.kv (key, value, rev) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, rev = excluded.rev`),
		create:   e(`INSERT INTO {s}.kv (key, value, rev) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`),
		del:      e(`DELETE FROM {s}.kv WHERE key = $1`),
		delRange: e(`DELETE FROM {s}.kv WHERE key >= $1 AND key < $2 RETURNING key`),
		delFrom:  e(`DELETE FROM {s}.kv WHERE key >= $1 RETURNING key`),
		list: [4]string{
			listSQL(schema, false, false), listSQL(schema, false, true),
			listSQL(schema, true, false), listSQL(schema, true, true),
		},
		appendChanges: e(`INSERT INTO {s}.changes (rev, seq, op, key)
			SELECT $1, c.ord - 1, c.op, c.key
			FROM unnest($2::smallint[], $3::bytea[]) WITH ORDINALITY AS c(op, key, ord)`),
		// The floor and a page of changes in one statement, hence one
		// snapshot: $1 after, $2 last revision wanted, $3 limit (NULL:
		// none). The LEFT JOIN returns the floor even with no changes.
		changes: e(`SELECT m.floor, c.rev, c.op, c.key
			FROM {s}.meta m LEFT JOIN LATERAL (
				SELECT rev, seq, op, key FROM {s}.changes
				WHERE rev > $1 AND rev <= $2 ORDER BY rev, seq LIMIT $3
			) c ON true
			WHERE m.id = 1 ORDER BY c.rev, c.seq`),
		raiseFloor:  e(`UPDATE {s}.meta SET floor = $1 WHERE id = 1 AND floor < $1`),
		dropChanges: e(`DELETE FROM {s}.changes WHERE rev <= $1`),
	}
}
