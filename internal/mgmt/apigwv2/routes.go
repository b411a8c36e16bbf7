package apigwv2

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// Per-API quotas AWS enforces at creation [D].
const (
	maxRoutes       = 300
	maxIntegrations = 300
	maxStages       = 10
	maxAuthorizers  = 10
	maxScopes       = 10
	maxAudiences    = 50
	maxStageVars    = 100
)

// routeInput is the body of CreateRoute and UpdateRoute.
type routeInput struct {
	ApiKeyRequired                   *bool                                    `json:"apiKeyRequired"`
	AuthorizationScopes              *[]string                                `json:"authorizationScopes"`
	AuthorizationType                *string                                  `json:"authorizationType"`
	AuthorizerID                     *string                                  `json:"authorizerId"`
	ModelSelectionExpression         *string                                  `json:"modelSelectionExpression"`
	OperationName                    *string                                  `json:"operationName"`
	RequestModels                    map[string]string                        `json:"requestModels"`
	RequestParameters                map[string]*modelv2.ParameterConstraints `json:"requestParameters"`
	RouteKey                         *string                                  `json:"routeKey"`
	RouteResponseSelectionExpression *string                                  `json:"routeResponseSelectionExpression"`
	Target                           *string                                  `json:"target"`
}

// check enforces the model's constraints on the members sent.
func (in *routeInput) check(c *checker) {
	c.enum(in.AuthorizationType, "authorizationType", modelv2.AuthorizationTypes)
	c.length(in.OperationName, "operationName", 1, 64)
	if in.AuthorizationScopes != nil {
		for _, s := range *in.AuthorizationScopes {
			c.length(&s, "authorizationScopes", 1, 64)
		}
	}
}

// applyTo changes the members of rt that in sends: an empty string clears
// an optional member, and a request parameter sent as null is removed.
func (in *routeInput) applyTo(rt *modelv2.Route) {
	if in.RouteKey != nil {
		rt.RouteKey = *in.RouteKey
	}
	if in.ApiKeyRequired != nil {
		rt.ApiKeyRequired = *in.ApiKeyRequired
	}
	if in.AuthorizationType != nil {
		rt.AuthorizationType = *in.AuthorizationType
	}
	if in.AuthorizerID != nil {
		rt.AuthorizerID = optional(in.AuthorizerID)
	}
	if in.AuthorizationScopes != nil {
		rt.AuthorizationScopes = *in.AuthorizationScopes
	}
	if in.ModelSelectionExpression != nil {
		rt.ModelSelectionExpression = optional(in.ModelSelectionExpression)
	}
	if in.OperationName != nil {
		rt.OperationName = optional(in.OperationName)
	}
	if in.RouteResponseSelectionExpression != nil {
		rt.RouteResponseSelectionExpression = optional(in.RouteResponseSelectionExpression)
	}
	if in.Target != nil {
		rt.Target = optional(in.Target)
	}
	rt.RequestModels = mergeMap(rt.RequestModels, in.RequestModels, func(v string) bool { return v == "" })
	if in.RequestParameters != nil {
		params := make(map[string]modelv2.ParameterConstraints, len(rt.RequestParameters)+len(in.RequestParameters))
		for k, v := range rt.RequestParameters {
			params[k] = v
		}
		for k, v := range in.RequestParameters {
			if v == nil {
				delete(params, k)
			} else {
				params[k] = *v
			}
		}
		rt.RequestParameters = params
	}
	if rt.AuthorizationType == modelv2.AuthNone || rt.AuthorizationType == modelv2.AuthIAM {
		// A route that stops using an authorizer forgets it [U].
		if in.AuthorizationType != nil && in.AuthorizerID == nil {
			rt.AuthorizerID = nil
		}
	}
	if rt.AuthorizationType != modelv2.AuthJWT && in.AuthorizationType != nil && in.AuthorizationScopes == nil {
		rt.AuthorizationScopes = nil
	}
	if len(rt.AuthorizationScopes) == 0 {
		rt.AuthorizationScopes = nil
	}
}

// mergeMap applies a partial map update: keys sent with a value for which
// remove is true are deleted, others set. A nil update changes nothing.
func mergeMap[V any](old, upd map[string]V, remove func(V) bool) map[string]V {
	if upd == nil {
		return old
	}
	out := make(map[string]V, len(old)+len(upd))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range upd {
		if remove(v) {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkRoute validates a route as it would be stored, against the API and
// its other routes, integrations and authorizers.
func (a *API) checkRoute(ctx context.Context, rd store.Reader, api modelv2.Api, rt *modelv2.Route, others []modelv2.Route) error {
	if len(rt.AuthorizationScopes) > maxScopes {
		return bad("A route can have at most %d authorization scopes", maxScopes) // [D][U: text]
	}
	if err := checkRouteKey(api.ProtocolType, rt.RouteKey, others); err != nil {
		return err
	}
	if err := a.checkRouteAuth(ctx, rd, api, rt); err != nil {
		return err
	}
	if p := rt.RouteResponseSelectionExpression; p != nil && api.ProtocolType == modelv2.ProtocolWebSocket && *p != modelv2.DefaultResponseKey {
		return bad("Invalid route response selection expression specified: %s. Only $default is supported", *p) // [D][U: text]
	}
	if api.ProtocolType == modelv2.ProtocolWebSocket {
		if err := checkRouteParameters(rt.RequestParameters); err != nil {
			return err
		}
		if err := checkModelsExist(ctx, rd, api.ApiID, rt.RequestModels); err != nil {
			return err
		}
	}
	if api.ProtocolType == modelv2.ProtocolHTTP {
		switch {
		case rt.ApiKeyRequired:
			return bad("API keys are supported only for WebSocket APIs") // [M][U: text]
		case len(rt.RequestParameters) > 0, len(rt.RequestModels) > 0, rt.ModelSelectionExpression != nil, rt.RouteResponseSelectionExpression != nil:
			return bad("requestParameters, requestModels, modelSelectionExpression and routeResponseSelectionExpression are supported only for WebSocket APIs") // [M][U: text]
		}
	}
	if rt.Target == nil {
		return nil
	}
	id, ok := strings.CutPrefix(*rt.Target, modelv2.TargetPrefix)
	if !ok || id == "" {
		return bad("Invalid target specified: %s. A route target has the form integrations/{integrationId}", *rt.Target) // [U]
	}
	found, err := docstore.Exists(ctx, rd, modelv2.ChildKey(modelv2.KindIntegration, api.ApiID, id))
	if err != nil {
		return err
	}
	if !found {
		return bad("Invalid integration identifier specified in target: %s", id) // [U]
	}
	return nil
}

// checkRouteAuth checks a route's authorization type against its
// authorizer: JWT routes need a JWT authorizer, CUSTOM routes a Lambda
// (REQUEST) one, other types none; WebSocket APIs authorize $connect
// only [M][D].
func (a *API) checkRouteAuth(ctx context.Context, rd store.Reader, api modelv2.Api, rt *modelv2.Route) error {
	typ := rt.AuthorizationType
	if api.ProtocolType == modelv2.ProtocolWebSocket && typ != modelv2.AuthNone {
		switch {
		case typ == modelv2.AuthJWT:
			return bad("JWT authorization is supported only for HTTP APIs") // [M][U: text]
		case rt.RouteKey != "$connect":
			return bad("Authorization is supported only on the $connect route of a WebSocket API") // [D][U: text]
		}
	}
	if len(rt.AuthorizationScopes) > 0 && typ != modelv2.AuthJWT {
		return bad("Authorization scopes are supported only with JWT authorization") // [U]
	}
	if typ != modelv2.AuthJWT && typ != modelv2.AuthCustom {
		if rt.AuthorizerID != nil {
			return bad("An authorizer can be set only for authorization type JWT or CUSTOM") // [U]
		}
		return nil
	}
	if rt.AuthorizerID == nil {
		return bad("An authorizerId is required for authorization type %s", typ) // [U]
	}
	auth, _, err := docstore.Get[modelv2.Authorizer](ctx, rd, modelv2.ChildKey(modelv2.KindAuthorizer, api.ApiID, *rt.AuthorizerID))
	if err != nil {
		return docstore.NotFound(err, bad("Invalid authorizer identifier specified: %s", *rt.AuthorizerID)) // [U]
	}
	want := modelv2.AuthorizerJWT
	if typ == modelv2.AuthCustom {
		want = modelv2.AuthorizerRequest
	}
	if auth.AuthorizerType != want {
		return bad("Authorization type %s requires an authorizer of type %s; authorizer %s is of type %s", typ, want, auth.AuthorizerID, auth.AuthorizerType) // [U]
	}
	return nil
}

func (a *API) createRoute(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *routeInput, c *checker) { c.required(in.RouteKey != nil, "routeKey") }
	return createChild(a, routeKind, required, func(ctx context.Context, tx store.Tx, api modelv2.Api, id string, in *routeInput) (modelv2.Route, error) {
		others, err := docstore.List[modelv2.Route](ctx, tx, modelv2.ChildPrefix(modelv2.KindRoute, api.ApiID))
		if err != nil {
			return modelv2.Route{}, err
		}
		rt := modelv2.Route{RouteID: id, AuthorizationType: modelv2.AuthNone}
		in.applyTo(&rt)
		return rt, a.checkRoute(ctx, tx, api, &rt, others)
	})(ctx, r)
}

func (a *API) getRoutes(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, modelv2.KindRoute, func(rt modelv2.Route) string { return rt.RouteID })
}

func (a *API) getRoute(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.Route](a, routeKind)(ctx, r)
}

func (a *API) updateRoute(ctx context.Context, r *restjson.Request) (any, error) {
	return updateChild(a, routeKind, func(ctx context.Context, tx store.Tx, api modelv2.Api, rt *modelv2.Route, in *routeInput) error {
		oldKey := rt.RouteKey
		in.applyTo(rt)
		if rt.ApiGatewayManaged && rt.RouteKey != oldKey {
			return bad("The route key of a route managed by API Gateway cannot be changed") // [M][U: text]
		}
		others, err := a.routesExcept(ctx, tx, api.ApiID, rt.RouteID)
		if err != nil {
			return err
		}
		return a.checkRoute(ctx, tx, api, rt, others)
	})(ctx, r)
}

// routesExcept lists an API's routes but one.
func (a *API) routesExcept(ctx context.Context, rd store.Reader, apiID, id string) ([]modelv2.Route, error) {
	all, err := docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, apiID))
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, rt := range all {
		if rt.RouteID != id {
			out = append(out, rt)
		}
	}
	return out, nil
}

func (a *API) deleteRoute(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild[modelv2.Route](a, routeKind, nil)(ctx, r)
}

func (a *API) deleteRouteRequestParameter(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id, param := r.Path("apiId"), r.Path("routeId"), r.Path("requestParameterKey")
	return nil, a.change(ctx, apiID, func(tx store.Tx, _ modelv2.Api) error {
		key := modelv2.ChildKey(modelv2.KindRoute, apiID, id)
		rt, seq, err := docstore.Get[modelv2.Route](ctx, tx, key)
		if err != nil {
			return docstore.NotFound(err, errRoute(id))
		}
		if _, ok := rt.RequestParameters[param]; !ok {
			return notFound("RequestParameter", "Invalid request parameter key specified %s", param) // [U]
		}
		delete(rt.RequestParameters, param)
		if len(rt.RequestParameters) == 0 {
			rt.RequestParameters = nil
		}
		return docstore.Put(ctx, tx, key, seq, rt)
	})
}

// change runs fn on API apiID in one transaction, then redeploys the API's
// auto-deploying stages in the same transaction.
func (a *API) change(ctx context.Context, apiID string, fn func(tx store.Tx, api modelv2.Api) error) error {
	return a.update(ctx, func(tx store.Tx) error {
		api, _, err := a.loadAPI(ctx, tx, apiID)
		if err != nil {
			return err
		}
		if err := fn(tx, api); err != nil {
			return err
		}
		return a.autoDeploy(ctx, tx, apiID)
	})
}
