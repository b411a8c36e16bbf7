package ratelimit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

// BenchmarkMemoryAllow measures Allow on existing buckets: one key from
// one goroutine, one key from all (GOMAXPROCS) goroutines, and 1000 keys
// from all goroutines.
func BenchmarkMemoryAllow(b *testing.B) {
	lim := ratelimit.Limit{Rate: 10000, Burst: 5000}
	ctx := context.Background()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("usageplan/abc123/key%04d", i)
	}
	b.Run("single", func(b *testing.B) {
		m := ratelimit.NewMemory()
		now := t0
		b.ReportAllocs()
		for b.Loop() {
			now = now.Add(time.Microsecond)
			m.Allow(ctx, keys[0], lim, now)
		}
	})
	b.Run("parallel-1key", func(b *testing.B) {
		m := ratelimit.NewMemory()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			now := t0
			for pb.Next() {
				now = now.Add(time.Microsecond)
				m.Allow(ctx, keys[0], lim, now)
			}
		})
	})
	b.Run("parallel-1000keys", func(b *testing.B) {
		m := ratelimit.NewMemory()
		for _, k := range keys {
			m.Allow(ctx, k, lim, t0)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			now, i := t0, rand.IntN(len(keys))
			for pb.Next() {
				now = now.Add(time.Microsecond)
				i++
				if i == len(keys) {
					i = 0
				}
				m.Allow(ctx, keys[i], lim, now)
			}
		})
	})
}

// BenchmarkMemoryCounterTake measures Take on existing keys.
func BenchmarkMemoryCounterTake(b *testing.B) {
	q := ratelimit.Quota{Limit: 1 << 40, Period: ratelimit.Month}
	ctx := context.Background()
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("plan%d/key%04d", i%7, i)
	}
	b.Run("single", func(b *testing.B) {
		c := ratelimit.NewMemoryCounter()
		c.Take(ctx, keys[0], q, t0)
		b.ReportAllocs()
		for b.Loop() {
			c.Take(ctx, keys[0], q, t0)
		}
	})
	b.Run("parallel-1000keys", func(b *testing.B) {
		c := ratelimit.NewMemoryCounter()
		for _, k := range keys {
			c.Take(ctx, k, q, t0)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(len(keys))
			for pb.Next() {
				i++
				if i == len(keys) {
					i = 0
				}
				c.Take(ctx, keys[i], q, t0)
			}
		})
	})
}
