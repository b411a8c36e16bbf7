package storeutil

import (
	"fmt"
	"slices"
	"sync"

	"github.com/tollgate/tollgate/internal/store"
)

// TxState is the bookkeeping of a write transaction (a store.Tx): it
// serialises the transaction's operations, refuses them once its Update
// has returned, records what it wrote for the change feed and keeps the
// first failure of a statement, after which Update must not commit. Each
// operation calls Enter or EnterKey and, if that succeeds, Exit when it
// ends.
type TxState struct {
	doneErr error // returned once the transaction has ended

	mu      sync.Mutex
	done    bool
	changes *store.ChangeSet // what the transaction wrote, for the feed
	failed  error            // the first failure of a statement
}

// NewTxState returns the state of a transaction committing as rev;
// operations after Finish fail with an error wrapping doneErr.
func NewTxState(rev int64, doneErr error) *TxState {
	return &TxState{doneErr: doneErr, changes: store.NewChangeSet(rev)}
}

// Enter locks t for operation op on name (a key or prefix), failing if
// the transaction has ended.
func (t *TxState) Enter(op, name string) error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return fmt.Errorf("%s %q: %w", op, name, t.doneErr)
	}
	return nil
}

// EnterKey is Enter for an operation that writes key: it first checks
// key with store.ValidateKey.
func (t *TxState) EnterKey(op, key string) error {
	if err := store.ValidateKey(key); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return t.Enter(op, key)
}

// Exit unlocks t after an operation that Enter or EnterKey let in.
func (t *TxState) Exit() { t.mu.Unlock() }

// Fail records err as the failure of a statement and returns it. Call it
// between Enter and Exit.
func (t *TxState) Fail(err error) error {
	if t.failed == nil {
		t.failed = err
	}
	return err
}

// Record notes that the transaction applied op to key. Call it between
// Enter and Exit.
func (t *TxState) Record(key string, op store.Op) { t.changes.Record(key, op) }

// RecordDeleted records the deletion of keys in key order, as
// DeletePrefix must (see store.Change). It sorts keys.
func (t *TxState) RecordDeleted(keys []string) {
	slices.Sort(keys)
	for _, k := range keys {
		t.changes.Record(k, store.OpDelete)
	}
}

// Finish marks the transaction ended and returns what it wrote and the
// first statement failure.
func (t *TxState) Finish() ([]store.Change, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
	return t.changes.Changes(), t.failed
}

// NonNil maps a nil value to an empty one: the drivers bind nil as NULL.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
