package sqlite

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/tollgate/tollgate/internal/store"
)

// errTxDone is returned by a Tx used after its Update returned.
var errTxDone = errors.New("sqlite: transaction used after its Update returned")

// writeTx implements store.Tx. Writes go straight to the kv table, stamped
// with the revision the transaction will commit as; the keys written are
// recorded so that Update can append the change feed rows.
type writeTx struct {
	reader
	rev int64 // revision this transaction commits as

	mu      sync.Mutex
	done    bool
	changes *store.ChangeSet // what the transaction wrote, for the feed
	// failed is the first error of a write statement. Such a statement may
	// have changed rows that changes does not record, so Update refuses to
	// commit even if fn ignored the error.
	failed error
}

var _ store.Tx = (*writeTx)(nil)

// record notes that key was written with op.
func (t *writeTx) record(key string, op store.Op) { t.changes.Record(key, op) }

// enter locks t for one operation, failing if the transaction has ended.
func (t *writeTx) enter() error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errTxDone
	}
	return nil
}

// fail records err as the failure of a write statement and returns it.
func (t *writeTx) fail(err error) error {
	if t.failed == nil {
		t.failed = err
	}
	return err
}

// finish marks the transaction ended and returns what it wrote and the first
// write failure.
func (t *writeTx) finish() ([]store.Change, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	return t.changes.Changes(), t.failed
}

// Get implements store.Reader.
func (t *writeTx) Get(ctx context.Context, key string) (store.Item, error) {
	if err := t.enter(); err != nil {
		return store.Item{}, fmt.Errorf("get %q: %w", key, err)
	}
	defer t.mu.Unlock()
	return t.reader.Get(ctx, key)
}

// List implements store.Reader.
func (t *writeTx) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if err := t.enter(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer t.mu.Unlock()
	return t.reader.List(ctx, prefix, opts)
}

// Put implements store.Tx.
func (t *writeTx) Put(ctx context.Context, key string, value []byte) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := t.enter(); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	defer t.mu.Unlock()
	_, err := t.tx.ExecContext(ctx, `INSERT INTO kv (key, value, rev) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, rev = excluded.rev`,
		key, nonNil(value), t.rev)
	if err != nil {
		return t.fail(fmt.Errorf("put %q: %w", key, err))
	}
	t.record(key, store.OpPut)
	return nil
}

// Create implements store.Tx.
func (t *writeTx) Create(ctx context.Context, key string, value []byte) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if err := t.enter(); err != nil {
		return fmt.Errorf("create %q: %w", key, err)
	}
	defer t.mu.Unlock()
	res, err := t.tx.ExecContext(ctx, `INSERT INTO kv (key, value, rev) VALUES (?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, nonNil(value), t.rev)
	if err != nil {
		return t.fail(fmt.Errorf("create %q: %w", key, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.fail(fmt.Errorf("create %q: %w", key, err))
	}
	if n == 0 {
		return fmt.Errorf("create %q: %w", key, store.ErrConflict)
	}
	t.record(key, store.OpPut)
	return nil
}

// Delete implements store.Tx.
func (t *writeTx) Delete(ctx context.Context, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := t.enter(); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	defer t.mu.Unlock()
	res, err := t.tx.ExecContext(ctx, `DELETE FROM kv WHERE key = ?`, key)
	if err != nil {
		return t.fail(fmt.Errorf("delete %q: %w", key, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.fail(fmt.Errorf("delete %q: %w", key, err))
	}
	if n == 0 {
		return fmt.Errorf("delete %q: %w", key, store.ErrNotFound)
	}
	t.record(key, store.OpDelete)
	return nil
}

// DeletePrefix implements store.Tx. The deleted keys enter the change feed
// in key order.
func (t *writeTx) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if err := t.enter(); err != nil {
		return 0, fmt.Errorf("delete prefix %q: %w", prefix, err)
	}
	defer t.mu.Unlock()
	q, args := `DELETE FROM kv WHERE key >= ?`, []any{prefix}
	if end, ok := store.PrefixEnd(prefix); ok {
		q += ` AND key < ?`
		args = append(args, end)
	}
	rows, err := t.tx.QueryContext(ctx, q+` RETURNING key`, args...)
	if err != nil {
		return 0, t.fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, t.fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return 0, t.fail(fmt.Errorf("delete prefix %q: %w", prefix, err))
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.record(k, store.OpDelete)
	}
	return len(keys), nil
}

// nonNil maps a nil value to an empty one: the driver binds nil as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
