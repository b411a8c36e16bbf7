// Package connregtest is the conformance suite every connreg.Registry
// passes (in memory, and a cluster's shared one).
package connregtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
)

// Run checks the Registry newRegistry returns (a fresh, empty one per
// call).
func Run(t *testing.T, newRegistry func(t *testing.T) connreg.Registry) {
	ctx := context.Background()
	at := time.Date(2026, 4, 30, 20, 10, 33, 236e6, time.UTC)
	record := func(id string) *connreg.Record {
		return &connreg.Record{ID: id, APIID: "a1b2c3d4e5", Stage: "prod", Node: "node-1",
			ConnectedAt: at, LastActiveAt: at, SourceIP: "192.0.2.1", UserAgent: "ua/1",
			Authorizer: []byte(`{"principalId":"me","team":"blue"}`)}
	}
	same := func(a, b *connreg.Record) bool {
		return a.ID == b.ID && a.APIID == b.APIID && a.Stage == b.Stage && a.Node == b.Node &&
			a.ConnectedAt.Equal(b.ConnectedAt) && a.LastActiveAt.Equal(b.LastActiveAt) &&
			a.SourceIP == b.SourceIP && a.UserAgent == b.UserAgent && string(a.Authorizer) == string(b.Authorizer)
	}

	t.Run("AddGet", func(t *testing.T) {
		r := newRegistry(t)
		want := record("L0SM9cOFvHcCIhw=")
		if err := r.Add(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := r.Get(ctx, want.ID)
		if err != nil || !same(got, want) {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, want)
		}
		// A copy: changing it changes nothing stored.
		got.Stage, got.Authorizer[0] = "other", 'X'
		again, _ := r.Get(ctx, want.ID)
		if !same(again, want) {
			t.Fatalf("the stored record changed with the copy: %+v", again)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		r := newRegistry(t)
		if _, err := r.Get(ctx, "never"); !errors.Is(err, connreg.ErrNotFound) {
			t.Fatalf("Get of an unknown id: %v", err)
		}
		if err := r.Touch(ctx, "never", at); !errors.Is(err, connreg.ErrNotFound) {
			t.Fatalf("Touch of an unknown id: %v", err)
		}
		if err := r.Remove(ctx, "never"); err != nil {
			t.Fatalf("Remove of an unknown id: %v", err)
		}
	})
	t.Run("NoAuthorizer", func(t *testing.T) {
		r := newRegistry(t)
		rec := record("id-1")
		rec.Authorizer = nil
		r.Add(ctx, rec)
		got, err := r.Get(ctx, "id-1")
		if err != nil || got.Authorizer != nil {
			t.Fatalf("Get = %+v, %v; want no authorizer", got, err)
		}
	})
	t.Run("Touch", func(t *testing.T) {
		r := newRegistry(t)
		r.Add(ctx, record("id-1"))
		later := at.Add(9*time.Second + 761*time.Millisecond)
		if err := r.Touch(ctx, "id-1", later); err != nil {
			t.Fatal(err)
		}
		// An older time (a late writer) does not move it back.
		r.Touch(ctx, "id-1", at.Add(time.Second))
		got, _ := r.Get(ctx, "id-1")
		if !got.LastActiveAt.Equal(later) || !got.ConnectedAt.Equal(at) {
			t.Fatalf("after Touch: connectedAt %v lastActiveAt %v", got.ConnectedAt, got.LastActiveAt)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		r := newRegistry(t)
		r.Add(ctx, record("id-1"))
		r.Add(ctx, record("id-2"))
		if err := r.Remove(ctx, "id-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Get(ctx, "id-1"); !errors.Is(err, connreg.ErrNotFound) {
			t.Fatalf("Get after Remove: %v", err)
		}
		if _, err := r.Get(ctx, "id-2"); err != nil {
			t.Fatalf("the other connection: %v", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		r := newRegistry(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 50 {
					id := fmt.Sprintf("c-%d-%d", i, j)
					r.Add(ctx, record(id))
					r.Touch(ctx, id, at.Add(time.Second))
					if _, err := r.Get(ctx, id); err != nil {
						t.Error(err)
					}
					r.Remove(ctx, id)
				}
			}()
		}
		wg.Wait()
	})
}
