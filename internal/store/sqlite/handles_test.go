package sqlite_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// TestTwoHandles: two Stores on one file see each other's data, and a
// watcher on one sees the other's commits through polling.
func TestTwoHandles(t *testing.T) {
	a, path := openTemp(t, sqlite.WithPollInterval(20*time.Millisecond))
	b := openPath(t, path, sqlite.WithPollInterval(20*time.Millisecond))

	wa, err := a.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Watch(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.Change
	for i := range 10 {
		s := a
		if i%2 == 1 {
			s = b
		}
		key := fmt.Sprintf("k/%d", i)
		rev := put(t, s, key, `1`)
		if rev != int64(i+1) {
			t.Fatalf("write %d through handle %d got revision %d, want %d", i, i%2, rev, i+1)
		}
		want = append(want, store.Change{Revision: rev, Op: store.OpPut, Key: key})
	}
	for name, w := range map[string]store.Watcher{"a": wa, "b": wb} {
		var got []store.Change
		timer := time.NewTimer(guard)
		for len(got) < len(want) {
			select {
			case c := <-w.C():
				got = append(got, c)
			case <-timer.C:
				t.Fatalf("watcher %s got %v within %v, want %v", name, got, guard, want)
			}
		}
		timer.Stop()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("watcher %s got %v, want %v", name, got, want)
		}
	}
	for name, s := range map[string]*sqlite.Store{"a": a, "b": b} {
		if rev, err := s.Revision(t.Context()); err != nil || rev != 10 {
			t.Errorf("handle %s: revision %d, %v; want 10", name, rev, err)
		}
	}
}

// TestConcurrentHandlesIncrement: writers on two handles serialize through
// SQLite's write lock and lose no update.
func TestConcurrentHandlesIncrement(t *testing.T) {
	a, path := openTemp(t)
	b := openPath(t, path)
	const each = 30
	done := make(chan error, 2)
	for _, s := range []*sqlite.Store{a, b} {
		go func() {
			for range each {
				_, err := s.Update(t.Context(), func(tx store.Tx) error {
					n := 0
					it, err := tx.Get(t.Context(), "n")
					if err == nil {
						_, err = fmt.Sscan(string(it.Value), &n)
					}
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					return tx.Put(t.Context(), "n", fmt.Appendf(nil, "%d", n+1))
				})
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	err := a.View(t.Context(), func(r store.Reader) error {
		it, err := r.Get(t.Context(), "n")
		if err == nil && string(it.Value) != fmt.Sprint(2*each) {
			err = fmt.Errorf("n = %s, want %d", it.Value, 2*each)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
