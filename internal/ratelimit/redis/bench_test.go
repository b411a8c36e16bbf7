package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// scripts returns how many script calls (EVALSHA or EVAL) the server has
// run: the commands a client sends for Allow. (total_commands_processed
// would also count the commands the scripts run inside the server.)
func scripts(b *testing.B, c *redisclient.Client) int64 {
	b.Helper()
	rc := c.Rueidis()
	info, err := rc.Do(context.Background(), rc.B().Info().Section("commandstats").Build()).ToString()
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for line := range strings.SplitSeq(info, "\n") {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (name != "cmdstat_evalsha" && name != "cmdstat_eval") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		v, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			b.Fatalf("%s: %v", line, err)
		}
		n += v
	}
	return n
}

// BenchmarkLimiter measures a throttle check on Redis, one caller at a
// time and many at once, and reports the commands each check sent
// (scripts/op: 1 is one EVALSHA, one round trip, auto-pipelined with the
// others in flight).
func BenchmarkLimiter(b *testing.B) {
	c := dial(b, redisclient.Options{})
	l := rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix()})
	lim := ratelimit.Limit{Rate: 1e9, Burst: 1e9}
	ctx := context.Background()
	run := func(b *testing.B, body func(b *testing.B)) {
		before := scripts(b, c)
		body(b)
		b.ReportMetric(float64(scripts(b, c)-before)/float64(b.N), "scripts/op")
	}
	b.Run("serial", func(b *testing.B) {
		run(b, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := l.Allow(ctx, fmt.Sprintf("k%d", i%100), lim, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(32) // many requests in flight, as on a busy gateway
		run(b, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := l.Allow(ctx, fmt.Sprintf("k%d", i%100), lim, time.Now()); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	})
}

// BenchmarkCounter measures a quota Take on Redis (a monthly quota: the
// script sums up to 31 days).
func BenchmarkCounter(b *testing.B) {
	c := dial(b, redisclient.Options{})
	k := rlredis.NewCounter(c, rlredis.Options{Prefix: newPrefix()})
	q := ratelimit.Quota{Limit: 1 << 40, Period: ratelimit.Month}
	ctx := context.Background()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, _, err := k.Take(ctx, fmt.Sprintf("k%d", i%100), q, time.Now()); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
