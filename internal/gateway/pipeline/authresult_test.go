package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/pipeline/authcachetest"
)

func TestMemoryAuthCacheConformance(t *testing.T) {
	authcachetest.Run(t, func(*testing.T) pipeline.AuthCache { return pipeline.NewMemoryAuthCache() })
}

// TestAuthEntryCompiled: what an authorizer compiles from an entry stays
// with it, so an in-memory cache hit needs no parsing.
func TestAuthEntryCompiled(t *testing.T) {
	e := &pipeline.AuthEntry{}
	if e.Compiled() != nil {
		t.Fatal("a new entry has a compiled value")
	}
	e.SetCompiled(42)
	if e.Compiled() != 42 {
		t.Fatalf("Compiled = %v", e.Compiled())
	}
}

// BenchmarkAuthCacheHit is a cached authorizer result as REST's Lambda
// authorizer reads it from the in-memory AuthCache (entry, then what was
// compiled from it); BenchmarkAuthorizerCacheHit the same read from the
// untyped AuthorizerCache it wraps.
func BenchmarkAuthCacheHit(b *testing.B) {
	c := pipeline.NewMemoryAuthCache()
	ctx, now := context.Background(), time.Now()
	e := &pipeline.AuthEntry{PrincipalID: "p"}
	e.SetCompiled(e)
	_ = c.Put(ctx, "auth\x00token", e, time.Hour, now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			got, ok, _ := c.Get(ctx, "auth\x00token", now)
			if !ok || got.Compiled() == nil {
				b.Fatal("miss")
			}
		}
	})
}

func BenchmarkAuthorizerCacheHit(b *testing.B) {
	c := pipeline.NewAuthorizerCache()
	now := time.Now()
	c.Put("auth\x00token", &pipeline.AuthEntry{}, time.Hour, now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v, ok := c.Get("auth\x00token", now)
			if !ok || v.(*pipeline.AuthEntry) == nil {
				b.Fatal("miss")
			}
		}
	})
}
