package wsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/v2compile"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// ErrNotWebSocket is returned by Compile for a snapshot of an API of
// another protocol type.
var ErrNotWebSocket = errors.New("not a WebSocket API")

// errNotYet marks integrations a later part of Tollgate serves.
var errNotYet = errors.New("not supported yet")

// Compile turns a deployment's snapshot into a Deployment: the route
// selection expression, routes, integrations and the $connect
// authorizer, each parsed once.
func Compile(env *Env, id string, snap *modelv2.Snapshot) (*Deployment, error) {
	if env == nil {
		env = noEnv
	}
	if err := v2compile.CheckProtocol(snap, modelv2.ProtocolWebSocket, ErrNotWebSocket); err != nil {
		return nil, err
	}
	sel, err := CompileSelection(snap.API.RouteSelectionExpression)
	if err != nil {
		return nil, err
	}
	d := &Deployment{ID: id, APIID: snap.API.ApiID, APIName: snap.API.Name, Selection: sel,
		Routes: map[string]*Route{}, DisableExecuteAPIEndpoint: snap.API.DisableExecuteApiEndpoint,
		KeyFromAuthorizer: snap.API.ApiKeySelectionExpression == "$context.authorizer.usageIdentifierKey"}
	integrations, err := v2compile.Integrations(snap.Integrations, func(in *modelv2.Integration) (Integration, error) {
		return compileIntegration(env, in, snap.IntegrationResponses[in.IntegrationID])
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
	models := newModels(snap)
	routes := v2compile.SortedRoutes(snap.Routes)
	for i := range routes {
		rt := &routes[i]
		r := &Route{
			RouteInfo: pipeline.RouteInfo{Index: len(d.RouteList), ResourceID: rt.RouteID, ResourcePath: rt.RouteKey,
				OperationName: model.Deref(rt.OperationName), AuthorizationType: rt.AuthorizationType, RouteKey: rt.RouteKey},
			Key: rt.RouteKey,
			// Two-way: routeResponseSelectionExpression "$default" and a
			// route response with key "$default" [D].
			TwoWay: model.Deref(rt.RouteResponseSelectionExpression) == modelv2.DefaultResponseKey &&
				hasDefaultResponse(snap.RouteResponses[rt.RouteID]),
			APIKeyRequired: rt.ApiKeyRequired && rt.RouteKey == connectKey,
		}
		if r.Integration, err = v2compile.Target(rt, integrations); err != nil {
			return nil, err
		}
		if r.Models, err = compileModels(models, rt); err != nil {
			return nil, err
		}
		if rt.RouteKey == connectKey {
			r.Required = compileRequired(rt.RequestParameters)
		}
		switch rt.AuthorizationType {
		case "", modelv2.AuthNone:
		case modelv2.AuthIAM:
			r.Auth = &iamAuthorizer{region: env.Region, account: env.AccountID, users: env.Users}
		case modelv2.AuthCustom:
			if r.Auth, err = v2compile.Authorizer(rt, authorizers); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("route %q: authorization type %q is not one of WebSocket APIs", rt.RouteKey, rt.AuthorizationType)
		}
		if r.Auth != nil && r.Key != connectKey {
			// Only $connect is authorized; the management API refuses
			// others [D].
			r.Auth = nil
		}
		switch r.Key {
		case connectKey:
			d.Connect = r
		case disconnectKey:
			d.Disconnect = r
		case defaultKey:
			d.Default = r
		}
		d.Routes[r.Key] = r
		d.RouteList = append(d.RouteList, r)
	}
	return d, nil
}

// compileIntegration compiles an AWS_PROXY (Lambda), MOCK or HTTP_PROXY
// integration; others (AWS, HTTP with templates, private integrations)
// fail every event, with the cause in the log.
func compileIntegration(env *Env, in *modelv2.Integration, responses []modelv2.IntegrationResponse) (Integration, error) {
	timeout := time.Duration(in.TimeoutInMillis) * time.Millisecond
	if in.TimeoutInMillis <= 0 {
		timeout = DefaultTimeout
	}
	uri := model.Deref(in.IntegrationURI)
	switch {
	case in.ConnectionType == modelv2.ConnectionVPCLink:
	case in.IntegrationType == modelv2.IntegrationAWSProxy:
		fn, err := v2compile.LambdaFunction(uri)
		if err != nil {
			return nil, err
		}
		return &lambdaProxy{inv: env.Lambda, fn: fn, timeout: timeout}, nil
	case in.IntegrationType == modelv2.IntegrationMock:
		req, err := compileTemplates("request template", model.Deref(in.TemplateSelectionExpression), in.RequestTemplates)
		if err != nil {
			return nil, err
		}
		res, err := compileIntegrationResponses(responses)
		if err != nil {
			return nil, err
		}
		return &mock{requests: req, responses: res}, nil
	case in.IntegrationType == modelv2.IntegrationHTTP || in.IntegrationType == modelv2.IntegrationAWS:
		req, err := compileTemplates("request template", model.Deref(in.TemplateSelectionExpression), in.RequestTemplates)
		if err != nil {
			return nil, err
		}
		res, err := compileIntegrationResponses(responses)
		if err != nil {
			return nil, err
		}
		if in.IntegrationType == modelv2.IntegrationAWS {
			if !strings.Contains(uri, ":lambda:path/") {
				break // AWS service integrations other than Lambda
			}
			fn, err := v2compile.LambdaFunction(uri)
			if err != nil {
				return nil, err
			}
			return &lambdaIntegration{inv: env.Lambda, fn: fn, timeout: timeout, requests: req, responses: res}, nil
		}
		if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
			return nil, fmt.Errorf("integration URI %q is not an HTTP(S) URL", uri)
		}
		method := model.Deref(in.IntegrationMethod)
		if method == "" || method == "ANY" {
			method = "POST"
		}
		return &httpIntegration{clients: env.Clients, uri: uri, method: method, timeout: timeout, requests: req, responses: res}, nil
	case in.IntegrationType == modelv2.IntegrationHTTPProxy:
		if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
			return nil, fmt.Errorf("integration URI %q is not an HTTP(S) URL", uri)
		}
		method := model.Deref(in.IntegrationMethod)
		if method == "" || method == "ANY" {
			method = "POST"
		}
		return &httpProxy{clients: env.Clients, uri: uri, method: method, timeout: timeout}, nil
	}
	what := in.IntegrationType + " integrations"
	if in.ConnectionType == modelv2.ConnectionVPCLink {
		what = "private (VPC_LINK) integrations"
	}
	return failing{fmt.Errorf("%w: %s: %w", errIntegration, what, errNotYet)}, nil
}

// hasDefaultResponse reports a route response with key $default.
func hasDefaultResponse(rs []modelv2.RouteResponse) bool {
	for _, r := range rs {
		if r.RouteResponseKey == modelv2.DefaultResponseKey {
			return true
		}
	}
	return false
}

// compileAuthorizer compiles a REQUEST (Lambda) authorizer, the only type
// WebSocket APIs have [D].
func compileAuthorizer(env *Env, a *modelv2.Authorizer) (Authorizer, error) {
	if a.AuthorizerType != modelv2.AuthorizerRequest {
		return nil, fmt.Errorf("authorizer type %q is not one of WebSocket APIs", a.AuthorizerType)
	}
	fn, err := v2compile.LambdaFunction(model.Deref(a.AuthorizerURI))
	if err != nil {
		return nil, err
	}
	la := &lambdaAuthorizer{id: a.AuthorizerID, region: env.Region, account: env.AccountID, inv: env.Lambda, fn: fn}
	for _, s := range a.IdentitySource {
		src, err := compileIdentitySource(s)
		if err != nil {
			return nil, err
		}
		la.sources = append(la.sources, src)
	}
	la.ttl = v2compile.AuthorizerTTL(a)
	return la, nil
}

// NewStage combines a compiled deployment (nil: the stage has none) with
// a stage's settings: variables and route throttles.
func NewStage(env *Env, st *modelv2.Stage, d *Deployment, apiID string) (*Stage, error) {
	if env == nil {
		env = noEnv
	}
	out := &Stage{
		StageInfo: pipeline.StageInfo{Name: st.StageName, APIID: apiID, AccountID: env.AccountID,
			Variables: st.StageVariables, AuthorizerCache: pipeline.NewAuthorizerCache()},
		Deployment: d,
		Env:        env,
	}
	routes := observe.Routes{}
	if d != nil {
		// A bucket per route, applied to messages [D].
		out.RouteLimits = v2compile.RouteLimits(env.Throttling, st, "wsstage", d.APIID, d.RouteList, routeKey)
		routes.APIName = d.APIName
		routes.List = v2compile.RouteInfos(d.RouteList, routeInfo)
	}
	out.Metrics = env.Metrics.ForStage(st.StageName, routes, observe.Routes{})
	var err error
	if out.AccessLog, err = v2compile.AccessLog(env.Logs, st, observe.NewWebSocketAccessLog); err != nil {
		return nil, err
	}
	return out, nil
}

// routeKey and routeInfo are what v2compile reads of a route.
func routeKey(r *Route) string               { return r.Key }
func routeInfo(r *Route) *pipeline.RouteInfo { return &r.RouteInfo }

// connectBucket is the account's new-connection bucket.
const connectBucket = "wsconnect"

// admitConnection takes a token from the account's new-connection bucket
// (500 per second [D]): an empty bucket refuses the handshake with 429
// [U: the status].
func (e *Env) admitConnection(ctx context.Context, now time.Time) error {
	if e.Throttling == nil || e.Throttling.Limiter == nil {
		return nil
	}
	l := e.ConnectLimit
	if l.Rate == 0 {
		l = DefaultConnectLimit
	}
	ok, err := e.Throttling.Limiter.Allow(ctx, connectBucket, l, now)
	switch {
	case err != nil:
		return refuse(500, "Internal server error", err)
	case !ok:
		return refuse(429, "Too Many Requests", nil)
	}
	return nil
}
