package httpapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/cors"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// ErrNotHTTP is returned by Compile for a snapshot of an API of another
// protocol type (WebSocket APIs are not served here).
var ErrNotHTTP = errors.New("not an HTTP API")

// errNotYet marks targets a later part of Tollgate serves.
var errNotYet = errors.New("not supported yet")

// Compile turns a deployment's snapshot into a Deployment: routes,
// integrations, authorizers and CORS, each parsed and validated once. A
// snapshot that does not compile (the management API validates what it
// stores, so only a damaged one) returns an error naming what is wrong.
func Compile(env *Env, id string, snap *modelv2.Snapshot) (*Deployment, error) {
	if env == nil {
		env = noEnv
	}
	if snap.API.ProtocolType != modelv2.ProtocolHTTP {
		return nil, fmt.Errorf("api %s: %w", snap.API.ApiID, ErrNotHTTP)
	}
	d := &Deployment{ID: id, APIID: snap.API.ApiID, APIName: snap.API.Name,
		DisableExecuteAPIEndpoint: snap.API.DisableExecuteApiEndpoint}
	if c := snap.API.CorsConfiguration; c != nil {
		p, err := cors.Compile(corsConfig(c))
		if err != nil {
			return nil, fmt.Errorf("corsConfiguration: %w", err)
		}
		d.CORS = p
	}
	integrations := map[string]Integration{}
	for i := range snap.Integrations {
		in := &snap.Integrations[i]
		integ, err := compileIntegration(env, in)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", in.IntegrationID, err)
		}
		integrations[in.IntegrationID] = integ
	}
	authorizers := map[string]Authorizer{}
	for i := range snap.Authorizers {
		a := &snap.Authorizers[i]
		auth, err := compileAuthorizer(env, a)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", a.AuthorizerID, err)
		}
		authorizers[a.AuthorizerID] = auth
	}
	routes := slices.Clone(snap.Routes)
	slices.SortFunc(routes, func(a, b modelv2.Route) int { return strings.Compare(a.RouteKey, b.RouteKey) })
	var iam Authorizer
	for i := range routes {
		rt := &routes[i]
		method, path, _ := strings.Cut(rt.RouteKey, " ")
		r := &Route{
			RouteInfo: pipeline.RouteInfo{
				Index:             len(d.RouteList),
				ResourceID:        rt.RouteID,
				ResourcePath:      path,
				HTTPMethod:        method,
				OperationName:     model.Deref(rt.OperationName),
				AuthorizationType: rt.AuthorizationType,
				RouteKey:          rt.RouteKey,
			},
			Key:    rt.RouteKey,
			Scopes: rt.AuthorizationScopes,
		}
		if rt.RouteKey == defaultKey {
			r.HTTPMethod, r.ResourcePath = "ANY", defaultKey
		}
		if t := model.Deref(rt.Target); t != "" {
			id, ok := strings.CutPrefix(t, modelv2.TargetPrefix)
			if r.Integration = integrations[id]; !ok || r.Integration == nil {
				return nil, fmt.Errorf("route %q: target %q is no integration of the API", rt.RouteKey, t)
			}
		}
		switch rt.AuthorizationType {
		case "", modelv2.AuthNone:
		case modelv2.AuthIAM:
			if iam == nil {
				iam = &iamAuthorizer{region: env.Region, account: env.AccountID, users: env.Users}
			}
			r.Auth = iam
		case modelv2.AuthJWT, modelv2.AuthCustom:
			id := model.Deref(rt.AuthorizerID)
			if r.Auth = authorizers[id]; r.Auth == nil {
				return nil, fmt.Errorf("route %q: authorizer %q is no authorizer of the API", rt.RouteKey, id)
			}
			_, isJWT := r.Auth.(*jwtAuthorizer)
			if isJWT != (rt.AuthorizationType == modelv2.AuthJWT) {
				return nil, fmt.Errorf("route %q: authorizer %q is not of type %s", rt.RouteKey, id, rt.AuthorizationType)
			}
		default:
			return nil, fmt.Errorf("route %q: unknown authorization type %q", rt.RouteKey, rt.AuthorizationType)
		}
		if err := d.Routes.Add(r); err != nil {
			return nil, err
		}
		d.RouteList = append(d.RouteList, r)
	}
	return d, nil
}

func corsConfig(c *modelv2.Cors) cors.Config {
	out := cors.Config{AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
		ExposeHeaders: c.ExposeHeaders, AllowCredentials: model.Deref(c.AllowCredentials)}
	if c.MaxAge != nil {
		n := int(*c.MaxAge)
		out.MaxAge = &n
	}
	return out
}

// compileIntegration compiles an HTTP_PROXY or Lambda AWS_PROXY
// integration; other kinds (private integrations through VPC links, AWS
// service integrations) answer 500, with the cause in the log.
func compileIntegration(env *Env, in *modelv2.Integration) (Integration, error) {
	responses, err := parammap.CompileResponse(in.ResponseParameters)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(in.TimeoutInMillis) * time.Millisecond
	if in.TimeoutInMillis <= 0 {
		timeout = modelv2.DefaultTimeoutHTTP * time.Millisecond
	}
	uri := model.Deref(in.IntegrationURI)
	switch {
	case in.IntegrationType == modelv2.IntegrationHTTPProxy && in.ConnectionType != modelv2.ConnectionVPCLink:
		tpl, err := upstream.ParseURI(uri)
		if err != nil {
			return nil, err
		}
		requests, err := parammap.CompileRequest(in.RequestParameters)
		if err != nil {
			return nil, err
		}
		p := &httpProxy{clients: env.Clients, uri: tpl, timeout: timeout, requests: requests, responses: responses,
			bodyNeed: responseBodyNeed(responses)}
		if m := model.Deref(in.IntegrationMethod); m != "" && m != "ANY" {
			p.method = m
		}
		return p, nil
	case in.IntegrationType == modelv2.IntegrationAWSProxy && model.Deref(in.IntegrationSubtype) == "":
		fn, err := lambdaFunction(uri)
		if err != nil {
			return nil, err
		}
		requests, err := parammap.CompileRequest(in.RequestParameters)
		if err != nil {
			return nil, err
		}
		return &lambdaProxy{inv: env.Lambda, fn: fn, v2: in.PayloadFormatVersion == "2.0", timeout: timeout,
			requests: requests, responses: responses}, nil
	}
	what := in.IntegrationType
	switch {
	case in.ConnectionType == modelv2.ConnectionVPCLink:
		what = "private (VPC_LINK) integrations"
	case in.IntegrationSubtype != nil:
		what = "AWS service integrations (" + *in.IntegrationSubtype + ")"
	}
	return failing{pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("%s: %w", what, errNotYet))}, nil
}

// lambdaFunction reads the function an integration or authorizer URI
// names: a Lambda invocation URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations)
// or, as HTTP APIs also accept, the function's ARN itself [X].
func lambdaFunction(uri string) (upstream.LambdaFunction, error) {
	if strings.HasPrefix(uri, "arn:") && strings.Contains(uri, ":lambda:") && !strings.Contains(uri, ":lambda:path/") {
		uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + uri + "/invocations"
	}
	return upstream.ParseLambdaFunction(uri)
}

// compileAuthorizer compiles a JWT or REQUEST authorizer.
func compileAuthorizer(env *Env, a *modelv2.Authorizer) (Authorizer, error) {
	switch a.AuthorizerType {
	case modelv2.AuthorizerJWT:
		if len(a.IdentitySource) != 1 {
			return nil, fmt.Errorf("a JWT authorizer has exactly one identity source, not %d", len(a.IdentitySource))
		}
		src, err := parammap.CompileValue(a.IdentitySource[0], parammap.ForRequest)
		if err != nil {
			return nil, err
		}
		var issuer string
		var audience []string
		if c := a.JWTConfiguration; c != nil {
			issuer, audience = model.Deref(c.Issuer), c.Audience
		}
		cfg, err := jwtauth.NewJWTAuthorizer(issuer, audience)
		if err != nil {
			return nil, err
		}
		return &jwtAuthorizer{config: cfg, tokens: env.Tokens, source: src}, nil
	case modelv2.AuthorizerRequest:
		fn, err := lambdaFunction(model.Deref(a.AuthorizerURI))
		if err != nil {
			return nil, err
		}
		la := &lambdaAuthorizer{id: a.AuthorizerID, region: env.Region, account: env.AccountID, inv: env.Lambda, fn: fn,
			v2: model.Deref(a.AuthorizerPayloadFormatVersion) == "2.0", simple: model.Deref(a.EnableSimpleResponses)}
		for _, s := range a.IdentitySource {
			v, err := parammap.CompileValue(s, parammap.ForRequest)
			if err != nil {
				return nil, fmt.Errorf("identity source %q: %w", s, err)
			}
			la.sources = append(la.sources, v)
		}
		// authorizerResultTtlInSeconds: 0..3600, 0 turns caching off [M];
		// unset, AWS's console default of 300 s [U].
		ttl := int64(300)
		if a.AuthorizerResultTTLInSeconds != nil {
			ttl = min(max(*a.AuthorizerResultTTLInSeconds, 0), 3600)
		}
		la.ttl = time.Duration(ttl) * time.Second
		return la, nil
	}
	return nil, fmt.Errorf("unknown authorizer type %q", a.AuthorizerType)
}

// NewStage combines a compiled deployment (nil: the stage has none) with
// a stage's settings: variables, route throttles, the access log and
// metrics. Its authorizer cache is in memory; a cluster's deployer
// replaces it with the stage's shared one.
func NewStage(env *Env, st *modelv2.Stage, d *Deployment, apiID string) (*Stage, error) {
	if env == nil {
		env = noEnv
	}
	out := &Stage{
		StageInfo: pipeline.StageInfo{
			Name:      st.StageName,
			APIID:     apiID,
			AccountID: env.AccountID,
			Variables: st.StageVariables,
			AuthCache: pipeline.NewMemoryAuthCache(),
		},
		Deployment: d,
		Env:        env,
	}
	if als := st.AccessLogSettings; als != nil && model.Deref(als.Format) != "" && env.Logs != nil {
		dest := model.Deref(als.DestinationArn)
		if dest == "" {
			dest = "-"
		}
		sink, err := env.Logs.Open(dest)
		if err != nil {
			return nil, err
		}
		out.AccessLog = observe.NewHTTPAccessLog(*als.Format, sink)
	}
	routes := observe.Routes{}
	if d != nil {
		out.RouteLimits = routeLimits(env, st, d)
		routes = observe.Routes{APIName: d.APIName, List: make([]*pipeline.RouteInfo, len(d.RouteList))}
		for i, r := range d.RouteList {
			routes.List[i] = &r.RouteInfo
		}
	}
	out.Metrics = env.Metrics.ForStage(st.StageName, routes, observe.Routes{})
	return out, nil
}

// routeLimits compiles a stage's route throttles: routeSettings for the
// route's key, else defaultRouteSettings; each route has its own bucket
// [D: "Protect your HTTP API", throttling]. A setting with only one of
// rate and burst takes the other from the account's limit [U].
func routeLimits(env *Env, st *modelv2.Stage, d *Deployment) []throttle.RouteLimit {
	acct := throttle.DefaultAccountLimit
	if env.Throttling != nil {
		acct = env.Throttling.AccountLimit()
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
	for i, r := range d.RouteList {
		l, ok := def, hasDef
		if s, found := st.RouteSettings[r.Key]; found {
			if rl, set := limitOf(s); set {
				l, ok = rl, true
			}
		}
		if !ok {
			continue
		}
		if out == nil {
			out = make([]throttle.RouteLimit, len(d.RouteList))
		}
		out[i] = throttle.RouteLimit{Key: "v2stage/" + d.APIID + "/" + st.StageName + "/" + r.Key, Limit: l}
	}
	return out
}
