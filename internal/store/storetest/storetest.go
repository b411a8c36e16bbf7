// Package storetest is the conformance suite of store.Store: every
// implementation runs Run against fresh stores of its own.
//
// The suite tests only behaviour the store package defines. It is
// deterministic: it never asserts on durations, and its timeouts only guard
// against hangs.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

// guard bounds every wait of the suite; reaching it is a failure, not a
// measurement.
const guard = 30 * time.Second

// Run runs the conformance suite. open must return a new, empty store for
// the calling test; Run closes it when the test ends (Close is idempotent, so
// open may register its own Close as well).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"KV", kvTests},
		{"List", listTests},
		{"Tx", txTests},
		{"Update", updateTests},
		{"Changes", changesTests},
		{"Watch", watchTests},
		{"Concurrency", concurrencyTests},
		{"Lifecycle", lifecycleTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.cases {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() { _ = s.Close() })
					tc.fn(t, s)
				})
			}
		})
	}
}

// testCase is one conformance test, run against a fresh store.
type testCase struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// errBoom is returned by transaction functions that must roll back.
var errBoom = errors.New("storetest: boom")

// doc returns a small JSON document holding n.
func doc(n int) []byte { return fmt.Appendf(nil, `{"n":%d}`, n) }

// put writes key/value pairs (alternating) in one Update and returns its
// revision.
func put(t *testing.T, s store.Store, kv ...string) int64 {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("put: odd number of arguments")
	}
	rev, err := s.Update(t.Context(), func(tx store.Tx) error {
		for i := 0; i < len(kv); i += 2 {
			if err := tx.Put(t.Context(), kv[i], []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put %q: %v", kv, err)
	}
	return rev
}

// update runs fn in an Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) int64 {
	t.Helper()
	rev, err := s.Update(t.Context(), func(tx store.Tx) error { return fn(t.Context(), tx) })
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	return rev
}

// get reads key in a View, failing the test on error.
func get(t *testing.T, s store.Store, key string) store.Item {
	t.Helper()
	it, err := getErr(t, s, key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	return it
}

// getErr reads key in a View.
func getErr(t *testing.T, s store.Store, key string) (store.Item, error) {
	t.Helper()
	var it store.Item
	err := s.View(t.Context(), func(r store.Reader) error {
		var err error
		it, err = r.Get(t.Context(), key)
		return err
	})
	return it, err
}

// mustNotExist fails unless key is absent.
func mustNotExist(t *testing.T, s store.Store, key string) {
	t.Helper()
	if it, err := getErr(t, s, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get %q = %q, %v; want ErrNotFound", key, it.Value, err)
	}
}

// list lists prefix in a View, failing the test on error.
func list(t *testing.T, s store.Store, prefix string, opts store.ListOptions) []store.Item {
	t.Helper()
	var items []store.Item
	err := s.View(t.Context(), func(r store.Reader) error {
		var err error
		items, err = r.List(t.Context(), prefix, opts)
		return err
	})
	if err != nil {
		t.Fatalf("list %q %+v: %v", prefix, opts, err)
	}
	return items
}

// keys returns the keys of items.
func keys(items []store.Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// wantKeys fails unless got holds exactly want, in order.
func wantKeys(t *testing.T, what string, got []store.Item, want ...string) {
	t.Helper()
	if g := keys(got); !slices.Equal(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Fatalf("%s: keys %q, want %q", what, g, want)
	}
}

// revision returns the store revision, failing the test on error.
func revision(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(t.Context())
	if err != nil {
		t.Fatalf("revision: %v", err)
	}
	return rev
}

// wantRevision fails unless the store revision is want.
func wantRevision(t *testing.T, s store.Store, want int64) {
	t.Helper()
	if got := revision(t, s); got != want {
		t.Fatalf("revision = %d, want %d", got, want)
	}
}

// changes returns the whole feed after after, failing the test on error.
func changes(t *testing.T, s store.Store, after int64) []store.Change {
	t.Helper()
	cs, err := s.Changes(t.Context(), after, 0)
	if err != nil {
		t.Fatalf("changes after %d: %v", after, err)
	}
	return cs
}

// wantChanges fails unless got equals want.
func wantChanges(t *testing.T, what string, got, want []store.Change) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// watch starts a watcher after after, cancelled when the test ends.
func watch(t *testing.T, s store.Store, after int64) (store.Watcher, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	w, err := s.Watch(ctx, after)
	if err != nil {
		t.Fatalf("watch after %d: %v", after, err)
	}
	return w, cancel
}

// recv receives n changes from w.
func recv(t *testing.T, w store.Watcher, n int) []store.Change {
	t.Helper()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	out := make([]store.Change, 0, n)
	for len(out) < n {
		select {
		case c, ok := <-w.C():
			if !ok {
				t.Fatalf("watch channel closed after %d of %d changes (err %v): %v", len(out), n, w.Err(), out)
			}
			out = append(out, c)
		case <-timer.C:
			t.Fatalf("watch: got %d of %d changes within %v: %v", len(out), n, guard, out)
		}
	}
	return out
}

// waitClosed drains w until its channel closes and returns Err.
func waitClosed(t *testing.T, w store.Watcher) error {
	t.Helper()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-w.C():
			if !ok {
				return w.Err()
			}
		case <-timer.C:
			t.Fatalf("watch channel not closed within %v", guard)
		}
	}
}

// wait waits for done, failing the test after the guard timeout.
func wait(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(guard):
		t.Fatalf("%s: not done within %v", what, guard)
	}
}

// change builds a store.Change.
func change(rev int64, op store.Op, key string) store.Change {
	return store.Change{Revision: rev, Op: op, Key: key}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
