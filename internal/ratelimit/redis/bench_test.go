package redis_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// scriptCalls returns how many script calls (EVALSHA or EVAL) the server has
// run: the commands a client sends for Allow. (total_commands_processed
// would also count the commands the scripts run inside the server.)
func scriptCalls(b testing.TB, c *redisclient.Client) int64 {
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
		before := scriptCalls(b, c)
		body(b)
		b.ReportMetric(float64(scriptCalls(b, c)-before)/float64(b.N), "scripts/op")
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

// redisCPU returns the CPU time the Redis server has used.
func redisCPU(b testing.TB, c *redisclient.Client) time.Duration {
	b.Helper()
	rc := c.Rueidis()
	info, err := rc.Do(context.Background(), rc.B().Info().Section("cpu").Build()).ToString()
	if err != nil {
		b.Fatal(err)
	}
	var s float64
	for line := range strings.SplitSeq(info, "\n") {
		name, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (name == "used_cpu_sys" || name == "used_cpu_user") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("%s: %v", line, err)
			}
			s += f
		}
	}
	return time.Duration(s * 1e9)
}

// selfCPU returns the CPU time this process has used.
func selfCPU(b testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheck measures a request's throttle check as the gateway makes
// it (a stage route bucket and the account's, both at the benchmark
// harness's 1,000,000/s), many requests in flight, in memory and in Redis:
// one script call per bucket, one for both, and with leases, and reports the CPU of this process and of the
// Redis server per check (cpu-µs/op, redis-µs/op) and the script calls
// per check. Compare the sub-benchmarks of one run.
func BenchmarkCheck(b *testing.B) {
	c := dial(b, redisclient.Options{})
	lim := ratelimit.Limit{Rate: 1e6, Burst: 1e6}
	ctx := context.Background()
	par := 32
	if s := os.Getenv("BENCH_PARALLELISM"); s != "" {
		par, _ = strconv.Atoi(s)
	}
	for _, tc := range []struct {
		name string
		l    ratelimit.Limiter
	}{
		{"memory", ratelimit.NewMemory()},
		// One script call per bucket, as before AllowAll.
		{"redis-two-scripts", struct{ ratelimit.Limiter }{rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix(), LeaseNodes: -1})}},
		{"redis-one-script", rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix(), LeaseNodes: -1})},
		{"redis-leased", rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix()})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetParallelism(par)
			scripts0, rcpu0, cpu0 := scriptCalls(b, c), redisCPU(b, c), selfCPU(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				buckets := []ratelimit.Bucket{{Key: "stage/prod/GET/pets", Limit: lim}, {Key: "account", Limit: lim}}
				for pb.Next() {
					if _, err := ratelimit.AllowAll(ctx, tc.l, buckets, time.Now()); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(selfCPU(b)-cpu0)/1e3/n, "cpu-µs/op")
			b.ReportMetric(float64(redisCPU(b, c)-rcpu0)/1e3/n, "redis-µs/op")
			b.ReportMetric(float64(scriptCalls(b, c)-scripts0)/n, "scripts/op")
		})
	}
}
