package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// View implements store.Store. fn runs in a REPEATABLE READ, READ ONLY
// transaction: it sees the snapshot taken at its first statement,
// whatever commits meanwhile, and does not block writers. An error from
// fn is returned unchanged.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := s.lc.Begin("view"); err != nil {
		return err
	}
	defer s.lc.Done()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("postgres: view: %w", err)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: view: begin: %w", ctxErr(ctx, err))
	}
	defer rollback(ctx, tx)
	return fn(reader{tx: tx, q: &s.q})
}

// rollback ends tx, even after ctx has ended.
func rollback(ctx context.Context, tx pgx.Tx) {
	cctx, cancel := cleanupCtx(ctx)
	defer cancel()
	_ = tx.Rollback(cctx)
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := s.lc.Begin("revision"); err != nil {
		return 0, err
	}
	defer s.lc.Done()
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("postgres: revision: %w", err)
	}
	var rev int64
	if err := s.pool.QueryRow(ctx, s.q.readRev).Scan(&rev); err != nil {
		return 0, fmt.Errorf("postgres: revision: %w", ctxErr(ctx, err))
	}
	return rev, nil
}

// Update implements store.Store. The transaction first locks the meta
// row, which serialises it with every writer of every Store on the
// database (see the package doc); fn runs after that. If fn writes
// anything, the revision advances by one, every written key is stamped
// with it, one change per written key (its last op, in order of first
// write) joins the feed and a notification carrying the revision is
// queued, all in one commit. An error from fn is returned unchanged and
// nothing is written. If a statement failed (not merely ErrNotFound or
// ErrConflict) Update rolls back even if fn returned nil.
//
// An Update that returns an error after its COMMIT was sent (the
// connection broke) may or may not have committed; one that returns nil
// has, durably.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	if err := s.lc.Begin("update"); err != nil {
		return 0, err
	}
	defer s.lc.Done()
	if err := s.wsem.Lock(ctx); err != nil {
		return 0, fmt.Errorf("postgres: update: %w", err)
	}
	defer s.wsem.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("postgres: update: %w", err)
	}

	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return 0, fmt.Errorf("postgres: update: begin: %w", ctxErr(ctx, err))
	}
	committed := false
	defer func() {
		if !committed {
			rollback(ctx, tx)
		}
	}()
	var cur, floor int64
	if err := tx.QueryRow(ctx, s.q.lockMeta).Scan(&cur, &floor); err != nil {
		return 0, fmt.Errorf("postgres: update: lock revision: %w", ctxErr(ctx, err))
	}

	wtx := &writeTx{reader: reader{tx: tx, q: &s.q}, rev: cur + 1, TxState: storeutil.NewTxState(cur+1, errTxDone)}
	fnErr := fn(wtx)
	writes, failed := wtx.Finish()
	if fnErr != nil {
		return 0, fnErr
	}
	if failed != nil {
		return 0, fmt.Errorf("postgres: update: rolled back after a failed statement: %w", failed)
	}
	if len(writes) == 0 {
		return cur, nil
	}

	if err := s.appendCommit(ctx, tx, writes, wtx.rev, floor); err != nil {
		return 0, fmt.Errorf("postgres: update: %w", ctxErr(ctx, err))
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("postgres: update: commit: %w", ctxErr(ctx, err))
	}
	committed = true
	s.notify.Broadcast() // this Store's watchers need not wait for the NOTIFY
	return wtx.rev, nil
}

// appendCommit sends, in one round trip, the feed rows of revision rev,
// the new revision, its notification and, when due, a compaction.
func (s *Store) appendCommit(ctx context.Context, tx pgx.Tx, writes []store.Change, rev, floor int64) error {
	ops := make([]int16, len(writes))
	keys := make([][]byte, len(writes))
	for i, c := range writes {
		ops[i], keys[i] = int16(c.Op), []byte(c.Key)
	}
	b := &pgx.Batch{}
	b.Queue(s.q.appendChanges, rev, ops, keys)
	b.Queue(s.q.setRev, rev)
	b.Queue(`SELECT pg_notify($1, $2)`, s.channel, strconv.FormatInt(rev, 10))
	if to, due := storeutil.CompactTo(s.cfg.keepRevisions, rev, floor); due {
		b.Queue(s.q.raiseFloor, to)
		b.Queue(s.q.dropChanges, to)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("append revision %d: %w", rev, err)
	}
	return nil
}
