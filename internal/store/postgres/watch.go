package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// watchPage is how many changes a watcher reads per query.
const watchPage = 256

// Backoff bounds of the listener's reconnects and watchers' retries.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// notifier wakes every waiter at once: wait returns a channel that the next
// broadcast closes.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
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

// Watch implements store.Store. A goroutine reads the feed from after on,
// page by page, and sends each change on the unbuffered channel, so a
// slow consumer slows only its watcher, never Update. When it has caught
// up it waits for a commit: one of this Store's, a notification of
// another's, or the poll interval. A read that fails (the database is
// restarting, a connection broke) is retried with backoff from the same
// cursor, so nothing is skipped or repeated. If after is already
// compacted Watch fails at once with store.ErrCompacted; if the feed is
// compacted past a slow watcher later, its channel closes with Err
// reporting store.ErrCompacted.
func (s *Store) Watch(ctx context.Context, after int64) (store.Watcher, error) {
	if err := s.begin("watch"); err != nil {
		return nil, err
	}
	if after < 0 {
		s.ops.Done()
		return nil, fmt.Errorf("postgres: watch after %d: negative revision", after)
	}
	// Fail fast on a compacted starting point.
	if _, err := s.changes(ctx, after, 1); errors.Is(err, store.ErrCompacted) {
		s.ops.Done()
		return nil, fmt.Errorf("postgres: watch: %w", err)
	}
	w := &watcher{ch: make(chan store.Change)}
	wctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.life, cancel)
	go func() {
		defer s.ops.Done()
		defer cancel()
		defer stopOnClose()
		err := s.watch(wctx, after, w.ch)
		switch {
		case s.life.Err() != nil:
			err = fmt.Errorf("postgres: watch: %w", store.ErrClosed)
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

// watch delivers the feed after cursor to out until ctx ends or the feed
// is compacted past the cursor.
func (s *Store) watch(ctx context.Context, cursor int64, out chan<- store.Change) error {
	backoff := time.Duration(0)
	for {
		// Take the notification channel before reading, so that a commit
		// between the read and the wait is not missed.
		wake := s.notify.wait()
		page, err := s.changes(ctx, cursor, watchPage)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, store.ErrCompacted):
			return fmt.Errorf("postgres: watch: %w", err)
		case err != nil:
			backoff = nextBackoff(backoff)
			s.logger().Warn("store watcher: reading the change feed failed; retrying",
				"store", s.desc, "after", cursor, "retry_in", backoff, "err", err)
			if !sleep(ctx, backoff) {
				return ctx.Err()
			}
			continue
		}
		if backoff > 0 {
			s.logger().Info("store watcher: reading the change feed again", "store", s.desc, "after", cursor)
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
		poll := s.cfg.safetyPoll
		if !s.listening.Load() {
			poll = s.cfg.pollInterval
		}
		timer := time.NewTimer(poll)
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
		timer.Stop()
	}
}

// nextBackoff doubles d within [minBackoff, maxBackoff].
func nextBackoff(d time.Duration) time.Duration {
	return min(max(2*d, minBackoff), maxBackoff)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
