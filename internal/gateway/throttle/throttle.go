package throttle

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// DefaultAccountLimit is API Gateway's default account throttle: 10,000
// requests per second with a burst of 5,000 (reference §5.1).
var DefaultAccountLimit = ratelimit.Limit{Rate: 10000, Burst: 5000}

// accountBucket is the account-wide bucket's key.
const accountBucket = "account"

// Throttling enforces the account and stage/route token buckets
// (reference §5.1), shared by every API type (the account's bucket is one
// for all APIs); usage-plan limits are REST's access guard's. The zero
// value, and a nil *Throttling, throttle nothing.
type Throttling struct {
	// Limiter holds the buckets (in memory, or shared by a cluster).
	Limiter ratelimit.Limiter
	// Decisions counts what the buckets decided (nil: nothing).
	Decisions *Decisions
	account   atomic.Pointer[ratelimit.Limit]
}

// SetAccountLimit changes the account throttle (UpdateAccount).
func (t *Throttling) SetAccountLimit(l ratelimit.Limit) { t.account.Store(&l) }

// AccountLimit returns the account throttle in force.
func (t *Throttling) AccountLimit() ratelimit.Limit {
	if l := t.account.Load(); l != nil {
		return *l
	}
	return DefaultAccountLimit
}

// RouteLimit is a stage's throttle for one route (a REST method): its
// bucket key and limit.
type RouteLimit struct {
	Key   string
	Limit ratelimit.Limit
}

// Check takes a token from the route's bucket (nil: the stage sets none)
// and from the account's, in one call to the Limiter (one round trip on a
// shared store): both or neither. An empty bucket is 429 Too Many Requests
// (THROTTLED); a limiter that fails is an integration failure.
func (t *Throttling) Check(ctx context.Context, route *RouteLimit, now time.Time) error {
	if t == nil || t.Limiter == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	account := ratelimit.Bucket{Key: accountBucket, Limit: t.AccountLimit()}
	if route == nil {
		ok, err := t.Limiter.Allow(ctx, account.Key, account.Limit, now)
		t.Decisions.Record(AccountThrottle, ok || err != nil)
		return take(ok, err)
	}
	buckets := [2]ratelimit.Bucket{{Key: route.Key, Limit: route.Limit}, account}
	denied, err := ratelimit.AllowAll(ctx, t.Limiter, buckets[:], now)
	switch {
	case err != nil:
		t.Decisions.Record(RouteThrottle, true)
	case denied == 0:
		t.Decisions.Record(RouteThrottle, false)
	default:
		t.Decisions.Record(RouteThrottle, true)
		t.Decisions.Record(AccountThrottle, denied < 0)
	}
	return take(denied < 0, err)
}

// LimitFailure maps an error of a Limiter or Counter to the failure to
// answer with: 503 Service Unavailable when the shared store (Redis) is
// unavailable and set to fail closed, else an integration failure (500).
func LimitFailure(err error) *pipeline.Failure {
	if errors.Is(err, ratelimit.ErrUnavailable) {
		// [U: API Gateway documents no answer for its own throttling
		// store failing; a 503 in its default 5XX shape, as for an
		// unavailable integration.]
		return &pipeline.Failure{Type: pipeline.Default5XX, Message: "Service Unavailable",
			Status: http.StatusServiceUnavailable, ErrorType: "ServiceUnavailableException", Cause: err}
	}
	return pipeline.Fail(pipeline.IntegrationFailure, err)
}

// take maps a bucket's answer to the failure to answer with, or nil.
func take(ok bool, err error) error {
	switch {
	case err != nil:
		return LimitFailure(err)
	case !ok:
		return pipeline.Fail(pipeline.Throttled, nil)
	}
	return nil
}
