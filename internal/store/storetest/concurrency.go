package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate/internal/store"
)

var concurrencyTests = []testCase{
	{"IncrementsLoseNoUpdate", testConcurrentIncrements},
	{"CreateRace", testConcurrentCreate},
	{"ViewSnapshot", testViewSnapshot},
	{"ViewsSeeWholeTransactions", testViewsSeeWholeTransactions},
}

type counter struct {
	N int `json:"n"`
}

// increment adds one to the counter at key with a read-modify-write Update.
func increment(ctx context.Context, s store.Store, key string) error {
	_, err := s.Update(ctx, func(tx store.Tx) error {
		var c counter
		it, err := tx.Get(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(it.Value, &c); err != nil {
				return err
			}
		}
		c.N++
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return tx.Put(ctx, key, b)
	})
	return err
}

func testConcurrentIncrements(t *testing.T, s store.Store) {
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				if err := increment(t.Context(), s, "counter"); err != nil {
					t.Errorf("worker %d: increment %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	var c counter
	it := get(t, s, "counter")
	if err := json.Unmarshal(it.Value, &c); err != nil {
		t.Fatalf("counter %s: %v", it.Value, err)
	}
	if c.N != workers*each {
		t.Fatalf("counter = %d, want %d (lost updates)", c.N, workers*each)
	}
	wantRevision(t, s, workers*each)
	if it.Revision != workers*each {
		t.Fatalf("counter revision = %d, want %d", it.Revision, workers*each)
	}
	if n := len(changes(t, s, 0)); n != workers*each {
		t.Fatalf("%d changes, want %d", n, workers*each)
	}
}

func testConcurrentCreate(t *testing.T, s store.Store) {
	const workers = 8
	var won, conflicted atomic.Int32
	var wg sync.WaitGroup
	for g := range workers {
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
	wantRevision(t, s, 1)
}

// testViewSnapshot commits an Update while a View is open: the View keeps
// seeing the state from its start. Update must not wait for the View.
func testViewSnapshot(t *testing.T, s store.Store) {
	put(t, s, "k", `"old"`, "gone", `1`)
	err := s.View(t.Context(), func(r store.Reader) error {
		ctx := t.Context()
		if it, err := r.Get(ctx, "k"); err != nil || string(it.Value) != `"old"` {
			return fmt.Errorf("first read: %+v, %v", it, err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put(ctx, "k", []byte(`"new"`)); err != nil {
					return err
				}
				if err := tx.Put(ctx, "added", []byte(`1`)); err != nil {
					return err
				}
				return tx.Delete(ctx, "gone")
			}); err != nil {
				t.Errorf("update during view: %v", err)
			}
		}()
		wait(t, "Update while a View is open", done)

		if it, err := r.Get(ctx, "k"); err != nil || string(it.Value) != `"old"` || it.Revision != 1 {
			return fmt.Errorf("read after a concurrent commit: %s@%d, %v; want \"old\"@1", it.Value, it.Revision, err)
		}
		if _, err := r.Get(ctx, "added"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("key added by a concurrent commit: %v, want ErrNotFound", err)
		}
		items, err := r.List(ctx, "", store.ListOptions{})
		if err != nil {
			return err
		}
		wantKeys(t, "list in the View", items, "gone", "k")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if it := get(t, s, "k"); string(it.Value) != `"new"` {
		t.Fatalf("after the View: %s, want \"new\"", it.Value)
	}
}

// testViewsSeeWholeTransactions runs Views while a writer moves a value
// between two keys; every View must see their sum unchanged.
func testViewsSeeWholeTransactions(t *testing.T, s store.Store) {
	put(t, s, "x", "100", "y", "0")
	const moves, readers = 60, 4
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var views atomic.Int64
	for range readers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := s.View(t.Context(), func(r store.Reader) error {
					items, err := r.List(t.Context(), "", store.ListOptions{})
					if err != nil {
						return err
					}
					sum := 0
					for _, it := range items {
						var v int
						if err := json.Unmarshal(it.Value, &v); err != nil {
							return err
						}
						sum += v
					}
					if sum != 100 || len(items) != 2 {
						return fmt.Errorf("view saw %d items summing to %d, want 2 summing to 100", len(items), sum)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				views.Add(1)
			}
		})
	}
	for i := 1; i <= moves; i++ {
		put(t, s, "x", itoa(int64(100-i)), "y", itoa(int64(i)))
	}
	close(stop)
	wg.Wait()
	t.Logf("%d views during %d moves", views.Load(), moves)
}
