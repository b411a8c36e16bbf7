package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

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
	check := func() error {
		if after < 0 {
			return fmt.Errorf("postgres: watch after %d: negative revision", after)
		}
		// Fail fast on a compacted starting point.
		if _, err := s.changes(ctx, after, 1); errors.Is(err, store.ErrCompacted) {
			return fmt.Errorf("postgres: watch: %w", err)
		}
		return nil
	}
	return s.lc.Watch(ctx, check, func(ctx context.Context, out chan<- store.Change) error {
		return s.watch(ctx, after, out)
	})
}

// watch delivers the feed after cursor to out until ctx ends or the feed
// is compacted past the cursor.
func (s *Store) watch(ctx context.Context, cursor int64, out chan<- store.Change) error {
	return storeutil.Follow(ctx, storeutil.Feed{
		Name:   "postgres",
		Read:   s.changes,
		Wake:   s.notify.Wait,
		Idle:   s.idle,
		Retry:  true,
		Logger: s.logger(),
		Desc:   s.desc,
	}, cursor, out)
}

// idle returns a channel that fires when a watcher that has caught up
// should read the feed again unwoken: after the safety poll while the
// listening connection is up, the poll interval while it is down.
func (s *Store) idle() <-chan time.Time {
	poll := s.cfg.safetyPoll
	if !s.listening.Load() {
		poll = s.cfg.pollInterval
	}
	return time.After(poll)
}
