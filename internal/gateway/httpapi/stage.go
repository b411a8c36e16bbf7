package httpapi

import (
	"context"
	"log/slog"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/cors"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/jwtauth"
)

// Deployment is a compiled deployment of an HTTP API: everything that
// changes only when the API is redeployed. It is immutable and may be
// shared by stages.
type Deployment struct {
	ID, APIID, APIName string
	// Routes selects the route of a request.
	Routes Routes
	// RouteList holds every route by Route.Index.
	RouteList []*Route
	// CORS is the API's corsConfiguration (nil: none).
	CORS *cors.Policy
	// DisableExecuteAPIEndpoint makes the execute-api addresses answer 403.
	DisableExecuteAPIEndpoint bool
}

// Stage is a compiled stage: a deployment plus the stage's own settings
// (variables, throttles, access log), which take effect without
// redeploying. A Stage is a pipeline.Target.
type Stage struct {
	pipeline.StageInfo
	// Deployment is what the stage serves; nil for a stage that has no
	// deployment yet, which answers every request 404 [U].
	Deployment *Deployment
	AccessLog  *observe.AccessLog
	Metrics    *observe.StageMetrics
	// RouteLimits are the stage's route throttles by Route.Index; an empty
	// Key means the account limit only.
	RouteLimits []throttle.RouteLimit
	// Env is what every HTTP API stage shares (nil: nothing; tests).
	Env *Env
}

// Env is what every HTTP API stage shares, fixed at start-up: the account,
// the log, throttles, and what integrations and authorizers call.
type Env struct {
	Region, AccountID string
	Log               *slog.Logger
	// Throttling enforces account and route throttles (nil: none).
	Throttling *throttle.Throttling
	// Clients reach HTTP backends (nil: HTTP_PROXY routes answer 500).
	Clients *upstream.Clients
	// Lambda invokes integrations and Lambda authorizers.
	Lambda invoker.Lambda
	// Tokens verifies JWT authorizers' tokens (jwtauth.NewHTTPAPI; nil:
	// every token is refused).
	Tokens *jwtauth.Verifier
	// Users authenticate AWS_IAM routes (nil: no caller is known).
	Users *authz.Users
	// Metrics and Logs record what stages serve (nil: nothing).
	Metrics *observe.Metrics
	Logs    *observe.LogSinks
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
// the stage is gone) did not take over: its metric series and its
// authorizer cache's entries.
func (st *Stage) Retire(next pipeline.Target) {
	var (
		metrics *observe.StageMetrics
		auth    pipeline.AuthCache
	)
	if n, ok := next.(*Stage); ok && n != nil {
		metrics, auth = n.Metrics, n.AuthCache
	}
	st.Metrics.Retire(metrics)
	if st.AuthCache != nil && st.AuthCache != auth {
		if err := st.AuthCache.Flush(context.Background()); err != nil {
			st.env().log().Warn("flushing a retired authorizer cache", "api", st.APIID, "stage", st.Name, "err", err)
		}
	}
}

// ServeUnknownStage implements pipeline.UnknownStage: a request to the
// API that names no stage it has (and that no $default stage takes) is
// answered 404 {"message":"Not Found"} [D: "stage selection comes before
// route selection"].
func (st *Stage) ServeUnknownStage(_ context.Context, _ pipeline.Request, resp pipeline.Response, _ pipeline.Address) {
	id := newRequestID()
	setRequestID(resp, id)
	writeAnswer(resp, notFound)
}

var (
	_ pipeline.Target       = (*Stage)(nil)
	_ pipeline.Retirer      = (*Stage)(nil)
	_ pipeline.UnknownStage = (*Stage)(nil)
)

// routeLimit is the stage's throttle for the matched route, or nil.
func (x *Exchange) routeLimit() *throttle.RouteLimit {
	st, r := x.stage, x.Match.Route
	if r == nil || r.Index >= len(st.RouteLimits) || st.RouteLimits[r.Index].Key == "" {
		return nil
	}
	return &st.RouteLimits[r.Index]
}
