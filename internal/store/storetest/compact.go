package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// Compacting is a Store whose change feed can be compacted on demand.
type Compacting interface {
	store.Store
	// Compact discards the change feed except its last keepRevisions
	// revisions, never lowering the compaction floor; a negative
	// keepRevisions is an error.
	Compact(ctx context.Context, keepRevisions int64) error
}

// OpenCompacting returns a new, empty store that compacts automatically
// after each commit, keeping keep revisions (0: only on Compact).
type OpenCompacting func(t *testing.T, keep int64) Compacting

// RunCompaction runs the compaction cases: ErrCompacted below the floor,
// automatic compaction, and a watcher overtaken by compaction.
func RunCompaction(t *testing.T, open OpenCompacting) {
	t.Run("Compact", func(t *testing.T) { testCompact(t, open) })
	t.Run("AutoCompact", func(t *testing.T) { testAutoCompact(t, open) })
	t.Run("WatchCompactedWhileBehind", func(t *testing.T) { testWatchCompactedWhileBehind(t, open) })
}

func testCompact(t *testing.T, open OpenCompacting) {
	s := open(t, 0)
	for i := range 10 {
		put(t, s, fmt.Sprintf("k/%d", i%3), `1`)
	}
	if err := s.Compact(t.Context(), 4); err != nil {
		t.Fatal(err)
	}
	// The floor is 6: after >= 6 works, after < 6 is compacted.
	for after := int64(0); after <= 10; after++ {
		cs, err := s.Changes(t.Context(), after, 0)
		if after < 6 {
			if !errors.Is(err, store.ErrCompacted) {
				t.Errorf("changes after %d: %v, want ErrCompacted", after, err)
			}
			continue
		}
		if err != nil || len(cs) != int(10-after) {
			t.Errorf("changes after %d = %v, %v; want %d changes", after, cs, err, 10-after)
		}
	}
	if _, err := s.Watch(t.Context(), 5); !errors.Is(err, store.ErrCompacted) {
		t.Errorf("watch after 5: %v, want ErrCompacted", err)
	}
	// Compact never lowers the floor.
	if err := s.Compact(t.Context(), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Changes(t.Context(), 5, 0); !errors.Is(err, store.ErrCompacted) {
		t.Errorf("changes after 5 following Compact(100): %v, want ErrCompacted", err)
	}
	// Compact(0) empties the feed; the data stays.
	if err := s.Compact(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Changes(t.Context(), 10, 0); err != nil || len(cs) != 0 {
		t.Errorf("changes after 10 = %v, %v; want none", cs, err)
	}
	if _, err := s.Changes(t.Context(), 9, 0); !errors.Is(err, store.ErrCompacted) {
		t.Errorf("changes after 9: %v, want ErrCompacted", err)
	}
	if err := s.Compact(t.Context(), -1); err == nil {
		t.Errorf("Compact(-1) succeeded")
	}
	err := s.View(t.Context(), func(r store.Reader) error {
		items, err := r.List(t.Context(), "k/", store.ListOptions{})
		if err == nil && len(items) != 3 {
			err = fmt.Errorf("%d items after compaction, want 3", len(items))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testAutoCompact(t *testing.T, open OpenCompacting) {
	const keep = 20
	s := open(t, keep)
	for i := range 100 {
		put(t, s, fmt.Sprintf("k/%d", i), `1`)
		// The feed always holds at least the last keep revisions.
		if _, err := s.Changes(t.Context(), max(0, int64(i+1)-keep), 0); err != nil {
			t.Fatalf("after revision %d: changes of the last %d revisions: %v", i+1, keep, err)
		}
	}
	if _, err := s.Changes(t.Context(), 0, 0); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("changes after 0 with 100 revisions and keep %d: %v, want ErrCompacted", keep, err)
	}
}

// testWatchCompactedWhileBehind: a watcher that falls behind the compaction
// floor closes with ErrCompacted rather than skipping changes.
func testWatchCompactedWhileBehind(t *testing.T, open OpenCompacting) {
	s := open(t, 0)
	put(t, s, "a", `1`)
	put(t, s, "b", `1`)
	w, err := s.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	// The watcher holds its first page (revisions 1 and 2); write more and
	// compact everything, so that its next page is gone.
	select {
	case c := <-w.C():
		if c.Revision != 1 {
			t.Fatalf("first change %v", c)
		}
	case <-time.After(guard):
		t.Fatal("no change")
	}
	put(t, s, "c", `1`)
	put(t, s, "d", `1`)
	if err := s.Compact(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	var got []store.Change
	timer := time.NewTimer(guard)
	defer timer.Stop()
	for {
		select {
		case c, ok := <-w.C():
			if ok {
				got = append(got, c)
				continue
			}
			// Revision 2 was in the watcher's first page; revisions 3 and 4
			// were compacted before it could read them.
			if len(got) > 1 || (len(got) == 1 && got[0].Revision != 2) {
				t.Fatalf("watcher delivered %v after compaction", got)
			}
			if !errors.Is(w.Err(), store.ErrCompacted) {
				t.Fatalf("Err = %v, want ErrCompacted", w.Err())
			}
			return
		case <-timer.C:
			t.Fatalf("watcher behind the floor did not close; got %v", got)
		}
	}
}
