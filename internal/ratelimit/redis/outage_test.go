package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// TestRedisOutage stops the Redis server under a running client: calls
// fail within the timeout, then at once while the breaker is open; fail
// closed answers ErrUnavailable, fail open answers from node-local state;
// once the server is back (empty, its scripts gone) the same client works
// again without being reopened.
func TestRedisOutage(t *testing.T) {
	const timeout, cooldown = 500 * time.Millisecond, 300 * time.Millisecond
	c := dial(t, redisclient.Options{Timeout: timeout, Cooldown: cooldown})
	prefix := newPrefix()
	closedL := rlredis.NewLimiter(c, rlredis.Options{Prefix: prefix})
	openL := rlredis.NewLimiter(c, rlredis.Options{Prefix: prefix, FailMode: redisclient.FailOpen})
	closedQ := rlredis.NewCounter(c, rlredis.Options{Prefix: prefix})
	openQ := rlredis.NewCounter(c, rlredis.Options{Prefix: prefix, FailMode: redisclient.FailOpen})
	lim := ratelimit.Limit{Rate: 1, Burst: 1}
	q := ratelimit.Quota{Limit: 1, Period: ratelimit.Day}
	ctx := context.Background()
	now := time.Now()
	if ok, err := closedL.Allow(ctx, "k", lim, now); !ok || err != nil {
		t.Fatalf("before the outage: %v, %v", ok, err)
	}

	if err := srv.Halt(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = srv.Start()
		}
	}()
	// Fail closed: an error naming the cause, within the timeout (and at
	// once once the breaker is open).
	for i := range 5 {
		start := time.Now()
		ok, err := closedL.Allow(ctx, "k", lim, now)
		took := time.Since(start)
		if ok || !errors.Is(err, ratelimit.ErrUnavailable) || !errors.Is(err, redisclient.ErrUnavailable) {
			t.Fatalf("call %d with Redis down: %v, %v; want ErrUnavailable", i, ok, err)
		}
		if took > timeout+200*time.Millisecond {
			t.Fatalf("call %d with Redis down took %v, want at most the %v timeout", i, took, timeout)
		}
		if i == 0 {
			t.Logf("fail closed: %v after %v", err, took.Round(time.Microsecond))
		}
	}
	if _, _, err := closedQ.Take(ctx, "q", q, now); !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Fatalf("quota, fail closed: %v; want ErrUnavailable", err)
	}
	// Fail open: node-local buckets and counts.
	if ok, err := openL.Allow(ctx, "k", lim, now); !ok || err != nil {
		t.Fatalf("fail open: %v, %v; want a local bucket's token", ok, err)
	}
	if ok, err := openL.Allow(ctx, "k", lim, now); ok || err != nil {
		t.Fatalf("fail open, second call: %v, %v; the local bucket is empty", ok, err)
	}
	if _, ok, err := openQ.Take(ctx, "q", q, now); !ok || err != nil {
		t.Fatalf("quota, fail open: %v, %v", ok, err)
	}
	// Adjustments and usage need Redis in either mode.
	if err := openQ.SetRemaining(ctx, "q", q, 3, now); !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Fatalf("SetRemaining with Redis down: %v; want ErrUnavailable", err)
	}
	if _, err := openQ.Usage(ctx, "q", q, now, now); !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Fatalf("Usage with Redis down: %v; want ErrUnavailable", err)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	var ok bool
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err = closedL.Allow(ctx, "k2", lim, now); err == nil {
			break
		}
	}
	if !ok || err != nil {
		t.Fatalf("after Redis came back: %v, %v", ok, err)
	}
	if ok, err := closedL.Allow(ctx, "k2", lim, now); ok || err != nil {
		t.Fatalf("after Redis came back, second call: %v, %v; want the shared bucket empty", ok, err)
	}
	if _, ok, err := closedQ.Take(ctx, "q", q, now); !ok || err != nil {
		t.Fatalf("quota after Redis came back: %v, %v", ok, err)
	}
	// Keys hash to each of the client's pipelined connections; the ones
	// still holding a connection to the stopped server fail once and are
	// retried on a new one, so no call fails.
	for i := range 64 {
		if ok, err := closedL.Allow(ctx, fmt.Sprint("fresh", i), lim, now); !ok || err != nil {
			t.Fatalf("after Redis came back, key %d: %v, %v; want every connection to recover without a failed call", i, ok, err)
		}
	}
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping after Redis came back: %v", err)
	}
}

// TestRedisHung freezes the Redis server: a throttle check gives up after
// the timeout (the latency a hung Redis adds), later checks fail at once
// while the breaker is open, and checks succeed again once the server
// answers.
func TestRedisHung(t *testing.T) {
	const timeout, cooldown = 100 * time.Millisecond, 500 * time.Millisecond
	c := dial(t, redisclient.Options{Timeout: timeout, Cooldown: cooldown})
	l := rlredis.NewLimiter(c, rlredis.Options{Prefix: newPrefix()})
	lim := ratelimit.Limit{Rate: 100, Burst: 100}
	ctx := context.Background()
	var err error
	for range 10 { // a loaded machine may miss the short timeout once
		if _, err = l.Allow(ctx, "k", lim, time.Now()); err == nil {
			break
		}
		time.Sleep(cooldown)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_ = srv.Resume()
		}
	}()
	start := time.Now()
	_, err = l.Allow(ctx, "k", lim, time.Now())
	first := time.Since(start)
	if !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Fatalf("check against a hung Redis: %v; want ErrUnavailable", err)
	}
	if first < timeout || first > timeout+500*time.Millisecond {
		t.Fatalf("check against a hung Redis took %v, want about the %v timeout", first, timeout)
	}
	start = time.Now()
	_, err = l.Allow(ctx, "k", lim, time.Now())
	second := time.Since(start)
	if !errors.Is(err, ratelimit.ErrUnavailable) || second >= timeout {
		t.Fatalf("check with the breaker open: %v after %v; want ErrUnavailable at once", err, second)
	}
	t.Logf("hung Redis: first check failed after %v, the next after %v", first.Round(time.Millisecond), second)
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err = l.Allow(ctx, "k", lim, time.Now()); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("after Redis answered again: %v", err)
	}
}
