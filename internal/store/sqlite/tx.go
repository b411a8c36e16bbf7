package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// errTxDone is returned by a Tx used after its Update returned.
var errTxDone = errors.New("sqlite: transaction used after its Update returned")

// writeTx implements store.Tx. Writes go straight to the kv table, stamped
// with the revision the transaction will commit as; the keys written are
// recorded so that Update can append the change feed rows.
//
// A write statement that failed may have changed rows that the TxState
// does not record, so Update refuses to commit even if fn ignored the
// error.
type writeTx struct {
	reader
	rev int64 // revision this transaction commits as
	*storeutil.TxState
}

var _ store.Tx = (*writeTx)(nil)

// Get implements store.Reader.
func (t *writeTx) Get(ctx context.Context, key string) (store.Item, error) {
	if err := t.Enter("get", key); err != nil {
		return store.Item{}, err
	}
	defer t.Exit()
	return t.reader.Get(ctx, key)
}

// List implements store.Reader.
func (t *writeTx) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if err := t.Enter("list", prefix); err != nil {
		return nil, err
	}
	defer t.Exit()
	return t.reader.List(ctx, prefix, opts)
}

// Put implements store.Tx.
func (t *writeTx) Put(ctx context.Context, key string, value []byte) error {
	if err := t.EnterKey("put", key); err != nil {
		return err
	}
	defer t.Exit()
	_, err := t.tx.ExecContext(ctx, `INSERT INTO kv (key, value, rev) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, rev = excluded.rev`,
		key, storeutil.NonNil(value), t.rev)
	if err != nil {
		return t.Fail(fmt.Errorf("put %q: %w", key, err))
	}
	t.Record(key, store.OpPut)
	return nil
}

// Create implements store.Tx.
func (t *writeTx) Create(ctx context.Context, key string, value []byte) error {
	if err := t.EnterKey("create", key); err != nil {
		return err
	}
	defer t.Exit()
	res, err := t.tx.ExecContext(ctx, `INSERT INTO kv (key, value, rev) VALUES (?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, storeutil.NonNil(value), t.rev)
	if err != nil {
		return t.Fail(fmt.Errorf("create %q: %w", key, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.Fail(fmt.Errorf("create %q: %w", key, err))
	}
	if n == 0 {
		return fmt.Errorf("create %q: %w", key, store.ErrConflict)
	}
	t.Record(key, store.OpPut)
	return nil
}

// Delete implements store.Tx.
func (t *writeTx) Delete(ctx context.Context, key string) error {
	if err := t.EnterKey("delete", key); err != nil {
		return err
	}
	defer t.Exit()
	res, err := t.tx.ExecContext(ctx, `DELETE FROM kv WHERE key = ?`, key)
	if err != nil {
		return t.Fail(fmt.Errorf("delete %q: %w", key, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.Fail(fmt.Errorf("delete %q: %w", key, err))
	}
	if n == 0 {
		return fmt.Errorf("delete %q: %w", key, store.ErrNotFound)
	}
	t.Record(key, store.OpDelete)
	return nil
}

// DeletePrefix implements store.Tx. The deleted keys enter the change feed
// in key order.
func (t *writeTx) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if err := t.Enter("delete prefix", prefix); err != nil {
		return 0, err
	}
	defer t.Exit()
	q, args := `DELETE FROM kv WHERE key >= ?`, []any{prefix}
	if end, ok := store.PrefixEnd(prefix); ok {
		q += ` AND key < ?`
		args = append(args, end)
	}
	rows, err := t.tx.QueryContext(ctx, q+` RETURNING key`, args...)
	if err != nil {
		return 0, t.Fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, t.Fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return 0, t.Fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	t.RecordDeleted(keys)
	return len(keys), nil
}
