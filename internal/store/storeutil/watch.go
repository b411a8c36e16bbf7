package storeutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// watchPage is how many changes a watcher reads per query.
const watchPage = 256

// Backoff bounds of retried reads and reconnects.
const (
	MinBackoff = 50 * time.Millisecond
	MaxBackoff = 5 * time.Second
)

// Notifier wakes every waiter at once: Wait returns a channel that the
// next Broadcast closes. The zero value is not usable; see NewNotifier.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewNotifier returns a Notifier with no broadcast pending.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Wait returns the channel the next Broadcast closes.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Broadcast wakes everyone waiting.
func (n *Notifier) Broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}

// watcher implements store.Watcher.
type watcher struct {
	ch chan store.Change

	mu  sync.Mutex
	err error
}

// C implements store.Watcher.
func (w *watcher) C() <-chan store.Change { return w.ch }

// Err implements store.Watcher.
func (w *watcher) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Watch implements store.Store.Watch as an operation of l: check runs
// first and, if it fails (a bad or compacted starting point), Watch
// returns its error. Otherwise a goroutine runs follow, which sends
// changes on the unbuffered channel it is given until its context ends
// (ctx ended or l was closed) or the feed fails. The watcher's Err then
// reports nil if ctx ended, store.ErrClosed if l was closed, else
// follow's error.
func (l *Lifecycle) Watch(ctx context.Context, check func() error, follow func(ctx context.Context, out chan<- store.Change) error) (store.Watcher, error) {
	if err := l.Begin("watch"); err != nil {
		return nil, err
	}
	if err := check(); err != nil {
		l.Done()
		return nil, err
	}
	w := &watcher{ch: make(chan store.Change)}
	wctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(l.life, cancel)
	go func() {
		defer l.Done()
		defer cancel()
		defer stopOnClose()
		err := follow(wctx, w.ch)
		switch {
		case l.life.Err() != nil:
			err = fmt.Errorf("%s: watch: %w", l.name, store.ErrClosed)
		case ctx.Err() != nil:
			err = nil
		}
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(w.ch)
	}()
	return w, nil
}

// Feed is a Store's change feed as Follow reads it.
type Feed struct {
	// Name prefixes errors ("sqlite: watch: …").
	Name string
	// Read returns a page of at most limit changes after after, whole
	// revisions only (see store.Store.Changes).
	Read func(ctx context.Context, after int64, limit int) ([]store.Change, error)
	// Wake returns a channel closed by the next commit seen (see
	// Notifier.Wait).
	Wake func() <-chan struct{}
	// Idle returns a channel that fires when a watcher that has caught
	// up and was not woken should read the feed again.
	Idle func() <-chan time.Time
	// Retry makes a failed read other than store.ErrCompacted retried
	// with backoff from the same cursor, and logged to Logger, instead of
	// ending the watcher.
	Retry bool
	// Logger receives the retries (with Retry only).
	Logger *slog.Logger
	// Desc names the store in Logger's records.
	Desc string
}

// Follow delivers the feed after cursor to out until ctx ends or the feed
// fails: always when it is compacted past the cursor, and on any failed
// read unless f.Retry. Each page is sent change by change, so a slow
// consumer slows only its watcher. Once caught up it waits for f.Wake or
// f.Idle.
func Follow(ctx context.Context, f Feed, cursor int64, out chan<- store.Change) error {
	backoff := time.Duration(0)
	for {
		// Take the notification channel before reading, so that a commit
		// between the read and the wait is not missed.
		wake := f.Wake()
		page, err := f.Read(ctx, cursor, watchPage)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err == nil:
		case f.Retry && !errors.Is(err, store.ErrCompacted):
			backoff = NextBackoff(backoff)
			f.Logger.Warn("store watcher: reading the change feed failed; retrying",
				"store", f.Desc, "after", cursor, "retry_in", backoff, "err", err)
			if !Sleep(ctx, backoff) {
				return ctx.Err()
			}
			continue
		default:
			return fmt.Errorf("%s: watch: %w", f.Name, err)
		}
		if backoff > 0 {
			f.Logger.Info("store watcher: reading the change feed again", "store", f.Desc, "after", cursor)
			backoff = 0
		}
		for _, c := range page {
			select {
			case out <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(page) > 0 {
			cursor = page[len(page)-1].Revision // pages end on revision boundaries
			continue
		}
		select {
		case <-wake:
		case <-f.Idle():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// NextBackoff doubles d within [MinBackoff, MaxBackoff].
func NextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, MinBackoff), MaxBackoff)
}

// Sleep waits d or until ctx ends; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
