package ratelimit

import (
	"context"
	"time"
)

// Bucket names one bucket of a check and the limit it is taken at.
type Bucket struct {
	Key   string
	Limit Limit
}

// MultiLimiter is a Limiter that checks several buckets at once: a shared
// store answers a request's account, stage and usage-plan buckets in one
// round trip.
type MultiLimiter interface {
	Limiter
	// AllowAll takes one token from every bucket if each has one, and
	// none otherwise: a refusal by one bucket leaves the others' tokens
	// where they were. It returns -1 when the tokens were taken, else the
	// index of the first bucket that had none. Buckets are refilled as
	// Allow refills them; an invalid Limit is an error wrapping
	// ErrInvalidLimit (and takes nothing).
	AllowAll(ctx context.Context, buckets []Bucket, now time.Time) (denied int, err error)
}

// AllowAll checks buckets on l: with one call if l is a MultiLimiter,
// else with one Allow per bucket in order (then a refusal leaves the
// tokens of the buckets before it taken).
func AllowAll(ctx context.Context, l Limiter, buckets []Bucket, now time.Time) (int, error) {
	if m, ok := l.(MultiLimiter); ok {
		return m.AllowAll(ctx, buckets, now)
	}
	for i, b := range buckets {
		ok, err := l.Allow(ctx, b.Key, b.Limit, now)
		if err != nil {
			return i, err
		}
		if !ok {
			return i, nil
		}
	}
	return -1, nil
}

// AllowAll implements MultiLimiter: it takes from the buckets in order
// and, when one refuses, gives back the tokens taken from those before
// it (capped at their burst). ctx is not used.
func (m *Memory) AllowAll(ctx context.Context, buckets []Bucket, now time.Time) (int, error) {
	for _, b := range buckets {
		if err := b.Limit.Validate(); err != nil {
			return 0, err
		}
	}
	for i, b := range buckets {
		ok, _ := m.Allow(ctx, b.Key, b.Limit, now)
		if !ok {
			for _, p := range buckets[:i] {
				m.refund(p.Key, float64(p.Limit.Burst))
			}
			return i, nil
		}
	}
	return -1, nil
}

var _ MultiLimiter = (*Memory)(nil)

// refund gives a token back to bucket key, capped at burst (a bucket swept
// out meanwhile was full: nothing to give back).
func (m *Memory) refund(key string, burst float64) {
	b := m.buckets.Shard(key).Load(key)
	if b == nil {
		return
	}
	b.mu.Lock()
	if !b.dead {
		b.tokens = min(b.tokens+1, burst)
	}
	b.mu.Unlock()
}
