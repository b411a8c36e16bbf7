package limitertest

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

// RunMulti runs the suite of ratelimit.MultiLimiter's AllowAll.
func RunMulti(t *testing.T, newLimiter func(t *testing.T) ratelimit.MultiLimiter) {
	t.Run("AllOrNothing", func(t *testing.T) { testAllOrNothing(t, newLimiter(t)) })
	t.Run("AllInvalid", func(t *testing.T) { testAllInvalid(t, newLimiter(t)) })
}

// testAllOrNothing: a refusal by one bucket takes no token from the
// others, and AllowAll shares its buckets with Allow.
func testAllOrNothing(t *testing.T, l ratelimit.MultiLimiter) {
	route := ratelimit.Bucket{Key: t.Name() + "/route", Limit: ratelimit.Limit{Rate: 1, Burst: 3}}
	account := ratelimit.Bucket{Key: t.Name() + "/account", Limit: ratelimit.Limit{Rate: 1, Burst: 1}}
	both := []ratelimit.Bucket{route, account}
	check := func(want int) {
		t.Helper()
		got, err := l.AllowAll(context.Background(), both, t0)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("AllowAll = %d, want %d", got, want)
		}
	}
	check(-1) // route 2 left, account 0
	check(1)  // the account refuses: the route keeps its 2
	check(1)
	r := bucket{t: t, l: l, key: route.Key}
	r.expect(route.Limit, t0, true, true, false)
	// Refilled as Allow refills: one second later each has a token.
	if got, err := l.AllowAll(context.Background(), both, t0.Add(1e9)); err != nil || got != -1 {
		t.Fatalf("AllowAll a second later = %d, %v; want -1", got, err)
	}
	check(0) // the route is empty now
}

// testAllInvalid: an invalid limit anywhere takes nothing.
func testAllInvalid(t *testing.T, l ratelimit.MultiLimiter) {
	ok := ratelimit.Bucket{Key: t.Name() + "/ok", Limit: ratelimit.Limit{Rate: 1, Burst: 1}}
	bad := ratelimit.Bucket{Key: t.Name() + "/bad", Limit: ratelimit.Limit{Rate: -1, Burst: 1}}
	if _, err := l.AllowAll(context.Background(), []ratelimit.Bucket{ok, bad}, t0); !errors.Is(err, ratelimit.ErrInvalidLimit) {
		t.Fatalf("AllowAll with rate -1: %v, want ErrInvalidLimit", err)
	}
	b := bucket{t: t, l: l, key: ok.Key}
	b.expect(ok.Limit, t0, true, false)
}
