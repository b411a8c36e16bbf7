package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
)

var updateTests = []testCase{
	{"PanicReleasesWriter", testPanicInUpdateReleasesWriter},
	{"TxUnusableAfterUpdate", testTxUnusableAfterUpdate},
	{"QueuedUpdateHonoursContext", testUpdateWaitHonoursContext},
}

func testPanicInUpdateReleasesWriter(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic not propagated")
			}
		}()
		_, _ = s.Update(t.Context(), func(tx store.Tx) error {
			_ = tx.Put(t.Context(), "a", []byte(`1`))
			panic("boom")
		})
	}()
	if rev := put(t, s, "b", `1`); rev != 1 {
		t.Fatalf("revision after a panicking Update = %d, want 1", rev)
	}
}

func testTxUnusableAfterUpdate(t *testing.T, s store.Store) {
	var kept store.Tx
	if _, err := s.Update(t.Context(), func(tx store.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.Put(t.Context(), "a", []byte(`1`)); err == nil {
		t.Fatal("Put on a finished Tx succeeded")
	}
	if _, err := kept.Get(t.Context(), "a"); err == nil {
		t.Fatal("Get on a finished Tx succeeded")
	}
}

// testUpdateWaitHonoursContext: an Update queued behind another returns when
// its context ends, without running fn.
func testUpdateWaitHonoursContext(t *testing.T, s store.Store) {
	holding, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := s.Update(t.Context(), func(tx store.Tx) error {
			close(holding)
			<-release
			return tx.Put(t.Context(), "a", []byte(`1`))
		})
		first <- err
	}()
	<-holding
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()

	ctx, cancel := context.WithCancel(t.Context())
	second := make(chan error, 1)
	called := false
	go func() {
		_, err := s.Update(ctx, func(tx store.Tx) error { called = true; return nil })
		second <- err
	}()
	cancel()
	select {
	case err := <-second:
		if !errors.Is(err, context.Canceled) || called {
			t.Fatalf("queued Update: %v, fn called %v; want context.Canceled before fn", err, called)
		}
	case <-time.After(guard):
		t.Fatal("queued Update ignored its context")
	}
	unblock()
	if err := <-first; err != nil {
		t.Fatalf("first Update: %v", err)
	}
}
