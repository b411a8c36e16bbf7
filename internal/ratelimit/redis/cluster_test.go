package redis_test

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// nodes is how many gateways the cluster tests simulate: each has a
// client of its own (its own connections), as separate processes would.
const nodes = 3

// TestClusterThrottleAccuracy: three nodes hammer one stage limit of rate
// 50, burst 50 for 3 s, each with the wall clock as its time; together
// they admit 50 + 50·t (±5%), t being the time from the first request to
// the last, not three times that.
func TestClusterThrottleAccuracy(t *testing.T) {
	prefix := newPrefix()
	lim := ratelimit.Limit{Rate: 50, Burst: 50}
	const perNode = 4 // concurrent requests per node
	var admitted, calls atomic.Int64
	var first, last atomic.Int64 // unix ns
	first.Store(math.MaxInt64)
	deadline := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for range nodes {
		l := rlredis.NewLimiter(dial(t, redisclient.Options{}), rlredis.Options{Prefix: prefix})
		for range perNode {
			wg.Go(func() {
				for {
					now := time.Now()
					if now.After(deadline) {
						return
					}
					ok, err := l.Allow(context.Background(), "stage/prod/GET/pets", lim, now)
					if err != nil {
						t.Error(err)
						return
					}
					calls.Add(1)
					if ok {
						admitted.Add(1)
					}
					for ns := now.UnixNano(); ; {
						f := first.Load()
						if ns >= f || first.CompareAndSwap(f, ns) {
							break
						}
					}
					for ns := now.UnixNano(); ; {
						l := last.Load()
						if ns <= l || last.CompareAndSwap(l, ns) {
							break
						}
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Duration(last.Load() - first.Load())
	want := float64(lim.Burst) + lim.Rate*elapsed.Seconds()
	got := float64(admitted.Load())
	t.Logf("%d nodes, %d calls over %v: %v admitted, want %.1f (50 + 50·t)", nodes, calls.Load(), elapsed.Round(time.Millisecond), got, want)
	if math.Abs(got-want) > 0.05*want {
		t.Fatalf("admitted %v, want %.1f ± 5%%", got, want)
	}
}

// TestClusterQuotaExact: a quota of 5 a day, taken concurrently through
// three nodes, admits exactly 5, and GetUsage through any node reports
// them; UpdateUsage through one node is seen by the others.
func TestClusterQuotaExact(t *testing.T) {
	prefix := newPrefix()
	q := ratelimit.Quota{Limit: 5, Period: ratelimit.Day}
	now := time.Now()
	counters := make([]*rlredis.Counter, nodes)
	for i := range counters {
		counters[i] = rlredis.NewCounter(dial(t, redisclient.Options{}), rlredis.Options{Prefix: prefix})
	}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for _, c := range counters {
		for range 4 {
			wg.Go(func() {
				for range 10 {
					_, ok, err := c.Take(context.Background(), "plan1/key1", q, now)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						admitted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	if got := admitted.Load(); got != 5 {
		t.Fatalf("%d of %d requests admitted across %d nodes, want exactly 5", got, nodes*4*10, nodes)
	}
	for i, c := range counters {
		u, err := c.Usage(context.Background(), "plan1/key1", q, now, now)
		if err != nil || len(u) != 1 || u[0].Used != 5 || u[0].Remaining != 0 {
			t.Fatalf("node %d: usage %+v, %v; want 5 used, 0 remaining", i, u, err)
		}
	}
	if err := counters[0].SetRemaining(context.Background(), "plan1/key1", q, 2, now); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, false} {
		if _, ok, err := counters[1+i%2].Take(context.Background(), "plan1/key1", q, now); err != nil || ok != want {
			t.Fatalf("take %d after UpdateUsage on another node: %v, %v; want %v", i, ok, err, want)
		}
	}
}

// TestClusterLeaseAccuracy: three nodes that lease tokens (a limit of
// rate 100,000/s, burst 10,000: leases of 33 tokens), offered half the
// rate for 0.2 s of their callers' time and then twice the rate for 0.2 s,
// round robin, admit within 5% of one bucket in memory given the same
// requests, and at most the tokens the nodes' leases can hold more (a
// token taken early into a lease leaves room in the bucket that the
// memory bucket, full, would have lost).
// While the bucket has tokens to spare (the first phase), far fewer
// script calls are made than requests; once it is drained, leases hold
// what the bucket has (about one token).
func TestClusterLeaseAccuracy(t *testing.T) {
	c := dial(t, redisclient.Options{})
	prefix := newPrefix()
	lim := ratelimit.Limit{Rate: 100000, Burst: 10000}
	var ls [nodes]*rlredis.Limiter
	for i := range ls {
		ls[i] = rlredis.NewLimiter(c, rlredis.Options{Prefix: prefix, LeaseNodes: nodes})
	}
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	start := now
	mem := ratelimit.NewMemory()
	admitted, exact, calls := 0, 0, 0
	phase := func(n int, step time.Duration) {
		for range n {
			ok, err := ls[calls%nodes].Allow(context.Background(), "stage/prod/GET/pets", lim, now)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				admitted++
			}
			if ok, _ := mem.Allow(context.Background(), "k", lim, now); ok {
				exact++
			}
			calls++
			now = now.Add(step)
		}
	}
	before := scriptCalls(t, c)
	phase(10000, 20*time.Microsecond) // 50,000/s
	scripts := scriptCalls(t, c) - before
	if admitted != calls {
		t.Fatalf("admitted %d of %d requests at half the rate", admitted, calls)
	}
	t.Logf("half the rate: %d requests, %d script calls", calls, scripts)
	if scripts > int64(calls)/10 {
		t.Fatalf("%d script calls for %d requests at half the rate: leases unused", scripts, calls)
	}
	phase(40000, 5*time.Microsecond) // 200,000/s
	t.Logf("then twice the rate: %d requests over %v, %d admitted, %d in memory", calls, now.Sub(start), admitted, exact)
	const leased = nodes * 33 * 3 / 2 // a lease holds up to 1.5 fetches
	if admitted > exact+leased || float64(admitted) < 0.95*float64(exact) {
		t.Fatalf("admitted %d, want %d (at most %d more, and at least 95%% of it)", admitted, exact, leased)
	}
}

// TestClusterLeaseConcurrent: three nodes, eight callers each, take from
// a leased bucket (burst 30,000, leases of 100 tokens) at one instant:
// together they admit no more than the burst, and lose at most what the
// nodes' leases hold when the bucket runs dry (1.5 leases a node).
func TestClusterLeaseConcurrent(t *testing.T) {
	c := dial(t, redisclient.Options{})
	prefix := newPrefix()
	lim := ratelimit.Limit{Rate: 300000, Burst: 30000}
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range nodes {
		l := rlredis.NewLimiter(c, rlredis.Options{Prefix: prefix, LeaseNodes: nodes})
		for range 8 {
			wg.Go(func() {
				for range 1500 {
					ok, err := l.Allow(context.Background(), "account", lim, now)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						admitted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	got := admitted.Load()
	t.Logf("%d of %d admitted at one instant, burst %d", got, nodes*8*1500, lim.Burst)
	if got > int64(lim.Burst) || got < int64(lim.Burst)-nodes*150 {
		t.Fatalf("admitted %d, want %d at most and at least %d", got, lim.Burst, lim.Burst-nodes*150)
	}
}

// TestLeaseSweep: leases of buckets no longer used are dropped (a shard
// sweeps its spent leases at most once a second of the callers' time, when
// a key of it is used), and a key used again after its lease was swept
// gets a fresh one.
func TestLeaseSweep(t *testing.T) {
	c := dial(t, redisclient.Options{})
	l := rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix(), LeaseNodes: 1})
	lim := ratelimit.Limit{Rate: 1e6, Burst: 1e6}
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	const keys = 20000
	for i := range keys {
		// Each key is used once, a lease TTL after the one before.
		now = now.Add(rlredis.LeaseTTL + time.Millisecond)
		if ok, err := l.Allow(context.Background(), "plan/p/"+strconv.Itoa(i), lim, now); err != nil || !ok {
			t.Fatalf("Allow key %d = %v, %v", i, ok, err)
		}
	}
	if n := rlredis.LeaseCount(l); n >= keys/2 {
		t.Fatalf("%d leases held after %d keys used once each, long ago", n, keys)
	}
	for range 3 {
		if ok, err := l.Allow(context.Background(), "plan/p/0", lim, now); err != nil || !ok {
			t.Fatalf("Allow of a swept key = %v, %v", ok, err)
		}
	}
}
