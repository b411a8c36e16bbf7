package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/cors"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/gateway/v2compile"
	"github.com/tollgate/tollgate/internal/jwtauth"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// ErrNotHTTP is returned by Compile for a snapshot of an API of another
// protocol type (WebSocket APIs are not served here).
var ErrNotHTTP = errors.New("not an HTTP API")

// Compile turns a deployment's snapshot into a Deployment: routes,
// integrations, authorizers and CORS, each parsed and validated once. A
// snapshot that does not compile (the management API validates what it
// stores, so only a damaged one) returns an error naming what is wrong.
func Compile(env *Env, id string, snap *modelv2.Snapshot) (*Deployment, error) {
	if env == nil {
		env = noEnv
	}
	if err := v2compile.CheckProtocol(snap, modelv2.ProtocolHTTP, ErrNotHTTP); err != nil {
		return nil, err
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
	integrations, err := v2compile.Integrations(snap.Integrations, func(in *modelv2.Integration) (Integration, error) {
		integ, err := compileIntegration(env, in)
		if u, ok := integ.(*unsupported); ok {
			env.log().Warn("deployment has an integration Tollgate does not serve; its routes answer "+
				fmt.Sprint(u.answer.status), "api", snap.API.ApiID, "deployment", id, "integration", u.id, "unsupported", u.what)
		}
		return integ, err
	})
	if err != nil {
		return nil, err
	}
	authorizers, err := v2compile.Authorizers(snap.Authorizers, func(a *modelv2.Authorizer) (Authorizer, error) {
		return compileAuthorizer(env, a)
	})
	if err != nil {
		return nil, err
	}
	routes := v2compile.SortedRoutes(snap.Routes)
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
		if r.Integration, err = v2compile.Target(rt, integrations); err != nil {
			return nil, err
		}
		switch rt.AuthorizationType {
		case "", modelv2.AuthNone:
		case modelv2.AuthIAM:
			if iam == nil {
				iam = &iamAuthorizer{region: env.Region, account: env.AccountID, users: env.Users}
			}
			r.Auth = iam
		case modelv2.AuthJWT, modelv2.AuthCustom:
			if r.Auth, err = v2compile.Authorizer(rt, authorizers); err != nil {
				return nil, err
			}
			_, isJWT := r.Auth.(*jwtAuthorizer)
			if isJWT != (rt.AuthorizationType == modelv2.AuthJWT) {
				return nil, fmt.Errorf("route %q: authorizer %q is not of type %s", rt.RouteKey, model.Deref(rt.AuthorizerID), rt.AuthorizationType)
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
// service integrations) are unsupported (see unsupportedIntegration).
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
		fn, err := v2compile.LambdaFunction(uri)
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
	return unsupportedIntegration(in), nil
}

// unsupportedIntegration is what serves an integration Tollgate cannot
// call:
//
//   - a private integration (VPC_LINK) answers 503 {"message":"Service
//     Unavailable"}, as AWS answers when the VPC link's target cannot be
//     reached [C: reports of unhealthy load balancer targets behind HTTP
//     API VPC links; U];
//   - an AWS service integration (integrationSubtype, e.g.
//     SQS-SendMessage) answers 500 {"message":"Internal Server Error"},
//     AWS's answer to a failed integration [D].
func unsupportedIntegration(in *modelv2.Integration) *unsupported {
	u := &unsupported{id: in.IntegrationID, answer: internalError}
	switch {
	case in.ConnectionType == modelv2.ConnectionVPCLink:
		u.what, u.answer = "private integrations (connectionType VPC_LINK, connectionId "+
			model.Deref(in.ConnectionID)+", integrationUri "+model.Deref(in.IntegrationURI)+")", unavailable
	case in.IntegrationSubtype != nil:
		u.what = "AWS service integrations (integrationSubtype " + *in.IntegrationSubtype + ")"
	default:
		u.what = in.IntegrationType + " integrations"
	}
	return u
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
		return newJWTAuthorizer(cfg, env.Tokens, src), nil
	case modelv2.AuthorizerRequest:
		fn, err := v2compile.LambdaFunction(model.Deref(a.AuthorizerURI))
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
		la.ttl = v2compile.AuthorizerTTL(a)
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
	var err error
	if out.AccessLog, err = v2compile.AccessLog(env.Logs, st, observe.NewHTTPAccessLog); err != nil {
		return nil, err
	}
	routes := observe.Routes{APIID: apiID, HTTP: true}
	if d != nil {
		// Each route has its own bucket [D: "Protect your HTTP API",
		// throttling].
		out.RouteLimits = v2compile.RouteLimits(env.Throttling, st, "v2stage", d.APIID, d.RouteList, routeKey)
		routes.APIName = d.APIName
		routes.List = v2compile.RouteInfos(d.RouteList, routeInfo)
	}
	out.Metrics = env.Metrics.ForStage(st.StageName, routes, observe.Routes{})
	if st.Tags[TracingTag] == "true" {
		out.Tracing = env.Tracer.Stage(tracing.StageSpec{APIID: apiID, APIName: routes.APIName, Stage: st.StageName, Type: tracing.HTTP})
	}
	return out, nil
}

// TracingTag is the stage tag that turns tracing on for an HTTP API stage
// (value "true"): HTTP APIs have no tracingEnabled setting of their own
// [D: HTTP APIs do not support X-Ray; U: the tag is Tollgate's].
const TracingTag = "tollgate:tracingEnabled"

// routeKey and routeInfo are what v2compile reads of a route.
func routeKey(r *Route) string               { return r.Key }
func routeInfo(r *Route) *pipeline.RouteInfo { return &r.RouteInfo }
