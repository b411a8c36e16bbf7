// Package faultstore wraps a real store.Store and makes chosen operations
// fail on demand, so that tests can check how the store's users (the
// change-feed followers above all) behave when the store errs and recover
// when it heals. Everything not failed goes to the real store.
package faultstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/tollgate/tollgate/internal/store"
)

// Op names a store operation that can be made to fail.
type Op string

// The operations of store.Store.
const (
	View     Op = "view"
	Update   Op = "update"
	Revision Op = "revision"
	Changes  Op = "changes"
	Watch    Op = "watch"
)

// Store is a store.Store whose operations fail while a fault is set.
type Store struct {
	store.Store

	mu      sync.Mutex
	faults  map[Op]error
	watches map[*watcher]struct{}
}

var _ store.Store = (*Store)(nil)

// Wrap returns s with no faults set.
func Wrap(s store.Store) *Store {
	return &Store{Store: s, faults: map[Op]error{}, watches: map[*watcher]struct{}{}}
}

// Fail makes every later call of op fail with an error wrapping err, until
// Heal. Watchers already running are not affected (see BreakWatches).
func (s *Store) Fail(op Op, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = err
}

// Heal clears the faults of ops, or every fault when none is named.
func (s *Store) Heal(ops ...Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ops) == 0 {
		clear(s.faults)
	}
	for _, op := range ops {
		delete(s.faults, op)
	}
}

// BreakWatches ends every running watcher as a failing change feed does:
// its channel closes and its Err reports an error wrapping err.
func (s *Store) BreakWatches(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.watches {
		w.breakWith(err)
		delete(s.watches, w)
	}
}

func (s *Store) fault(op Op) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.faults[op]; err != nil {
		return fmt.Errorf("faultstore: %s: %w", op, err)
	}
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := s.fault(View); err != nil {
		return err
	}
	return s.Store.View(ctx, fn)
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	if err := s.fault(Update); err != nil {
		return 0, err
	}
	return s.Store.Update(ctx, fn)
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := s.fault(Revision); err != nil {
		return 0, err
	}
	return s.Store.Revision(ctx)
}

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	if err := s.fault(Changes); err != nil {
		return nil, err
	}
	return s.Store.Changes(ctx, after, limit)
}

// Watch implements store.Store: the real store's feed, relayed so that
// BreakWatches can end it.
func (s *Store) Watch(ctx context.Context, after int64) (store.Watcher, error) {
	if err := s.fault(Watch); err != nil {
		return nil, err
	}
	ictx, cancel := context.WithCancel(ctx)
	inner, err := s.Store.Watch(ictx, after)
	if err != nil {
		cancel()
		return nil, err
	}
	w := &watcher{ch: make(chan store.Change), broken: make(chan struct{})}
	s.mu.Lock()
	s.watches[w] = struct{}{}
	s.mu.Unlock()
	go func() {
		defer cancel()
		err := w.relay(ctx, inner)
		if err == nil {
			err = inner.Err()
		}
		if ctx.Err() != nil {
			err = nil // the caller's context ended: not a failure
		}
		s.mu.Lock()
		delete(s.watches, w)
		s.mu.Unlock()
		w.mu.Lock()
		w.done = err
		w.mu.Unlock()
		close(w.ch)
	}()
	return w, nil
}

// watcher relays a real watcher's changes until it ends or is broken.
type watcher struct {
	ch     chan store.Change
	broken chan struct{}
	once   sync.Once
	cause  error // set before broken is closed

	mu   sync.Mutex
	done error
}

func (w *watcher) breakWith(err error) {
	w.once.Do(func() {
		w.cause = fmt.Errorf("faultstore: watch: %w", err)
		close(w.broken)
	})
}

// relay forwards changes until the inner feed closes (nil: the caller
// reads inner.Err) or the watcher is broken (the break's error).
func (w *watcher) relay(ctx context.Context, inner store.Watcher) error {
	for {
		select {
		case <-w.broken:
			return w.cause
		case ch, ok := <-inner.C():
			if !ok {
				return nil
			}
			select {
			case w.ch <- ch:
			case <-w.broken:
				return w.cause
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// C implements store.Watcher.
func (w *watcher) C() <-chan store.Change { return w.ch }

// Err implements store.Watcher.
func (w *watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}
