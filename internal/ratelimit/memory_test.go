package ratelimit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/ratelimit/limitertest"
)

var t0 = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

func TestMemory(t *testing.T) {
	limitertest.Run(t, func(*testing.T) ratelimit.Limiter { return ratelimit.NewMemory() })
}

func TestMemoryMulti(t *testing.T) {
	limitertest.RunMulti(t, func(*testing.T) ratelimit.MultiLimiter { return ratelimit.NewMemory() })
}

// TestMemoryEagerSweep runs the suite with a sweep due at every new time:
// dropping full buckets must not change any result.
func TestMemoryEagerSweep(t *testing.T) {
	limitertest.Run(t, func(*testing.T) ratelimit.Limiter {
		return ratelimit.NewMemory(ratelimit.WithSweepInterval(time.Nanosecond))
	})
}

func allow(t *testing.T, m *ratelimit.Memory, key string, l ratelimit.Limit, now time.Time) bool {
	t.Helper()
	ok, err := m.Allow(context.Background(), key, l, now)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMemorySweep(t *testing.T) {
	m := ratelimit.NewMemory()
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	for range 5 {
		allow(t, m, "a", lim, t0)
	}
	allow(t, m, "rate0", ratelimit.Limit{Rate: 0, Burst: 5}, t0)
	allow(t, m, "burst0", ratelimit.Limit{Rate: 10, Burst: 0}, t0)
	allow(t, m, "b", lim, t0.Add(300*time.Millisecond))
	if n := m.Len(); n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
	m.Sweep(t0.Add(400 * time.Millisecond)) // a: 9 tokens; b: 10 - 1 + 1
	if n := m.Len(); n != 2 {
		t.Fatalf("after sweeping burst0 and b: Len = %d, want 2", n)
	}
	m.Sweep(t0.Add(500 * time.Millisecond)) // a: full
	if n := m.Len(); n != 1 {
		t.Fatalf("after sweeping a: Len = %d, want 1", n)
	}
	m.Sweep(t0.Add(24 * 365 * time.Hour)) // a used Rate-0 bucket never fills
	if n := m.Len(); n != 1 {
		t.Fatalf("after a year: Len = %d, want 1", n)
	}
	n := 0
	for range 10 {
		if allow(t, m, "rate0", ratelimit.Limit{Rate: 0, Burst: 5}, t0.Add(24*365*time.Hour)) {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("rate 0 burst 5 allowed %d more, want 4", n)
	}
	// A dropped bucket comes back full.
	n = 0
	for range 20 {
		if allow(t, m, "a", lim, t0.Add(500*time.Millisecond)) {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("recreated bucket allowed %d, want 10", n)
	}
}

// TestMemorySweepKeepsTime: a bucket recreated after a sweep does not
// refill for time before the sweep, even when asked at an earlier time.
func TestMemorySweepKeepsTime(t *testing.T) {
	m := ratelimit.NewMemory()
	lim := ratelimit.Limit{Rate: 10, Burst: 1}
	t1, t2 := t0.Add(time.Second), t0.Add(2*time.Second)
	if !allow(t, m, "k", lim, t1) {
		t.Fatal("first Allow refused")
	}
	m.Sweep(t2) // full since t1 + 100ms
	if n := m.Len(); n != 0 {
		t.Fatalf("Len = %d, want 0", n)
	}
	// As if the bucket had been kept: full at t2, so one token at t0 (a
	// time earlier than the bucket's latest), then none until t2 + 100ms.
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{t0, true}, {t0, false}, {t2, false}, {t2.Add(50 * time.Millisecond), false}, {t2.Add(100 * time.Millisecond), true}} {
		if got := allow(t, m, "k", lim, c.at); got != c.want {
			t.Fatalf("Allow at t0+%v = %v, want %v", c.at.Sub(t0), got, c.want)
		}
	}
}

// TestMemorySweepOnAllow: without Sweep calls, Allow drops idle buckets of
// the shards it lands in once per sweep interval.
func TestMemorySweepOnAllow(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.WithSweepInterval(time.Second))
	lim := ratelimit.Limit{Rate: 10, Burst: 1}
	for i := range 1000 {
		allow(t, m, fmt.Sprint("x", i), lim, t0)
	}
	// Before the interval is up nothing is swept, though the x are full.
	for i := range 1000 {
		allow(t, m, fmt.Sprint("y", i), lim, t0.Add(999*time.Millisecond))
	}
	if n := m.Len(); n != 2000 {
		t.Fatalf("Len = %d, want 2000", n)
	}
	for i := range 5000 {
		allow(t, m, fmt.Sprint("z", i), lim, t0.Add(2*time.Second))
	}
	// 5000 z keys land in every one of the 256 shards (the chance that
	// one is missed is about 256·e^-19.5, below 10^-6), sweeping all x and
	// y there; z buckets are empty and stay.
	if n := m.Len(); n != 5000 {
		t.Fatalf("Len = %d, want 5000", n)
	}
	m.Sweep(t0.Add(2 * time.Second))
	if n := m.Len(); n != 5000 {
		t.Fatalf("after Sweep: Len = %d, want 5000", n)
	}
}

// TestMemoryConcurrentSweep runs Allow from many goroutines at advancing
// times with a sweep due at each, for the race detector, and checks that no
// key admits more than Burst plus its refill.
func TestMemoryConcurrentSweep(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.WithSweepInterval(time.Nanosecond))
	const goroutines, steps, keys = 8, 400, 10
	lim := ratelimit.Limit{Rate: 100, Burst: 3}
	var mu sync.Mutex
	allowed := make(map[string]int)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			n := make(map[string]int)
			for i := range steps {
				key := fmt.Sprint("k", (i+g)%keys)
				ok, err := m.Allow(context.Background(), key, lim, t0.Add(time.Duration(i)*time.Millisecond))
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					n[key]++
				}
			}
			mu.Lock()
			for k, v := range n {
				allowed[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	// steps-1 ms at 100/s: 40 tokens, plus the burst.
	for k, n := range allowed {
		if n > 3+40 {
			t.Errorf("%s: %d allowed, want at most 43", k, n)
		}
	}
}

// TestMemorySweepAllowRace: at each step the key's bucket, idle since the
// previous step, is full and swept by the step's first Allow while other
// goroutines look it up; whatever the interleaving, exactly one of them
// gets its token.
func TestMemorySweepAllowRace(t *testing.T) {
	m := ratelimit.NewMemory(ratelimit.WithSweepInterval(time.Nanosecond))
	lim := ratelimit.Limit{Rate: 1, Burst: 1}
	steps := 2000
	if testing.Short() {
		steps = 200
	}
	for step := range steps {
		now := t0.Add(time.Duration(step) * 2 * time.Second)
		var n atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if ok, _ := m.Allow(context.Background(), "k", lim, now); ok {
					n.Add(1)
				}
			})
		}
		wg.Wait()
		if got := n.Load(); got != 1 {
			t.Fatalf("step %d: %d allowed, want 1", step, got)
		}
	}
}

func TestMemoryAllocs(t *testing.T) {
	m := ratelimit.NewMemory()
	lim := ratelimit.Limit{Rate: 1000, Burst: 100}
	key := "stage/GET/pets"
	allow(t, m, key, lim, t0)
	now := t0
	if a := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Millisecond)
		m.Allow(context.Background(), key, lim, now)
	}); a != 0 {
		t.Fatalf("Allow on an existing bucket: %v allocations, want 0", a)
	}
}

func TestLimitValidate(t *testing.T) {
	for _, l := range []ratelimit.Limit{{}, {Rate: 0.5, Burst: 1}, {Rate: 1e6, Burst: 1 << 40}} {
		if err := l.Validate(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
}
