package rest_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/respcache"
)

// stageWithCaches is a stage whose authorizer and response caches hold one
// entry each.
func stageWithCaches(t *testing.T, auth *pipeline.AuthorizerCache, store *respcache.Memory) *rest.Stage {
	t.Helper()
	now := time.Now()
	auth.Put("k", "v", time.Hour, now)
	if err := store.Set(context.Background(), "k", &respcache.Entry{Status: 200, Body: []byte("b")}, time.Hour, false, now); err != nil {
		t.Fatal(err)
	}
	return &rest.Stage{StageInfo: pipeline.StageInfo{Name: "s", APIID: "a", AuthorizerCache: auth},
		Cache: &rest.StageCache{Store: store, Size: "0.5"}}
}

// TestRetireReleasesCaches: once the front door no longer serves a stage,
// the caches its successor did not take over are emptied; those it took
// over keep their entries.
func TestRetireReleasesCaches(t *testing.T) {
	d := &front.Door{}
	auth, store := pipeline.NewAuthorizerCache(), respcache.NewMemory(1<<20, nil)
	old := stageWithCaches(t, auth, store)
	d.Set("a", "s", old)

	// A recompile that keeps both caches (same deployment, same cache size).
	kept := &rest.Stage{StageInfo: pipeline.StageInfo{Name: "s", APIID: "a", AuthorizerCache: auth},
		Cache: &rest.StageCache{Store: store, Size: "0.5"}}
	d.Set("a", "s", kept)
	if auth.Len() != 1 || store.Len() != 1 {
		t.Fatalf("caches taken over were emptied: %d, %d", auth.Len(), store.Len())
	}

	// A redeploy with a new authorizer cache and the stage cache turned off.
	redeployed := &rest.Stage{StageInfo: pipeline.StageInfo{Name: "s", APIID: "a", AuthorizerCache: pipeline.NewAuthorizerCache()}}
	d.Set("a", "s", redeployed)
	if auth.Len() != 0 || store.Len() != 0 {
		t.Errorf("caches left behind keep %d, %d entries", auth.Len(), store.Len())
	}

	// The stage deleted.
	auth2, store2 := pipeline.NewAuthorizerCache(), respcache.NewMemory(1<<20, nil)
	d.Set("a", "s", stageWithCaches(t, auth2, store2))
	d.RemoveAPI("a")
	if auth2.Len() != 0 || store2.Len() != 0 {
		t.Errorf("a removed stage's caches keep %d, %d entries", auth2.Len(), store2.Len())
	}
}
