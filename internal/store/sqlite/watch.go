package sqlite

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// watchPage is how many changes a watcher reads per query.
const watchPage = 256

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
// page by page, and sends each change on the unbuffered channel, so a slow
// consumer slows only its watcher, never Update. When it has caught up it
// waits for a commit of this Store or the poll interval (commits of other
// processes). If after is already compacted Watch fails at once with
// store.ErrCompacted; if the feed is compacted past a slow watcher later, its
// channel closes with Err reporting store.ErrCompacted.
func (s *Store) Watch(ctx context.Context, after int64) (store.Watcher, error) {
	if err := s.begin("watch"); err != nil {
		return nil, err
	}
	// Fail fast on a bad or compacted starting point.
	if err := s.checkAfter(ctx, after); err != nil {
		s.ops.Done()
		return nil, fmt.Errorf("sqlite: watch: %w", err)
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
			err = fmt.Errorf("sqlite: watch: %w", store.ErrClosed)
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

// checkAfter fails if after is negative or below the compaction floor.
func (s *Store) checkAfter(ctx context.Context, after int64) error {
	if after < 0 {
		return fmt.Errorf("after %d: negative revision", after)
	}
	var floor int64
	if err := s.rdb.QueryRowContext(ctx, `SELECT floor FROM meta WHERE id = 1`).Scan(&floor); err != nil {
		return fmt.Errorf("after %d: %w", after, err)
	}
	if after < floor {
		return fmt.Errorf("after %d: revisions up to %d were compacted: %w", after, floor, store.ErrCompacted)
	}
	return nil
}

// watch delivers the feed after cursor to out until ctx ends or reading the
// feed fails.
func (s *Store) watch(ctx context.Context, cursor int64, out chan<- store.Change) error {
	ticker := time.NewTicker(s.cfg.pollInterval)
	defer ticker.Stop()
	for {
		// Take the notification channel before reading, so that a commit
		// between the read and the wait is not missed.
		wake := s.notify.wait()
		page, err := s.changes(ctx, cursor, watchPage)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("sqlite: watch: %w", err)
		}
		for _, c := range page {
			select {
			case out <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(page) > 0 {
			// Pages end on revision boundaries.
			cursor = page[len(page)-1].Revision
			continue
		}
		select {
		case <-wake:
		case <-ticker.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
