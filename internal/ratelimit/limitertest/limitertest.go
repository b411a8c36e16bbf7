// Package limitertest is a conformance suite for ratelimit.Limiter
// implementations. Every check runs on times it makes up (no sleeps, no
// wall clock), starting in 2024, with keys that start with the test's
// name; an implementation backed by a shared store must therefore take
// its times from its callers (and may expire idle buckets by the wall
// clock only after at least Burst/Rate seconds).
package limitertest

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

// t0 is the suite's starting time.
var t0 = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

// Run runs the suite; newLimiter returns an empty Limiter for one subtest.
func Run(t *testing.T, newLimiter func(t *testing.T) ratelimit.Limiter) {
	tests := []struct {
		name string
		f    func(t *testing.T, l ratelimit.Limiter)
	}{
		{"Refill", testRefill},
		{"FractionalRate", testFractionalRate},
		{"BurstLargerThanRate", testBurstLargerThanRate},
		{"BurstZeroBlocks", testBurstZero},
		{"RateZero", testRateZero},
		{"LimitChange", testLimitChange},
		{"IndependentKeys", testIndependentKeys},
		{"LongRunRate", testLongRunRate},
		{"EarlierTime", testEarlierTime},
		{"Concurrent", testConcurrent},
		{"ConcurrentKeys", testConcurrentKeys},
		{"InvalidLimit", testInvalidLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, newLimiter(t)) })
	}
}

// bucket is one key of a Limiter under test.
type bucket struct {
	t   *testing.T
	l   ratelimit.Limiter
	key string
}

func newBucket(t *testing.T, l ratelimit.Limiter, name string) bucket {
	return bucket{t: t, l: l, key: t.Name() + "/" + name}
}

// allow calls Allow, failing the test on an error.
func (b bucket) allow(lim ratelimit.Limit, now time.Time) bool {
	b.t.Helper()
	ok, err := b.l.Allow(context.Background(), b.key, lim, now)
	if err != nil {
		b.t.Fatalf("Allow(%q, %+v, %v): %v", b.key, lim, now, err)
	}
	return ok
}

// expect checks the results of len(want) calls at now.
func (b bucket) expect(lim ratelimit.Limit, now time.Time, want ...bool) {
	b.t.Helper()
	for i, w := range want {
		if got := b.allow(lim, now); got != w {
			b.t.Fatalf("%+v at t0+%v, call %d: Allow = %v, want %v", lim, now.Sub(t0), i+1, got, w)
		}
	}
}

// count returns how many of n calls at now are allowed.
func (b bucket) count(lim ratelimit.Limit, now time.Time, n int) int {
	b.t.Helper()
	c := 0
	for range n {
		if b.allow(lim, now) {
			c++
		}
	}
	return c
}

// expectCount checks that exactly want of n calls at now are allowed.
func (b bucket) expectCount(lim ratelimit.Limit, now time.Time, n, want int) {
	b.t.Helper()
	if got := b.count(lim, now, n); got != want {
		b.t.Fatalf("%+v at t0+%v: %d of %d calls allowed, want %d", lim, now.Sub(t0), got, n, want)
	}
}

func repeat(v bool, n int) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func testRefill(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	b.expect(lim, t0, repeat(true, 10)...)
	b.expect(lim, t0, false)
	b.expect(lim, t0.Add(100*time.Millisecond), true, false)
	b.expect(lim, t0.Add(150*time.Millisecond), false)
	b.expect(lim, t0.Add(200*time.Millisecond), true, false)
	b.expectCount(lim, t0.Add(700*time.Millisecond), 20, 5)
}

func testFractionalRate(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 0.5, Burst: 1}
	b.expect(lim, t0, true, false)
	b.expect(lim, t0.Add(time.Second), false)
	b.expect(lim, t0.Add(2*time.Second), true, false)
	b.expect(lim, t0.Add(4*time.Second-time.Millisecond), false)
	b.expect(lim, t0.Add(4*time.Second), true, false)

	// Refill over many calls adds up to the same as in one: ten tenths
	// of a token make one, although 0.1 summed ten times in floating
	// point is 0.9999999999999999.
	// Each key starts later than the previous one ended, as on a real
	// clock: a bucket created in a shard that dropped a bucket which had
	// seen a later time starts at that time (Memory's sweep floor).
	t1 := t0.Add(time.Hour)
	b = newBucket(t, l, "tenth")
	lim = ratelimit.Limit{Rate: 0.1, Burst: 1}
	b.expect(lim, t1, true)
	for i := 1; i < 10; i++ {
		b.expect(lim, t1.Add(time.Duration(i)*time.Second), false)
	}
	b.expect(lim, t1.Add(10*time.Second), true, false)

	t2 := t0.Add(2 * time.Hour)
	b = newBucket(t, l, "third")
	lim = ratelimit.Limit{Rate: 1.0 / 3, Burst: 2}
	b.expect(lim, t2, true, true, false)
	b.expect(lim, t2.Add(2*time.Second), false)
	b.expect(lim, t2.Add(3*time.Second), true, false)
	// 30 s at 1/3 per second: 10 tokens, capped at 2.
	b.expectCount(lim, t2.Add(33*time.Second), 5, 2)
}

func testBurstLargerThanRate(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 1, Burst: 5}
	b.expectCount(lim, t0, 8, 5)
	b.expect(lim, t0.Add(time.Second), true, false)
	b.expect(lim, t0.Add(2500*time.Millisecond), true, false)
	b.expectCount(lim, t0.Add(time.Hour), 20, 5)
}

func testBurstZero(t *testing.T, l ratelimit.Limiter) {
	for _, lim := range []ratelimit.Limit{{Rate: 1000, Burst: 0}, {Rate: 0, Burst: 0}, {Rate: math.Inf(1), Burst: 0}} {
		b := newBucket(t, l, "k")
		for _, d := range []time.Duration{0, time.Millisecond, time.Second, time.Hour} {
			b.expect(lim, t0.Add(d), false, false)
		}
	}
}

func testRateZero(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 0, Burst: 5}
	b.expectCount(lim, t0, 20, 5)
	for _, d := range []time.Duration{time.Second, time.Hour, 24 * time.Hour, 365 * 24 * time.Hour} {
		b.expect(lim, t0.Add(d), false)
	}
}

// testLimitChange: a bucket keeps its tokens across a Limit change, capped
// at the new Burst; time passed refills at the new Rate.
func testLimitChange(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	b.expectCount(ratelimit.Limit{Rate: 10, Burst: 10}, t0, 3, 3) // 7 left
	b.expectCount(ratelimit.Limit{Rate: 10, Burst: 5}, t0, 10, 5) // capped at 5
	// A larger Burst grants nothing by itself.
	big := ratelimit.Limit{Rate: 10, Burst: 20}
	b.expect(big, t0, false)
	b.expectCount(big, t0.Add(time.Second), 30, 10) // 1 s at 10/s
	b.expectCount(big, t0.Add(10*time.Second), 30, 20)
	// The time since the latest call refills at the new Rate.
	b.expect(ratelimit.Limit{Rate: 1, Burst: 20}, t0.Add(11*time.Second), true, false)
	b.expect(ratelimit.Limit{Rate: 100, Burst: 20}, t0.Add(11*time.Second+10*time.Millisecond), true, false)
	// Shrinking and growing again does not restore tokens.
	b.expectCount(ratelimit.Limit{Rate: 1, Burst: 2}, t0.Add(time.Hour), 5, 2)
	b.expect(ratelimit.Limit{Rate: 1, Burst: 100}, t0.Add(time.Hour), false)
}

func testIndependentKeys(t *testing.T, l ratelimit.Limiter) {
	a, b := newBucket(t, l, "a"), newBucket(t, l, "b")
	lim := ratelimit.Limit{Rate: 1, Burst: 2}
	a.expect(lim, t0, true, true, false)
	b.expect(lim, t0, true, true, false)
	a.expect(lim, t0, false)
	c := newBucket(t, l, "c")
	c.expectCount(ratelimit.Limit{Rate: 1, Burst: 7}, t0, 10, 7)
	a.expect(lim, t0.Add(time.Second), true, false)
	b.expect(lim, t0.Add(time.Second), true, false)
}

// testLongRunRate: 3 s of requests at 100/s against rate 10, burst 10
// admit the burst plus 3 s of refill.
func testLongRunRate(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 10, Burst: 10}
	admitted := 0
	for i := range 300 {
		if b.allow(lim, t0.Add(time.Duration(i)*10*time.Millisecond)) {
			admitted++
		}
	}
	if admitted < 39 || admitted > 41 {
		t.Fatalf("admitted %d of 300 requests over 3 s, want 40 ± 1", admitted)
	}
}

// testEarlierTime: a time before the bucket's latest one refills nothing.
func testEarlierTime(t *testing.T, l ratelimit.Limiter) {
	b := newBucket(t, l, "k")
	lim := ratelimit.Limit{Rate: 10, Burst: 1}
	t1 := t0.Add(time.Second)
	b.expect(lim, t1, true, false)
	b.expect(lim, t0, false)
	b.expect(lim, t1, false)
	b.expect(lim, t1.Add(100*time.Millisecond), true, false)
	// Tokens already there can be taken at an earlier time.
	b = newBucket(t, l, "full")
	lim = ratelimit.Limit{Rate: 10, Burst: 2}
	b.expect(lim, t1, true)
	b.expect(lim, t0, true, false)
	b.expect(lim, t1, false)
	b.expect(lim, t1.Add(100*time.Millisecond), true, false)
}

// testConcurrent: goroutines hammering one new bucket at one time get
// exactly Burst tokens.
func testConcurrent(t *testing.T, l ratelimit.Limiter) {
	const goroutines, calls, burst = 16, 40, 100
	lim := ratelimit.Limit{Rate: 1, Burst: burst}
	key := t.Name() + "/k"
	var ok atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range goroutines {
		wg.Go(func() {
			<-start
			for range calls {
				allowed, err := l.Allow(context.Background(), key, lim, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if allowed {
					ok.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if got := ok.Load(); got != burst {
		t.Fatalf("%d of %d concurrent calls allowed, want %d", got, goroutines*calls, burst)
	}
}

// testConcurrentKeys: goroutines on several keys, each created by whichever
// goroutine comes first, get exactly Burst tokens per key.
func testConcurrentKeys(t *testing.T, l ratelimit.Limiter) {
	const goroutines, keys, burst = 8, 20, 5
	lim := ratelimit.Limit{Rate: 1, Burst: burst}
	var ok [keys]atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for i := range keys * 3 {
				k := (i + g) % keys
				allowed, err := l.Allow(context.Background(), t.Name()+"/"+string(rune('a'+k)), lim, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if allowed {
					ok[k].Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for k := range ok {
		if got := ok[k].Load(); got != burst {
			t.Errorf("key %d: %d concurrent calls allowed, want %d", k, got, burst)
		}
	}
}

func testInvalidLimit(t *testing.T, l ratelimit.Limiter) {
	for _, lim := range []ratelimit.Limit{{Rate: -1, Burst: 1}, {Rate: math.NaN(), Burst: 1}, {Rate: 1, Burst: -1}} {
		ok, err := l.Allow(context.Background(), t.Name()+"/k", lim, t0)
		if ok || !errors.Is(err, ratelimit.ErrInvalidLimit) {
			t.Errorf("Allow(%+v) = %v, %v; want false and ErrInvalidLimit", lim, ok, err)
		}
	}
}
