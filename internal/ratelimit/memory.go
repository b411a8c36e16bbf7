package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/shardmap"
)

// DefaultSweepInterval is how often, in the callers' time, Memory looks for
// idle buckets to drop unless WithSweepInterval says otherwise.
const DefaultSweepInterval = time.Minute

// epsilon absorbs float rounding in token arithmetic: a bucket short of a
// whole token by less than this (after, say, 3 × 333333334 ns at rate 1)
// still admits.
const epsilon = 1e-9

// Memory is the in-process Limiter. Allow on an existing bucket allocates
// nothing and locks only that bucket (after a read lock on one of 256
// shards to find it).
//
// Idle buckets are dropped without a background goroutine: at most once per
// sweep interval of the callers' time, an Allow that lands in a shard
// removes that shard's full buckets (those idle for at least
// (Burst-tokens)/Rate). Recreating a dropped bucket yields the same full
// bucket (with the same latest time), except that it is full at the Burst
// of the Limit passed then.
// Buckets with Rate 0 that have been used never fill and are never
// dropped (Rate 0, Burst 5 admits 5 requests ever).
type Memory struct {
	buckets    *shardmap.Map[bucket]
	sweepEvery int64 // ns
}

// Option configures a Memory.
type Option func(*Memory)

// WithSweepInterval sets how often (in the times passed to Allow) each
// shard is swept for idle buckets; d <= 0 means DefaultSweepInterval.
func WithSweepInterval(d time.Duration) Option {
	return func(m *Memory) {
		if d > 0 {
			m.sweepEvery = int64(d)
		}
	}
}

// NewMemory returns an empty in-memory Limiter.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{buckets: shardmap.New[bucket](), sweepEvery: int64(DefaultSweepInterval)}
	for _, o := range opts {
		o(m)
	}
	return m
}

var _ Limiter = (*Memory)(nil)

// bucket is one token bucket, padded to a cache line so that buckets used
// by different goroutines do not share one.
type bucket struct {
	mu     sync.Mutex
	dead   bool    // swept out of its shard: look the key up again
	tokens float64 // as of last
	last   int64   // unix ns of the latest now seen
	rate   float64 // of the latest call, for the sweep
	burst  float64 // of the latest call, for the sweep
	_      [16]byte
}

// Allow implements Limiter. ctx is not used.
func (m *Memory) Allow(_ context.Context, key string, l Limit, now time.Time) (bool, error) {
	if err := l.Validate(); err != nil {
		return false, err
	}
	rate, burst := l.Rate, float64(l.Burst)
	t := now.UnixNano()
	sh := m.buckets.Shard(key)
	if sh.Due(t, m.sweepEvery) {
		sweep(sh, t)
	}
	for {
		b := sh.Load(key)
		if b == nil {
			// A bucket dropped by a sweep may have seen a later time than
			// t; its replacement must not refill for time it already had.
			last := max(t, sh.Floor.Load())
			b = sh.LoadOrStore(key, &bucket{tokens: burst, last: last, rate: rate, burst: burst})
		}
		b.mu.Lock()
		if b.dead {
			b.mu.Unlock()
			continue
		}
		ok := b.take(rate, burst, t)
		b.mu.Unlock()
		return ok, nil
	}
}

// Sweep drops, from every shard, the buckets that are full at now (the
// sweeps Allow makes only cover the shard it lands in). It is not needed
// for bounded memory; it makes eviction deterministic in tests and lets an
// owner with a ticker of its own reclaim memory after traffic stops.
func (m *Memory) Sweep(now time.Time) {
	t := now.UnixNano()
	m.buckets.Each(func(sh *shardmap.Shard[bucket]) { sweep(sh, t) })
}

// sweep drops sh's buckets that are full at t, raising sh.floor to the
// latest time they had seen.
func sweep(sh *shardmap.Shard[bucket], t int64) {
	sh.Sweep(func(b *bucket) bool {
		last, ok := b.evict(t)
		if ok && last > sh.Floor.Load() {
			sh.Floor.Store(last) // under sh.mu: no concurrent store
		}
		return ok
	})
}

// Len returns the number of buckets held.
func (m *Memory) Len() int { return m.buckets.Len() }

// take refills b for the time since its last call at rate, caps it at
// burst, and takes a token if there is one. b.mu is held.
func (b *bucket) take(rate, burst float64, t int64) bool {
	if d := t - b.last; d > 0 {
		b.tokens += float64(d) * rate / 1e9
		b.last = t
	}
	if b.tokens > burst {
		b.tokens = burst
	}
	b.rate, b.burst = rate, burst
	if b.tokens >= 1-epsilon {
		b.tokens--
		return true
	}
	return false
}

// evict reports whether b is full at t and, if so, marks it dead. It also
// returns the latest time b had seen.
func (b *bucket) evict(t int64) (last int64, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tokens := b.tokens
	if d := t - b.last; d > 0 && b.rate > 0 {
		tokens += float64(d) * b.rate / 1e9
	}
	if tokens >= b.burst-epsilon {
		b.dead = true
	}
	return max(t, b.last), b.dead
}
