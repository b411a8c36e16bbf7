package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// View implements store.Store. fn runs in a read transaction on the read
// pool: it sees the snapshot taken when View started, whatever is committed
// meanwhile, and does not block writers. An error from fn is returned
// unchanged.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := s.lc.Begin("view"); err != nil {
		return err
	}
	defer s.lc.Done()
	tx, err := s.beginRead(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: view: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(reader{tx: tx})
}

// beginRead starts a read transaction and takes its snapshot at once (a
// deferred transaction takes it at its first read).
func (s *Store) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	var rev int64
	if err := tx.QueryRowContext(ctx, `SELECT rev FROM meta WHERE id = 1`).Scan(&rev); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("begin: %w", err)
	}
	return tx, nil
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := s.lc.Begin("revision"); err != nil {
		return 0, err
	}
	defer s.lc.Done()
	var rev int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT rev FROM meta WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("sqlite: revision: %w", err)
	}
	return rev, nil
}

// Update implements store.Store. Updates are serialized; fn runs in a
// BEGIN IMMEDIATE transaction. If fn writes anything, the revision advances
// by one, every written key is stamped with it and one change per written
// key (its last op, in order of first write) joins the feed, all in the same
// commit; watchers are woken after it. An error from fn is returned
// unchanged and nothing is written. If a write statement failed (not merely
// ErrNotFound or ErrConflict) Update rolls back even if fn returned nil.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (rev int64, err error) {
	if err := s.lc.Begin("update"); err != nil {
		return 0, err
	}
	defer s.lc.Done()
	if err := s.wsem.Lock(ctx); err != nil {
		return 0, fmt.Errorf("sqlite: update: %w", err)
	}
	defer s.wsem.Unlock()

	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: update: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	var cur, floor int64
	if err := tx.QueryRowContext(ctx, `SELECT rev, floor FROM meta WHERE id = 1`).Scan(&cur, &floor); err != nil {
		return 0, fmt.Errorf("sqlite: update: read revision: %w", err)
	}

	wtx := &writeTx{reader: reader{tx: tx}, rev: cur + 1, TxState: storeutil.NewTxState(cur+1, errTxDone)}
	fnErr := fn(wtx)
	writes, failed := wtx.Finish()
	if fnErr != nil {
		return 0, fnErr
	}
	if failed != nil {
		return 0, fmt.Errorf("sqlite: update: rolled back after a failed write: %w", failed)
	}
	if len(writes) == 0 {
		return cur, nil
	}

	if err := appendChanges(ctx, tx, writes); err != nil {
		return 0, fmt.Errorf("sqlite: update: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET rev = ? WHERE id = 1`, wtx.rev); err != nil {
		return 0, fmt.Errorf("sqlite: update: write revision: %w", err)
	}
	if to, due := storeutil.CompactTo(s.cfg.keepRevisions, wtx.rev, floor); due {
		if err := compact(ctx, tx, to); err != nil {
			return 0, fmt.Errorf("sqlite: update: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: update: commit: %w", err)
	}
	committed = true
	s.notify.Broadcast()
	return wtx.rev, nil
}

// appendChanges writes the change feed rows of one transaction.
func appendChanges(ctx context.Context, tx *sql.Tx, writes []store.Change) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO changes (rev, seq, op, key) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("append changes: %w", err)
	}
	defer stmt.Close()
	for i, c := range writes {
		if _, err := stmt.ExecContext(ctx, c.Revision, i, int64(c.Op), c.Key); err != nil {
			return fmt.Errorf("append change %q: %w", c.Key, err)
		}
	}
	return nil
}
