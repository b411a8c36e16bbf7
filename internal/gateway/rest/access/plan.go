package access

import (
	"context"

	"github.com/tollgate/tollgate/internal/apikey"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// enforcePlan applies a usage plan to a request made with one of its keys
// (reference §5.1): the per-method throttle of the plan's API stage, else
// the plan's throttle, then its quota. Counters are per key per plan,
// across the plan's stages.
func (g *guard) enforcePlan(x *rest.Exchange, keyID string, plan *apikey.Plan) error {
	if plan == nil {
		return nil
	}
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	now := x.Start
	if lim := g.c.Limiter; lim != nil {
		bucket, t := "plan/"+plan.ID+"/"+keyID, plan.Throttle
		if mt, ok := methodThrottle(x, plan); ok {
			bucket, t = bucket+"/"+x.APIID+"/"+x.StageName+methodKey(x), &mt
		}
		if t != nil {
			ok, err := lim.Allow(ctx, bucket, ratelimit.Limit{Rate: t.RateLimit, Burst: int(t.BurstLimit)}, now)
			g.c.Decisions.Record(throttle.PlanThrottle, ok || err != nil)
			if err != nil {
				return throttle.LimitFailure(err)
			}
			if !ok {
				return pipeline.Fail(pipeline.Throttled, nil)
			}
		}
	}
	if q := plan.Quota; q != nil && g.c.Counter != nil {
		period, err := ratelimit.ParsePeriod(q.Period)
		if err != nil {
			return pipeline.Fail(pipeline.APIConfigurationError, err)
		}
		// Calendar periods in UTC [U]; the quota's offset (requests
		// subtracted in the first period) is not applied [U].
		_, ok, err := g.c.Counter.Take(ctx, apikey.QuotaKey(plan.ID, keyID), ratelimit.Quota{Limit: q.Limit, Period: period}, now)
		g.c.Decisions.Record(throttle.PlanQuota, ok || err != nil)
		if err != nil {
			return throttle.LimitFailure(err)
		}
		if !ok {
			return pipeline.Fail(pipeline.QuotaExceeded, nil)
		}
	}
	return nil
}

// methodKey is the usage plan's per-method throttle key for x's route:
// "/{resourcePath}/{VERB}", "//GET" for the root resource.
func methodKey(x *rest.Exchange) string {
	r := x.Route
	return r.ResourcePath + "/" + r.HTTPMethod
}

// methodThrottle finds the plan's throttle for x's method on x's stage.
func methodThrottle(x *rest.Exchange, plan *apikey.Plan) (apikey.Throttle, bool) {
	for i := range plan.Stages {
		s := &plan.Stages[i]
		if s.APIID == x.APIID && s.Stage == x.StageName && s.Methods != nil {
			t, ok := s.Methods[methodKey(x)]
			return t, ok
		}
	}
	return apikey.Throttle{}, false
}
