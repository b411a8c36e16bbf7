package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var lifecycleTests = []testCase{
	{"CloseIdempotent", testCloseIdempotent},
	{"OperationsAfterClose", testOperationsAfterClose},
	{"CloseStopsWatchers", testCloseStopsWatchers},
	{"CancelledContext", testCancelledContext},
	{"CancelDuringUpdate", testCancelDuringUpdate},
}

func testCloseIdempotent(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func testOperationsAfterClose(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	called := false
	if _, err := s.Update(ctx, func(store.Tx) error { called = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
	if called {
		t.Errorf("Update after Close ran fn")
	}
	if err := s.View(ctx, func(store.Reader) error { called = true; return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close: %v, want ErrClosed", err)
	}
	if called {
		t.Errorf("View after Close ran fn")
	}
	if _, err := s.Revision(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Revision after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Changes(ctx, 0, 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Changes after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Watch(ctx, 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Watch after Close: %v, want ErrClosed", err)
	}
}

func testCloseStopsWatchers(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	w1, _ := watch(t, s, 0)
	w2, _ := watch(t, s, 0)
	recv(t, w1, 1) // w1 is idle, w2 is blocked sending
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i, w := range []store.Watcher{w1, w2} {
		if err := waitClosed(t, w); !errors.Is(err, store.ErrClosed) {
			t.Errorf("watcher %d: Err after Close = %v, want ErrClosed", i+1, err)
		}
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	put(t, s, "a", `1`)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "b", doc(1)) }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context: %v, want context.Canceled", err)
	}
	if err := s.View(ctx, func(r store.Reader) error { _, err := r.Get(ctx, "a"); return err }); !errors.Is(err, context.Canceled) {
		t.Errorf("View with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Revision(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Revision with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Changes(ctx, 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Changes with a cancelled context: %v, want context.Canceled", err)
	}
	mustNotExist(t, s, "b")
	wantRevision(t, s, 1)
}

// testCancelDuringUpdate cancels the context after fn wrote but before the
// commit: the Update either fails and writes nothing, or succeeds and writes
// everything.
func testCancelDuringUpdate(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	rev, err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(ctx, "a", doc(1)); err != nil {
			return err
		}
		if err := tx.Put(ctx, "b", doc(1)); err != nil {
			return err
		}
		cancel()
		return nil
	})
	_, errA := getErr(t, s, "a")
	_, errB := getErr(t, s, "b")
	if err != nil {
		if errA == nil || errB == nil {
			t.Fatalf("Update failed (%v) but wrote a: %v, b: %v", err, errA, errB)
		}
		wantRevision(t, s, 0)
		return
	}
	if errA != nil || errB != nil || rev != 1 {
		t.Fatalf("Update succeeded at revision %d but a: %v, b: %v", rev, errA, errB)
	}
	wantRevision(t, s, 1)
}
