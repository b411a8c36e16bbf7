package throttle

import "sync/atomic"

// Limit is the kind of limit a decision applied.
type Limit uint8

// Limits, in the order a request meets them.
const (
	// AccountThrottle is the account's token bucket.
	AccountThrottle Limit = iota
	// RouteThrottle is a stage's method (REST) or route (HTTP API) bucket.
	RouteThrottle
	// PlanThrottle is a usage plan's throttle for an API key.
	PlanThrottle
	// PlanQuota is a usage plan's quota for an API key.
	PlanQuota
	numLimits
)

// String names a limit as the metrics label it ("account", "route",
// "usage_plan", "quota").
func (l Limit) String() string {
	return [...]string{"account", "route", "usage_plan", "quota"}[l]
}

// Limits lists every limit.
func Limits() []Limit { return []Limit{AccountThrottle, RouteThrottle, PlanThrottle, PlanQuota} }

// Decisions counts throttle and quota decisions (Tollgate's own metrics):
// one atomic addition per decision. A limiter that fails counts as
// allowed (its failure is answered elsewhere). A nil *Decisions counts
// nothing.
type Decisions struct {
	n [numLimits][2]atomic.Uint64 // [limit][refused, allowed]
}

// Record counts one decision.
func (d *Decisions) Record(l Limit, allowed bool) {
	if d == nil {
		return
	}
	i := 0
	if allowed {
		i = 1
	}
	d.n[l][i].Add(1)
}

// Count returns how many decisions of limit l allowed (or refused) a
// request.
func (d *Decisions) Count(l Limit, allowed bool) uint64 {
	if d == nil {
		return 0
	}
	i := 0
	if allowed {
		i = 1
	}
	return d.n[l][i].Load()
}
