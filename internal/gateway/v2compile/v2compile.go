// Package v2compile is what HTTP APIs (internal/gateway/httpapi) and
// WebSocket APIs (internal/gateway/wsapi), both apigatewayv2 APIs, compile
// alike: a snapshot's protocol type, integrations, authorizers and routes,
// Lambda function URIs, authorizer result TTLs, and a stage's access log,
// metric routes and route throttles. What differs by API type is passed
// in: the compile functions, the access-log format, the bucket prefix.
package v2compile

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// CheckProtocol returns notIt, naming the API, when snap is a snapshot of
// an API whose protocol type is not protocol.
func CheckProtocol(snap *modelv2.Snapshot, protocol string, notIt error) error {
	if snap.API.ProtocolType != protocol {
		return fmt.Errorf("api %s: %w", snap.API.ApiID, notIt)
	}
	return nil
}

// Integrations compiles each of a snapshot's integrations, by id; an
// error names the integration.
func Integrations[I any](ins []modelv2.Integration, compile func(*modelv2.Integration) (I, error)) (map[string]I, error) {
	return byID("integration", ins, func(in *modelv2.Integration) string { return in.IntegrationID }, compile)
}

// Authorizers compiles each of a snapshot's authorizers, by id; an error
// names the authorizer.
func Authorizers[A any](as []modelv2.Authorizer, compile func(*modelv2.Authorizer) (A, error)) (map[string]A, error) {
	return byID("authorizer", as, func(a *modelv2.Authorizer) string { return a.AuthorizerID }, compile)
}

func byID[T, C any](kind string, items []T, id func(*T) string, compile func(*T) (C, error)) (map[string]C, error) {
	out := map[string]C{}
	for i := range items {
		it := &items[i]
		c, err := compile(it)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, id(it), err)
		}
		out[id(it)] = c
	}
	return out, nil
}

// SortedRoutes returns a copy of routes sorted by route key, the order of
// a deployment's route list.
func SortedRoutes(routes []modelv2.Route) []modelv2.Route {
	out := slices.Clone(routes)
	slices.SortFunc(out, func(a, b modelv2.Route) int { return strings.Compare(a.RouteKey, b.RouteKey) })
	return out
}

// Target returns the integration a route targets ("integrations/{id}"):
// the zero I for a route without a target, an error for a target that is
// no integration of the API.
func Target[I any](rt *modelv2.Route, integrations map[string]I) (in I, err error) {
	t := model.Deref(rt.Target)
	if t == "" {
		return in, nil
	}
	id, ok := strings.CutPrefix(t, modelv2.TargetPrefix)
	in, found := integrations[id]
	if !ok || !found || any(in) == nil {
		return in, fmt.Errorf("route %q: target %q is no integration of the API", rt.RouteKey, t)
	}
	return in, nil
}

// Authorizer returns the authorizer a route names (authorizerId), an error
// if it is no authorizer of the API.
func Authorizer[A any](rt *modelv2.Route, authorizers map[string]A) (A, error) {
	id := model.Deref(rt.AuthorizerID)
	a := authorizers[id]
	if any(a) == nil {
		return a, fmt.Errorf("route %q: authorizer %q is no authorizer of the API", rt.RouteKey, id)
	}
	return a, nil
}

// LambdaFunction reads the function an integration or authorizer URI
// names: a Lambda invocation URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations)
// or, as HTTP APIs also accept, the function's ARN itself [X] (WebSocket
// APIs' URIs are read alike).
func LambdaFunction(uri string) (upstream.LambdaFunction, error) {
	if strings.HasPrefix(uri, "arn:") && strings.Contains(uri, ":lambda:") && !strings.Contains(uri, ":lambda:path/") {
		uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + uri + "/invocations"
	}
	return upstream.ParseLambdaFunction(uri)
}

// AuthorizerTTL is how long a Lambda authorizer's results are cached:
// authorizerResultTtlInSeconds, 0..3600, 0 turns caching off [M]; unset,
// AWS's console default of 300 s [U].
func AuthorizerTTL(a *modelv2.Authorizer) time.Duration {
	ttl := int64(300)
	if a.AuthorizerResultTTLInSeconds != nil {
		ttl = min(max(*a.AuthorizerResultTTLInSeconds, 0), 3600)
	}
	return time.Duration(ttl) * time.Second
}

// AccessLog opens a stage's access log at its destination ("-", standard
// output, when it names none) with its format compiled by newLog; nil
// when the stage sets no format or logs is nil.
func AccessLog(logs *observe.LogSinks, st *modelv2.Stage, newLog func(format string, sink *observe.LogSink) *observe.AccessLog) (*observe.AccessLog, error) {
	als := st.AccessLogSettings
	if als == nil || model.Deref(als.Format) == "" || logs == nil {
		return nil, nil
	}
	dest := model.Deref(als.DestinationArn)
	if dest == "" {
		dest = "-"
	}
	sink, err := logs.Open(dest)
	if err != nil {
		return nil, err
	}
	return newLog(*als.Format, sink), nil
}

// RouteInfos lists what metrics need of a deployment's routes, in order.
func RouteInfos[R any](routes []R, info func(R) *pipeline.RouteInfo) []*pipeline.RouteInfo {
	out := make([]*pipeline.RouteInfo, len(routes))
	for i, r := range routes {
		out[i] = info(r)
	}
	return out
}

// RouteLimits compiles a stage's route throttles by route index: the
// stage's routeSettings for the route's key (key), else its
// defaultRouteSettings; each throttled route has its own bucket,
// "{prefix}/{api}/{stage}/{route key}". A setting with only one of rate
// and burst takes the other from the account's limit (th's; nil: the
// default) [U]. It returns nil when no route is throttled.
func RouteLimits[R any](th *throttle.Throttling, st *modelv2.Stage, prefix, apiID string, routes []R, key func(R) string) []throttle.RouteLimit {
	acct := throttle.DefaultAccountLimit
	if th != nil {
		acct = th.AccountLimit()
	}
	limitOf := func(s modelv2.RouteSettings) (ratelimit.Limit, bool) {
		if s.ThrottlingRateLimit == nil && s.ThrottlingBurstLimit == nil {
			return ratelimit.Limit{}, false
		}
		l := acct
		if s.ThrottlingRateLimit != nil {
			l.Rate = float64(*s.ThrottlingRateLimit)
		}
		if s.ThrottlingBurstLimit != nil {
			l.Burst = int(*s.ThrottlingBurstLimit)
		}
		return l, true
	}
	def, hasDef := limitOf(st.DefaultRouteSettings)
	var out []throttle.RouteLimit
	for i, r := range routes {
		l, ok := def, hasDef
		if s, found := st.RouteSettings[key(r)]; found {
			if rl, set := limitOf(s); set {
				l, ok = rl, true
			}
		}
		if !ok {
			continue
		}
		if out == nil {
			out = make([]throttle.RouteLimit, len(routes))
		}
		out[i] = throttle.RouteLimit{Key: prefix + "/" + apiID + "/" + st.StageName + "/" + key(r), Limit: l}
	}
	return out
}
