package pipeline_test

import (
	"testing"

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
