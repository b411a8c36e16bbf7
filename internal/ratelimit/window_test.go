package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/ratelimit/windowtest"
)

func TestMemoryWindowsConformance(t *testing.T) {
	windowtest.Run(t, func(*testing.T) ratelimit.Windows { return ratelimit.NewMemoryWindows() })
}

// TestMemoryWindowsSweep: keys whose windows are over are dropped by the
// hits that land in their shard a minute later.
func TestMemoryWindowsSweep(t *testing.T) {
	w := ratelimit.NewMemoryWindows()
	ctx := context.Background()
	for i := range 1000 {
		if _, err := w.Hit(ctx, string(rune('a'+i%26))+string(rune(i)), time.Minute, t0); err != nil {
			t.Fatal(err)
		}
	}
	later := t0.Add(10 * time.Minute)
	for i := range 5000 {
		if _, err := w.Hit(ctx, "new"+string(rune(i)), time.Minute, later); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.Len(); n > 5000+100 {
		t.Fatalf("%d keys held after the old ones expired", n)
	}
}
