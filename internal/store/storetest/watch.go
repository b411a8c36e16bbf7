package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var watchTests = []testCase{
	{"FromZero", testWatchFromZero},
	{"FromMiddle", testWatchFromMiddle},
	{"FromLatest", testWatchFromLatest},
	{"NothingExtra", testWatchNothingExtra},
	{"SlowConsumerDoesNotBlockUpdate", testWatchSlowConsumer},
	{"ConcurrentWriters", testWatchConcurrentWriters},
	{"ManyWatchers", testWatchManyWatchers},
	{"CancelClosesChannel", testWatchCancel},
}

func testWatchFromZero(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	w, _ := watch(t, s, 0)
	wantChanges(t, "history", recv(t, w, len(all)), all)

	// Then live changes.
	rev := put(t, s, "live/1", `1`, "live/2", `2`)
	wantChanges(t, "live", recv(t, w, 2), []store.Change{
		change(rev, store.OpPut, "live/1"),
		change(rev, store.OpPut, "live/2"),
	})
}

func testWatchFromMiddle(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	w, _ := watch(t, s, 2)
	wantChanges(t, "after 2", recv(t, w, len(all)-4), all[4:])
}

func testWatchFromLatest(t *testing.T, s store.Store) {
	writeFeed(t, s)
	w, _ := watch(t, s, revision(t, s))
	rev := put(t, s, "next", `1`)
	wantChanges(t, "next", recv(t, w, 1), []store.Change{change(rev, store.OpPut, "next")})
}

// testWatchNothingExtra checks that a watcher delivers each change once: after
// the expected changes, the next one it delivers is the next commit's.
func testWatchNothingExtra(t *testing.T, s store.Store) {
	all := writeFeed(t, s)
	w, _ := watch(t, s, 0)
	recv(t, w, len(all))
	for i := range 3 {
		rev := put(t, s, fmt.Sprintf("n/%d", i), `1`)
		wantChanges(t, "commit "+itoa(rev), recv(t, w, 1), []store.Change{change(rev, store.OpPut, fmt.Sprintf("n/%d", i))})
	}
}

func testWatchSlowConsumer(t *testing.T, s store.Store) {
	w, _ := watch(t, s, 0)
	const n = 50
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			if _, err := s.Update(t.Context(), func(tx store.Tx) error {
				return tx.Put(t.Context(), fmt.Sprintf("k/%03d", i), doc(i))
			}); err != nil {
				t.Errorf("update %d: %v", i, err)
				return
			}
		}
	}()
	// Nobody reads the watcher until every Update has returned.
	wait(t, "updates while the watcher is not read", done)
	got := recv(t, w, n)
	for i, c := range got {
		if want := change(int64(i+1), store.OpPut, fmt.Sprintf("k/%03d", i)); c != want {
			t.Fatalf("change %d = %v, want %v", i, c, want)
		}
	}
}

func testWatchConcurrentWriters(t *testing.T, s store.Store) {
	const writers, perWriter = 4, 25
	w, _ := watch(t, s, 0)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if _, err := s.Update(t.Context(), func(tx store.Tx) error {
					if err := tx.Put(t.Context(), fmt.Sprintf("w%d/%d/a", g, i), doc(i)); err != nil {
						return err
					}
					return tx.Put(t.Context(), fmt.Sprintf("w%d/%d/b", g, i), doc(i))
				}); err != nil {
					t.Errorf("writer %d: update %d: %v", g, i, err)
					return
				}
			}
		})
	}
	got := recv(t, w, 2*writers*perWriter)
	wg.Wait()
	wantChanges(t, "watched vs Changes", got, changes(t, s, 0))
	for i, c := range got {
		if want := int64(i/2 + 1); c.Revision != want {
			t.Fatalf("change %d has revision %d, want %d: %v", i, c.Revision, want, got)
		}
	}
}

func testWatchManyWatchers(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	ws := []store.Watcher{}
	for range 3 {
		w, _ := watch(t, s, 0)
		ws = append(ws, w)
	}
	put(t, s, "b", `1`)
	put(t, s, "c", `1`)
	want := changes(t, s, 0)
	for i, w := range ws {
		wantChanges(t, "watcher "+itoa(int64(i)), recv(t, w, len(want)), want)
	}
}

func testWatchCancel(t *testing.T, s store.Store) {
	put(t, s, "a", `1`, "b", `2`)
	w, cancel := watch(t, s, 0)
	recv(t, w, 1)
	cancel()
	if err := waitClosed(t, w); err != nil {
		t.Fatalf("Err after cancel = %v, want nil", err)
	}
	// An already-cancelled context: the watcher closes (or Watch fails).
	ctx, cancel2 := context.WithCancel(t.Context())
	cancel2()
	w2, err := s.Watch(ctx, 0)
	if err == nil {
		if err := waitClosed(t, w2); err != nil {
			t.Fatalf("Err of a watcher on a cancelled context = %v, want nil", err)
		}
	}
	// The store still works.
	put(t, s, "c", `3`)
}
