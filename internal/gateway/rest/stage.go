package rest

import (
	"context"
	"log/slog"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/waf"
)

// Deployment is a compiled deployment: everything that changes only when
// the API is redeployed. It is immutable and may be shared by stages.
type Deployment struct {
	ID                        string
	APIID                     string
	APIName                   string
	Routes                    router.Tree[Route]
	NumRoutes                 int
	RouteList                 []*Route
	GatewayResponses          *GatewayResponses
	BinaryMediaTypes          []string
	DisableExecuteAPIEndpoint bool
	// Private APIs (endpoint type PRIVATE) answer only requests from a
	// configured private network, and only with a resource policy.
	Private   bool
	HasPolicy bool
}

// Stage is a compiled stage: a deployment plus the stage's own settings,
// which take effect without redeploying.
type Stage struct {
	pipeline.StageInfo
	Deployment *Deployment
	// Canary is the canary's deployment (nil: none), which serves
	// CanaryPercent of the requests with StageInfo.CanaryVariables.
	Canary        *Deployment
	CanaryPercent float64
	AccessLog     *observe.AccessLog
	// ExecLog is the stage's execution logging (nil: off everywhere).
	ExecLog *ExecLog
	Metrics *observe.StageMetrics
	// Tracing records the spans of the stage's requests (tracingEnabled
	// with a collector configured); nil: the stage does not trace.
	Tracing *tracing.Stage
	// RouteLimits are the stage's method throttles, by Route.Index of
	// Deployment (CanaryRouteLimits: of Canary); an empty Key means none.
	RouteLimits, CanaryRouteLimits []throttle.RouteLimit
	// Cache is the stage's response cache (cacheClusterEnabled), nil
	// when the stage has none.
	Cache *StageCache
	// Env is what every REST stage shares (nil: nothing; tests).
	Env *Env
	// Clients, when set, are the HTTP clients of the stage's HTTP and
	// HTTP_PROXY integrations, presenting the stage's client certificate
	// (clientCertificateId); nil: the integrations' own (HTTPClients).
	Clients *upstream.Clients
	// WAF is the stage's AWS WAF web ACL (nil: none).
	WAF *waf.ACL
}

// Env is what every REST stage shares, fixed at start-up.
type Env struct {
	// AccountID owns every API (deployment copies it into each stage's
	// StageInfo).
	AccountID string
	Log       *slog.Logger
	// Networks are the private networks that may call PRIVATE APIs.
	Networks pipeline.Networks
	// Throttling enforces account and stage throttles (nil: none).
	Throttling *throttle.Throttling
}

// noEnv serves stages compiled without an Env.
var noEnv = &Env{}

// env returns st's Env, never nil.
func (st *Stage) env() *Env {
	if st.Env == nil {
		return noEnv
	}
	return st.Env
}

var discardLog = slog.New(slog.DiscardHandler)

// log returns the logger, never nil.
func (e *Env) log() *slog.Logger {
	if e.Log == nil {
		return discardLog
	}
	return e.Log
}

// Retire implements pipeline.Retirer: once the front door no longer
// serves st, it releases what st owns that next (its successor; nil when
// the stage is gone) did not take over: its metric series (see
// observe.StageMetrics.Retire), the authorizer cache's entries, the stage
// cache's entries.
func (st *Stage) Retire(next pipeline.Target) {
	var (
		metrics *observe.StageMetrics
		auth    *pipeline.AuthorizerCache
		results pipeline.AuthCache
		cache   respcache.Cache
	)
	if n, ok := next.(*Stage); ok && n != nil {
		metrics, auth, results = n.Metrics, n.AuthorizerCache, n.AuthCache
		if n.Cache != nil {
			cache = n.Cache.Store
		}
	}
	st.Metrics.Retire(metrics)
	if st.AuthorizerCache != nil && st.AuthorizerCache != auth {
		st.AuthorizerCache.Flush()
	}
	if st.AuthCache != nil && st.AuthCache != results {
		if err := st.AuthCache.Flush(context.Background()); err != nil {
			st.env().log().Warn("flushing a retired authorizer cache", "api", st.APIID, "stage", st.Name, "err", err)
		}
	}
	if st.Cache != nil && st.Cache.Store != cache {
		if err := st.Cache.Store.Flush(context.Background()); err != nil {
			st.env().log().Warn("flushing a retired stage cache", "api", st.APIID, "stage", st.Name, "err", err)
		}
	}
}

var _ pipeline.Retirer = (*Stage)(nil)

// routeLimit is the stage's throttle for the matched route, or nil.
func (x *Exchange) routeLimit() *throttle.RouteLimit {
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
