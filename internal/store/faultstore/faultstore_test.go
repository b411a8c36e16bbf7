package faultstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

func open(t *testing.T) *faultstore.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return faultstore.Wrap(s)
}

// TestConformance: without faults the wrapper is the store it wraps.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

var errDisk = errors.New("disk I/O error")

func TestFailAndHeal(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	put := func() error {
		_, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "k", []byte(`{}`)) })
		return err
	}
	s.Fail(faultstore.Update, errDisk)
	s.Fail(faultstore.Watch, errDisk)
	if err := put(); !errors.Is(err, errDisk) {
		t.Fatalf("Update: %v, want the fault", err)
	}
	if _, err := s.Watch(ctx, 0); !errors.Is(err, errDisk) {
		t.Fatalf("Watch: %v, want the fault", err)
	}
	if rev, err := s.Revision(ctx); err != nil || rev != 0 {
		t.Fatalf("Revision %d %v: a failed Update must write nothing, other ops must work", rev, err)
	}
	s.Heal(faultstore.Update)
	if err := put(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Watch(ctx, 0); !errors.Is(err, errDisk) {
		t.Fatalf("Watch healed with Update: %v", err)
	}
	s.Heal()
	if _, err := s.Watch(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

func TestBreakWatches(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	w, err := s.Watch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(ctx, "a", []byte(`{}`)) }); err != nil {
		t.Fatal(err)
	}
	if ch := <-w.C(); ch.Key != "a" || ch.Revision != 1 {
		t.Fatalf("change %+v", ch)
	}
	s.BreakWatches(errDisk)
	select {
	case _, ok := <-w.C():
		if ok {
			t.Fatal("a broken watcher delivered a change")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a broken watcher stayed open")
	}
	if !errors.Is(w.Err(), errDisk) {
		t.Fatalf("Err %v, want the break's error", w.Err())
	}
}
