package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// errTxDone is returned by a Tx used after its Update returned.
var errTxDone = errors.New("postgres: transaction used after its Update returned")

// writeTx implements store.Tx. Writes go straight to the kv table, stamped
// with the revision the transaction will commit as; the keys written are
// recorded so that Update can append the change feed rows.
//
// No statement of a Tx raises an error for a missing or existing key
// (Create is INSERT … ON CONFLICT DO NOTHING, Delete counts the rows it
// removed), so ErrNotFound and ErrConflict leave the PostgreSQL
// transaction usable, as store.Tx requires.
type writeTx struct {
	reader
	rev int64 // revision this transaction commits as
	// TxState records the first error of a write statement. PostgreSQL
	// aborts the transaction after one, so Update refuses to commit even
	// if fn ignored the error.
	*storeutil.TxState
}

var _ store.Tx = (*writeTx)(nil)

// fail records err as the failure of a statement and returns it.
func (t *writeTx) fail(ctx context.Context, err error) error {
	return t.Fail(ctxErr(ctx, err))
}

// Get implements store.Reader.
func (t *writeTx) Get(ctx context.Context, key string) (store.Item, error) {
	if err := t.Enter("get", key); err != nil {
		return store.Item{}, err
	}
	defer t.Exit()
	it, err := t.reader.Get(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return it, t.fail(ctx, err)
	}
	return it, err
}

// List implements store.Reader.
func (t *writeTx) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if err := t.Enter("list", prefix); err != nil {
		return nil, err
	}
	defer t.Exit()
	items, err := t.reader.List(ctx, prefix, opts)
	if err != nil && opts.Limit >= 0 {
		return nil, t.fail(ctx, err)
	}
	return items, err
}

// Put implements store.Tx.
func (t *writeTx) Put(ctx context.Context, key string, value []byte) error {
	if err := t.EnterKey("put", key); err != nil {
		return err
	}
	defer t.Exit()
	if _, err := t.tx.Exec(ctx, t.q.put, []byte(key), storeutil.NonNil(value), t.rev); err != nil {
		return t.fail(ctx, fmt.Errorf("put %q: %w", key, err))
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
	tag, err := t.tx.Exec(ctx, t.q.create, []byte(key), storeutil.NonNil(value), t.rev)
	if err != nil {
		return t.fail(ctx, fmt.Errorf("create %q: %w", key, err))
	}
	if tag.RowsAffected() == 0 {
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
	tag, err := t.tx.Exec(ctx, t.q.del, []byte(key))
	if err != nil {
		return t.fail(ctx, fmt.Errorf("delete %q: %w", key, err))
	}
	if tag.RowsAffected() == 0 {
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
	q, args := t.q.delFrom, []any{[]byte(prefix)}
	if end, ok := store.PrefixEnd(prefix); ok {
		q, args = t.q.delRange, append(args, []byte(end))
	}
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return 0, t.fail(ctx, fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	var keys []string
	var k []byte
	for rows.Next() {
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, t.fail(ctx, fmt.Errorf("delete prefix %q: %w", prefix, err))
		}
		keys = append(keys, string(k))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, t.fail(ctx, fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	t.RecordDeleted(keys)
	return len(keys), nil
}
