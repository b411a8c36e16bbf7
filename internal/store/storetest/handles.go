package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

// RunHandles runs the two-handle cases: two Stores opened on the same data
// (two processes on one SQLite file, two gateways on one PostgreSQL
// database) must behave as one store. open returns two new handles on one
// new, empty store; RunHandles closes both when the test ends. A watcher's
// view of the other handle's commits may lag by the implementation's
// polling or notification delay, never by more than the suite's guard.
func RunHandles(t *testing.T, open func(t *testing.T) (a, b store.Store)) {
	cases := []struct {
		name string
		fn   func(t *testing.T, a, b store.Store)
	}{
		{"WatchersSeeBoth", testHandlesWatch},
		{"IncrementsLoseNoUpdate", testHandlesIncrement},
		{"GapFreeCommitOrder", testHandlesGapFree},
		{"CreateRace", testHandlesCreateRace},
		{"CloseOne", testHandlesCloseOne},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
			tc.fn(t, a, b)
		})
	}
}

// testHandlesWatch: writes alternate between the handles; a watcher on
// each sees every change, in order, with revisions 1, 2, ….
func testHandlesWatch(t *testing.T, a, b store.Store) {
	wa, _ := watch(t, a, 0)
	wb, _ := watch(t, b, 0)
	var want []store.Change
	for i := range 10 {
		s := []store.Store{a, b}[i%2]
		key := fmt.Sprintf("k/%d", i)
		rev := put(t, s, key, `1`)
		if rev != int64(i+1) {
			t.Fatalf("write %d through handle %d got revision %d, want %d", i, i%2, rev, i+1)
		}
		want = append(want, change(rev, store.OpPut, key))
	}
	wantChanges(t, "watcher on a", recv(t, wa, len(want)), want)
	wantChanges(t, "watcher on b", recv(t, wb, len(want)), want)
	for i, s := range []store.Store{a, b} {
		if rev := revision(t, s); rev != 10 {
			t.Errorf("handle %d: revision %d, want 10", i, rev)
		}
	}
}

// testHandlesIncrement: read-modify-write Updates on both handles at once
// lose no update.
func testHandlesIncrement(t *testing.T, a, b store.Store) {
	const each = 30
	var wg sync.WaitGroup
	for i, s := range []store.Store{a, b, a, b} {
		wg.Go(func() {
			for n := range each {
				if err := increment(t.Context(), s, "counter"); err != nil {
					t.Errorf("writer %d: increment %d: %v", i, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, s := range []store.Store{a, b} {
		if it := get(t, s, "counter"); string(it.Value) != fmt.Sprintf(`{"n":%d}`, 4*each) || it.Revision != 4*each {
			t.Fatalf("handle %d: counter %s at revision %d, want n=%d at %d", i, it.Value, it.Revision, 4*each, 4*each)
		}
	}
}

// testHandlesGapFree: concurrent writers on both handles get revisions
// 1…n with no gap and no repeat, each revision holding exactly its own
// transaction's keys, and both handles (and a watcher on each) agree on
// the feed.
func testHandlesGapFree(t *testing.T, a, b store.Store) {
	const writers, each = 4, 15
	wa, _ := watch(t, a, 0)
	wb, _ := watch(t, b, 0)
	var mu sync.Mutex
	byRev := map[int64]string{} // revision -> writer/index that got it
	var wg sync.WaitGroup
	for w := range writers {
		s := []store.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				tag := fmt.Sprintf("w%d/%02d", w, i)
				rev, err := s.Update(t.Context(), func(tx store.Tx) error {
					if err := tx.Put(t.Context(), tag+"/x", doc(i)); err != nil {
						return err
					}
					return tx.Put(t.Context(), tag+"/y", doc(i))
				})
				if err != nil {
					t.Errorf("%s: %v", tag, err)
					return
				}
				mu.Lock()
				if prev, dup := byRev[rev]; dup {
					t.Errorf("revision %d returned to both %s and %s", rev, prev, tag)
				}
				byRev[rev] = tag
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	const n = writers * each
	if len(byRev) != n {
		t.Fatalf("%d distinct revisions for %d Updates", len(byRev), n)
	}
	feed := changes(t, a, 0)
	if len(feed) != 2*n {
		t.Fatalf("%d changes, want %d", len(feed), 2*n)
	}
	for i, c := range feed {
		rev := int64(i/2 + 1)
		tag, ok := byRev[rev]
		suffix := []string{"/x", "/y"}[i%2]
		if !ok || c != change(rev, store.OpPut, tag+suffix) {
			t.Fatalf("change %d = %v; revision %d was returned to %q", i, c, rev, tag)
		}
	}
	wantChanges(t, "Changes through b", changes(t, b, 0), feed)
	wantChanges(t, "watcher on a", recv(t, wa, len(feed)), feed)
	wantChanges(t, "watcher on b", recv(t, wb, len(feed)), feed)
}

// testHandlesCreateRace: Creates of one key through both handles at once:
// exactly one wins.
func testHandlesCreateRace(t *testing.T, a, b store.Store) {
	const workers = 8
	var won, conflicted atomic.Int32
	var wg sync.WaitGroup
	for g := range workers {
		s := []store.Store{a, b}[g%2]
		wg.Go(func() {
			_, err := s.Update(t.Context(), func(tx store.Tx) error {
				return tx.Create(t.Context(), "once", doc(g))
			})
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, store.ErrConflict):
				conflicted.Add(1)
			default:
				t.Errorf("worker %d: %v", g, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || conflicted.Load() != workers-1 {
		t.Fatalf("%d Creates won and %d conflicted, want 1 and %d", won.Load(), conflicted.Load(), workers-1)
	}
	wantRevision(t, a, 1)
	wantRevision(t, b, 1)
}

// testHandlesCloseOne: closing one handle leaves the other, and its
// watcher, working.
func testHandlesCloseOne(t *testing.T, a, b store.Store) {
	wb, _ := watch(t, b, 0)
	r1 := put(t, a, "a", `1`)
	if err := a.Close(); err != nil {
		t.Fatalf("close a: %v", err)
	}
	r2 := put(t, b, "b", `2`)
	wantChanges(t, "watcher on b", recv(t, wb, 2), []store.Change{
		change(r1, store.OpPut, "a"),
		change(r2, store.OpPut, "b"),
	})
	if _, err := a.Revision(t.Context()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("closed handle: %v, want ErrClosed", err)
	}
	if got := keys(list(t, b, "", store.ListOptions{})); strings.Join(got, ",") != "a,b" {
		t.Fatalf("keys through b: %q", got)
	}
}
