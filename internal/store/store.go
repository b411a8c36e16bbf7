// Package store defines Tollgate's configuration store: an ordered key-value
// store of JSON documents with serializable transactions, a global revision
// counter and a change feed.
//
// Keys are slash-separated and kind-first ("restapi/{id}",
// "resource/{apiId}/{resourceId}"), so that listing by prefix returns exactly
// one kind of document for one parent, and deleting an API is a handful of
// prefix deletes inside one transaction.
//
// Implementations live in sub-packages (sqlite, and later postgres); all of
// them must pass the conformance suite in storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Implementations wrap them with %w; callers test with
// errors.Is.
var (
	// ErrNotFound: Get or Delete of a key that does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: Create of a key that already exists.
	ErrConflict = errors.New("store: key already exists")
	// ErrCompacted: Changes or Watch asked for revisions the feed no longer holds.
	ErrCompacted = errors.New("store: revision compacted")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrInvalidKey: a key that ValidateKey rejects was passed to a write.
	ErrInvalidKey = errors.New("store: invalid key")
	// ErrUnavailable: the database could not be reached (a server store
	// such as PostgreSQL is down, restarting or cut off). The operation
	// may be retried later; callers answer 503 rather than 500.
	ErrUnavailable = errors.New("store: database unavailable")
)

// ValidateKey reports whether key may be stored: it must be non-empty, valid
// UTF-8 and free of NUL bytes (which PostgreSQL text cannot hold). The error
// wraps ErrInvalidKey. Implementations call it on every key they write.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidKey, key)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("%w: %q contains a NUL byte", ErrInvalidKey, key)
	}
	return nil
}

// Item is one stored document.
type Item struct {
	// Key is the document's key (see ValidateKey).
	Key string
	// Value is the stored bytes, as written.
	Value []byte
	// Revision is the store revision of the transaction that last wrote Key.
	Revision int64
}

// Op says what a change did to its key.
type Op uint8

const (
	// OpPut: the key was created or replaced.
	OpPut Op = iota + 1
	// OpDelete: the key was deleted.
	OpDelete
)

// String returns "put", "delete" or "unknown", for logs and test failures.
func (o Op) String() string {
	switch o {
	case OpPut:
		return "put"
	case OpDelete:
		return "delete"
	}
	return "unknown"
}

// Change is one entry of the change feed. A transaction that writes n keys
// produces n changes that share one Revision: one per key, carrying the last
// op the transaction applied to it, in the order of each key's first write
// (DeletePrefix writes its keys in key order).
type Change struct {
	// Revision is the revision the transaction committed as (see
	// Store.Update: one per transaction that wrote anything).
	Revision int64
	// Op is the last op the transaction applied to Key.
	Op Op
	// Key is the key the transaction put or deleted.
	Key string
}

// ListOptions bounds a List call. Items are returned in ascending key order,
// comparing keys byte-wise (as Go compares strings).
type ListOptions struct {
	// After, when set, returns only keys strictly greater than After.
	After string
	// Limit caps the number of items; 0 means no limit. Negative is an error.
	Limit int
}

// Reader reads a consistent snapshot of the store. It is valid only until the
// function it was passed to returns.
type Reader interface {
	// Get returns the item at key or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) (Item, error)
	// List returns the items whose keys start with prefix, in key order.
	List(ctx context.Context, prefix string, opts ListOptions) ([]Item, error)
}

// Tx is a read-write transaction. Reads see the transaction's own writes,
// and an item written by the transaction carries the revision the transaction
// will commit as. A Tx stays usable after an operation fails with ErrNotFound
// or ErrConflict. It is valid only until the function it was passed to
// returns.
type Tx interface {
	Reader
	// Put creates or replaces key.
	Put(ctx context.Context, key string, value []byte) error
	// Create writes key and fails with ErrConflict if it exists.
	Create(ctx context.Context, key string, value []byte) error
	// Delete removes key and fails with ErrNotFound if it is absent.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every key starting with prefix and returns how many.
	DeletePrefix(ctx context.Context, prefix string) (int, error)
}

// Store is the configuration store.
type Store interface {
	// View runs fn against a consistent snapshot.
	View(ctx context.Context, fn func(Reader) error) error
	// Update runs fn in a serializable read-write transaction. If fn returns
	// an error nothing is written and that error is returned unchanged. On
	// success all writes become visible and durable at once, the store
	// revision advances by exactly one if anything was written, and that
	// revision is returned (the current revision if nothing was written).
	Update(ctx context.Context, fn func(Tx) error) (int64, error)
	// Revision returns the latest committed revision (0 for an empty store).
	Revision(ctx context.Context) (int64, error)
	// Changes returns up to limit changes with Revision > after, oldest first.
	// It fails with ErrCompacted if changes after `after` were discarded.
	//
	// A limit of 0 means no limit. A page holds whole revisions only, so the
	// last change's Revision can be passed as the next call's after without
	// skipping anything: a revision that does not fit is left for the next
	// page, except that a first revision with more than limit changes is
	// returned whole (the page is then longer than limit). A negative after
	// or limit is an error.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// Watch streams every change with Revision > after, including changes
	// committed by other processes sharing the store, until ctx ends. The
	// channel is closed when ctx ends or the feed fails (e.g. ErrCompacted);
	// Err on the returned Watcher tells which. If after is already
	// compacted, Watch may instead fail at once with ErrCompacted.
	Watch(ctx context.Context, after int64) (Watcher, error)
	// Close releases the store. Pending watchers are closed, their Err
	// reporting ErrClosed. Close is idempotent; every other method fails with
	// ErrClosed once it has been called.
	Close() error
}

// Watcher is a running subscription to the change feed.
type Watcher interface {
	// C delivers changes in revision order.
	C() <-chan Change
	// Err reports why C was closed (nil if ctx ended). It returns nil while
	// C is still open.
	Err() error
}
