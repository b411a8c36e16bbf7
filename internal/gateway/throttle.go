package gateway

import (
	"context"
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

// Throttling enforces the account and stage/method token buckets
// (reference §5.1); usage-plan limits are the access guard's. The zero
// value throttles nothing.
type Throttling struct {
	// Limiter holds the buckets (in memory, or shared by a cluster).
	Limiter ratelimit.Limiter
	account atomic.Pointer[ratelimit.Limit]
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

// RouteLimit is a stage's throttle for one method: its bucket key and
// limit.
type RouteLimit struct {
	Key   string
	Limit ratelimit.Limit
}

// check takes a token from the method's bucket (if the stage sets one)
// and from the account's. An empty bucket is 429 Too Many Requests.
func (t *Throttling) check(x *Exchange, now time.Time) error {
	if t == nil || t.Limiter == nil {
		return nil
	}
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if rl := x.routeLimit(); rl != nil {
		ok, err := t.Limiter.Allow(ctx, rl.Key, rl.Limit, now)
		if err != nil {
			return pipeline.Fail(pipeline.IntegrationFailure, err)
		}
		if !ok {
			return pipeline.Fail(pipeline.Throttled, nil)
		}
	}
	ok, err := t.Limiter.Allow(ctx, accountBucket, t.AccountLimit(), now)
	if err != nil {
		return pipeline.Fail(pipeline.IntegrationFailure, err)
	}
	if !ok {
		return pipeline.Fail(pipeline.Throttled, nil)
	}
	return nil
}

// routeLimit is the stage's throttle for the matched route, or nil.
func (x *Exchange) routeLimit() *RouteLimit {
	st, r := x.stage, x.Match.Route
	if st == nil || r == nil {
		return nil
	}
	limits := st.RouteLimits
	if x.IsCanary {
		limits = st.CanaryRouteLimits
	}
	if r.Index < len(limits) && limits[r.Index].Key != "" {
		return &limits[r.Index]
	}
	return nil
}
