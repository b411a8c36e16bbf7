package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/storeutil"
)

// Watch implements store.Store. A goroutine reads the feed from after on,
// page by page, and sends each change on the unbuffered channel, so a slow
// consumer slows only its watcher, never Update. When it has caught up it
// waits for a commit of this Store or the poll interval (commits of other
// processes). If after is already compacted Watch fails at once with
// store.ErrCompacted; if the feed is compacted past a slow watcher later, its
// channel closes with Err reporting store.ErrCompacted.
func (s *Store) Watch(ctx context.Context, after int64) (store.Watcher, error) {
	// Fail fast on a bad or compacted starting point.
	check := func() error {
		if err := s.checkAfter(ctx, after); err != nil {
			return fmt.Errorf("sqlite: watch: %w", err)
		}
		return nil
	}
	return s.lc.Watch(ctx, check, func(ctx context.Context, out chan<- store.Change) error {
		return s.watch(ctx, after, out)
	})
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
	return storeutil.Follow(ctx, storeutil.Feed{
		Name: "sqlite",
		Read: s.changes,
		Wake: s.notify.Wait,
		Idle: func() <-chan time.Time { return ticker.C },
	}, cursor, out)
}
