// Package storeutil holds what the store.Store implementations (sqlite,
// postgres) share beyond the store package's own helpers: the lifecycle
// of a Store (running operations, Close), the writer semaphore, the
// bookkeeping of a write transaction, the paging of the change feed and
// the watchers that follow it. What differs between the databases (their
// SQL, how a read fails, how often a watcher polls) is passed in.
package storeutil

import (
	"context"
	"fmt"
	"sync"

	"github.com/tollgate/tollgate/internal/store"
)

// Lifecycle tracks whether a Store is open and which of its operations,
// watchers and background goroutines are running, so that Close can stop
// and wait for them. The zero value is not usable; see NewLifecycle.
type Lifecycle struct {
	name string // prefix of errors: "sqlite", "postgres"

	// life is cancelled by Close, stopping watchers.
	life context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	closed bool
	ops    sync.WaitGroup // running operations, watchers and goroutines

	closeOnce sync.Once
	closeErr  error
}

// NewLifecycle returns the lifecycle of an open Store; name prefixes its
// errors ("sqlite: view: store: closed").
func NewLifecycle(name string) *Lifecycle {
	life, stop := context.WithCancel(context.Background())
	return &Lifecycle{name: name, life: life, stop: stop}
}

// Begin registers a running operation named op; the caller must call Done
// when it ends. It fails with store.ErrClosed once Close has been called.
func (l *Lifecycle) Begin(op string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("%s: %s: %w", l.name, op, store.ErrClosed)
	}
	l.ops.Add(1)
	return nil
}

// Done ends an operation registered by Begin.
func (l *Lifecycle) Done() { l.ops.Done() }

// Go runs f in a goroutine that Close waits for, such as a listener
// started by Open.
func (l *Lifecycle) Go(f func()) { l.ops.Go(f) }

// Context returns a context that Close cancels.
func (l *Lifecycle) Context() context.Context { return l.life }

// Close makes every later Begin fail, cancels Context (stopping the
// watchers, whose Err then reports store.ErrClosed), waits for running
// operations, watchers and goroutines to end and calls release to free
// the database. The first Close returns release's error, wrapped; a
// second Close waits for the first and returns nil.
func (l *Lifecycle) Close(release func() error) error {
	first := false
	l.closeOnce.Do(func() {
		first = true
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()

		l.stop()
		l.ops.Wait()
		if err := release(); err != nil {
			l.closeErr = fmt.Errorf("%s: close: %w", l.name, err)
		}
	})
	if !first {
		return nil
	}
	return l.closeErr
}

// WriteLock serialises the writers of a Store (Update, Compact); unlike
// a sync.Mutex, waiting for it honours the context. The zero value is
// not usable; see NewWriteLock.
type WriteLock chan struct{}

// NewWriteLock returns an unlocked WriteLock.
func NewWriteLock() WriteLock { return make(WriteLock, 1) }

// Lock acquires w, or fails with ctx's error if ctx ends first.
func (w WriteLock) Lock(ctx context.Context) error {
	select {
	case w <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock releases w.
func (w WriteLock) Unlock() { <-w }
