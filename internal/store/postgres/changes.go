package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

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
	if err := storeutil.CheckChanges("postgres", after, limit); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("postgres: changes after %d: %w", after, err)
	}
	out, err := s.readChanges(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: changes after %d: %w", after, ctxErr(ctx, err))
	}
	return out, nil
}

// readChanges reads a page of the feed. Each query returns the floor with
// the rows, from one snapshot.
func (s *Store) readChanges(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	return storeutil.Page(after, limit, func(after int64, n int) ([]store.Change, error) {
		return s.queryChanges(ctx, after, math.MaxInt64, n)
	}, func(rev int64) ([]store.Change, error) {
		// Compaction since the first query shows as ErrCompacted, never
		// as a short revision.
		return s.queryChanges(ctx, rev-1, rev, 0)
	})
}

// queryChanges returns the changes with after < rev <= upto, at most
// limit of them (0: all), failing with ErrCompacted if after is below the
// floor.
func (s *Store) queryChanges(ctx context.Context, after, upto int64, limit int) ([]store.Change, error) {
	var lim *int64
	if limit > 0 {
		n := int64(limit)
		lim = &n
	}
	rows, err := s.pool.Query(ctx, s.q.changes, after, upto, lim)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Change
	floor := int64(-1)
	for rows.Next() {
		var rev *int64
		var op *int16
		var key []byte
		if err := rows.Scan(&floor, &rev, &op, &key); err != nil {
			return nil, err
		}
		if rev != nil {
			out = append(out, store.Change{Revision: *rev, Op: store.Op(*op), Key: string(key)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if floor < 0 {
		return nil, fmt.Errorf("the meta row is missing")
	}
	if after < floor {
		return nil, fmt.Errorf("revisions up to %d were compacted: %w", floor, store.ErrCompacted)
	}
	return out, nil
}

// Compact discards the change feed except its last keepRevisions
// revisions: afterwards Changes and Watch fail with store.ErrCompacted
// for any after below Revision-keepRevisions. Compact never lowers the
// floor. Updates also compact automatically (see WithKeepRevisions).
func (s *Store) Compact(ctx context.Context, keepRevisions int64) error {
	if keepRevisions < 0 {
		return fmt.Errorf("postgres: compact: negative keepRevisions %d", keepRevisions)
	}
	if err := s.lc.Begin("compact"); err != nil {
		return err
	}
	defer s.lc.Done()
	if err := s.wsem.Lock(ctx); err != nil {
		return fmt.Errorf("postgres: compact: %w", err)
	}
	defer s.wsem.Unlock()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: compact: begin: %w", ctxErr(ctx, err))
	}
	defer rollback(ctx, tx)
	var rev, floor int64
	if err := tx.QueryRow(ctx, s.q.lockMeta).Scan(&rev, &floor); err != nil {
		return fmt.Errorf("postgres: compact: %w", ctxErr(ctx, err))
	}
	if to := rev - keepRevisions; to > floor {
		b := &pgx.Batch{}
		b.Queue(s.q.raiseFloor, to)
		b.Queue(s.q.dropChanges, to)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: compact to %d: %w", to, ctxErr(ctx, err))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: compact: commit: %w", ctxErr(ctx, err))
	}
	return nil
}
