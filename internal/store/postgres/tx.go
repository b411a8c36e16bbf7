package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/tollgate/tollgate/internal/store"
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

	mu      sync.Mutex
	done    bool
	changes *store.ChangeSet // what the transaction wrote, for the feed
	// failed is the first error of a write statement. PostgreSQL aborts
	// the transaction after one, so Update refuses to commit even if fn
	// ignored the error.
	failed error
}

var _ store.Tx = (*writeTx)(nil)

// enter locks t for one operation, failing if the transaction has ended.
func (t *writeTx) enter() error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errTxDone
	}
	return nil
}

// fail records err as the failure of a statement and returns it.
func (t *writeTx) fail(ctx context.Context, err error) error {
	err = ctxErr(ctx, err)
	if t.failed == nil {
		t.failed = err
	}
	return err
}

// finish marks the transaction ended and returns what it wrote and the
// first statement failure.
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
	it, err := t.reader.Get(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return it, t.fail(ctx, err)
	}
	return it, err
}

// List implements store.Reader.
func (t *writeTx) List(ctx context.Context, prefix string, opts store.ListOptions) ([]store.Item, error) {
	if err := t.enter(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	defer t.mu.Unlock()
	items, err := t.reader.List(ctx, prefix, opts)
	if err != nil && opts.Limit >= 0 {
		return nil, t.fail(ctx, err)
	}
	return items, err
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
	if _, err := t.tx.Exec(ctx, t.q.put, []byte(key), nonNil(value), t.rev); err != nil {
		return t.fail(ctx, fmt.Errorf("put %q: %w", key, err))
	}
	t.changes.Record(key, store.OpPut)
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
	tag, err := t.tx.Exec(ctx, t.q.create, []byte(key), nonNil(value), t.rev)
	if err != nil {
		return t.fail(ctx, fmt.Errorf("create %q: %w", key, err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("create %q: %w", key, store.ErrConflict)
	}
	t.changes.Record(key, store.OpPut)
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
	tag, err := t.tx.Exec(ctx, t.q.del, []byte(key))
	if err != nil {
		return t.fail(ctx, fmt.Errorf("delete %q: %w", key, err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete %q: %w", key, store.ErrNotFound)
	}
	t.changes.Record(key, store.OpDelete)
	return nil
}

// DeletePrefix implements store.Tx. The deleted keys enter the change feed
// in key order.
func (t *writeTx) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if err := t.enter(); err != nil {
		return 0, fmt.Errorf("delete prefix %q: %w", prefix, err)
	}
	defer t.mu.Unlock()
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
	slices.Sort(keys)
	for _, k := range keys {
		t.changes.Record(k, store.OpDelete)
	}
	return len(keys), nil
}

// nonNil maps a nil value to an empty one: pgx sends nil as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
