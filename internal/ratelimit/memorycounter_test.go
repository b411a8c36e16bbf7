package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/ratelimit/countertest"
)

func TestMemoryCounter(t *testing.T) {
	countertest.Run(t, func(*testing.T) ratelimit.Counter { return ratelimit.NewMemoryCounter() })
}

func take(t *testing.T, c *ratelimit.MemoryCounter, key string, q ratelimit.Quota, now time.Time) bool {
	t.Helper()
	_, ok, err := c.Take(context.Background(), key, q, now)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMemoryCounterPrune(t *testing.T) {
	c := ratelimit.NewMemoryCounter()
	q := ratelimit.Quota{Limit: 10, Period: ratelimit.Day}
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	take(t, c, "old", q, day(0))
	take(t, c, "k", q, day(0))
	take(t, c, "k", q, day(100))
	if n := c.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	c.Sweep(day(121)) // old: day 0 is not before day 121-121
	if n := c.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	c.Sweep(day(122))
	if n := c.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
	u, err := c.Usage(context.Background(), "k", q, day(0), day(0))
	if err != nil || u[0].Used != 1 {
		t.Fatalf("Usage of day 0 before it is pruned: %+v, %v", u, err)
	}
	// A new window prunes the key's old days.
	take(t, c, "k", q, day(122))
	u, err = c.Usage(context.Background(), "k", q, day(0), day(0))
	if err != nil || u[0].Used != 0 {
		t.Fatalf("Usage of day 0 after it is pruned: %+v, %v", u, err)
	}
	u, err = c.Usage(context.Background(), "k", q, day(100), day(100))
	if err != nil || u[0].Used != 1 {
		t.Fatalf("Usage of day 100: %+v, %v", u, err)
	}
	// Take sweeps the shard it lands in once a day.
	take(t, c, "k", q, day(300))
	if n := c.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
}

// TestMemoryCounterOutOfOrder: a time on an earlier day (a caller behind
// across midnight) counts on that day.
func TestMemoryCounterOutOfOrder(t *testing.T) {
	c := ratelimit.NewMemoryCounter()
	q := ratelimit.Quota{Limit: 5, Period: ratelimit.Week}
	take(t, c, "k", q, t0.AddDate(0, 0, 2))
	take(t, c, "k", q, t0)
	take(t, c, "k", q, t0.AddDate(0, 0, 1))
	take(t, c, "k", q, t0)
	u, err := c.Usage(context.Background(), "k", q, t0, t0.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int64{{2, 3}, {1, 2}, {1, 1}}
	for i, d := range u {
		if [2]int64{d.Used, d.Remaining} != want[i] {
			t.Errorf("day %d: %+v, want %v", i, d, want[i])
		}
	}
}

func TestMemoryCounterAllocs(t *testing.T) {
	c := ratelimit.NewMemoryCounter()
	q := ratelimit.Quota{Limit: 1 << 40, Offset: 3, Period: ratelimit.Month}
	take(t, c, "plan/key", q, t0)
	if a := testing.AllocsPerRun(1000, func() {
		c.Take(context.Background(), "plan/key", q, t0)
	}); a != 0 {
		t.Fatalf("Take on an existing key: %v allocations, want 0", a)
	}
}
