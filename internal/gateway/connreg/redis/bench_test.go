package redis_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	crredis "github.com/tollgate/tollgate/internal/gateway/connreg/redis"
)

// BenchmarkGet is GetConnection's cost on a node that does not hold the
// connection: one script (the record and its node's lease).
func BenchmarkGet(b *testing.B) {
	a, _, _, _ := twoNodes(b, crredis.Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Get(ctx, "on-b"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRelayedPost is a PostToConnection made on A for B's connection
// once its record is read: PUBLISH to B, B performs it, PUBLISH of the
// answer to A. Compare with BenchmarkGet, measured in the same run.
func BenchmarkRelayedPost(b *testing.B) {
	a, _, _, _ := twoNodes(b, crredis.Options{})
	ctx := context.Background()
	call := connreg.Call{Op: connreg.OpPost, ID: "on-b", Data: []byte(`{"message":"hello"}`)}
	for b.Loop() {
		if err := a.Deliver(ctx, "node-b", call); err != nil {
			b.Fatal(err)
		}
	}
}
