package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// Changes implements store.Store. Pages hold whole revisions only (see
// store.Store.Changes); a limit of 0 means no limit.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	if err := s.lc.Begin("changes"); err != nil {
		return nil, err
	}
	defer s.lc.Done()
	return s.changes(ctx, after, limit)
}

// changes is Changes without the lifecycle bookkeeping, for watchers.
func (s *Store) changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	if err := storeutil.CheckChanges("sqlite", after, limit); err != nil {
		return nil, err
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes after %d: %w", after, err)
	}
	defer func() { _ = tx.Rollback() }()
	out, err := readChanges(ctx, tx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes after %d: %w", after, err)
	}
	return out, nil
}

// readChanges reads a page of the change feed in tx.
func readChanges(ctx context.Context, tx *sql.Tx, after int64, limit int) ([]store.Change, error) {
	var floor int64
	if err := tx.QueryRowContext(ctx, `SELECT floor FROM meta WHERE id = 1`).Scan(&floor); err != nil {
		return nil, err
	}
	if after < floor {
		return nil, fmt.Errorf("revisions up to %d were compacted: %w", floor, store.ErrCompacted)
	}
	return storeutil.Page(after, limit, func(after int64, n int) ([]store.Change, error) {
		if n == 0 {
			return queryChanges(ctx, tx, `WHERE rev > ? ORDER BY rev, seq`, after)
		}
		return queryChanges(ctx, tx, `WHERE rev > ? ORDER BY rev, seq LIMIT ?`, after, n)
	}, func(rev int64) ([]store.Change, error) {
		return queryChanges(ctx, tx, `WHERE rev = ? ORDER BY seq`, rev)
	})
}

func queryChanges(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]store.Change, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rev, op, key FROM changes `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		if err := rows.Scan(&c.Revision, &c.Op, &c.Key); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Compact discards the change feed except its last keepRevisions revisions:
// afterwards Changes and Watch fail with store.ErrCompacted for any after
// below Revision-keepRevisions. Compact never lowers the floor. Updates
// also compact automatically (see WithKeepRevisions).
func (s *Store) Compact(ctx context.Context, keepRevisions int64) error {
	if keepRevisions < 0 {
		return fmt.Errorf("sqlite: compact: negative keepRevisions %d", keepRevisions)
	}
	if err := s.lc.Begin("compact"); err != nil {
		return err
	}
	defer s.lc.Done()
	if err := s.wsem.Lock(ctx); err != nil {
		return fmt.Errorf("sqlite: compact: %w", err)
	}
	defer s.wsem.Unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: compact: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var rev int64
	if err := tx.QueryRowContext(ctx, `SELECT rev FROM meta WHERE id = 1`).Scan(&rev); err != nil {
		return fmt.Errorf("sqlite: compact: %w", err)
	}
	if err := compact(ctx, tx, rev-keepRevisions); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: compact: commit: %w", err)
	}
	return nil
}

// compact raises the floor to floor (if higher) and deletes the change rows
// at or below it.
func compact(ctx context.Context, tx *sql.Tx, floor int64) error {
	if floor <= 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE meta SET floor = ? WHERE id = 1 AND floor < ?`, floor, floor)
	if err != nil {
		return fmt.Errorf("compact to %d: %w", floor, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("compact to %d: %w", floor, err)
	}
	if n == 0 {
		return nil // the floor is already at or above
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE rev <= ?`, floor); err != nil {
		return fmt.Errorf("compact to %d: %w", floor, err)
	}
	return nil
}
