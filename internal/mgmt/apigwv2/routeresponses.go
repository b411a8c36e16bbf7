package apigwv2

import (
	"context"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// routeResponseInput is the body of CreateRouteResponse and
// UpdateRouteResponse.
type routeResponseInput struct {
	ModelSelectionExpression *string                                  `json:"modelSelectionExpression"`
	ResponseModels           map[string]string                        `json:"responseModels"`
	ResponseParameters       map[string]*modelv2.ParameterConstraints `json:"responseParameters"`
	RouteResponseKey         *string                                  `json:"routeResponseKey"`
}

// check enforces the model's constraints on the members sent: the only
// route response key is $default [D], response model names are 1 to 128
// characters long [M].
func (in *routeResponseInput) check(c *checker) {
	if k := in.RouteResponseKey; k != nil && *k != modelv2.DefaultResponseKey {
		c.fail("Invalid route response key specified: %s. Only $default is supported for WebSocket APIs", *k) // [D][U: text]
	}
	c.length(in.ModelSelectionExpression, "modelSelectionExpression", 0, 1024)
	checkModelNames(c, "responseModels", in.ResponseModels)
	checkParameterNames(c, "responseParameters", in.ResponseParameters)
}

// checkModelNames checks the model names a requestModels or
// responseModels map gives: 1 to 128 characters [M]; an empty value
// (which an update uses to remove a key) is let through.
func checkModelNames(c *checker, member string, models map[string]string) {
	for k, v := range models {
		if k == "" {
			c.fail("Invalid %s specified: a selection key is empty", member) // [U]
		}
		if v != "" {
			c.length(&v, member, 1, 128)
		}
	}
}

// checkParameterNames refuses empty parameter names.
func checkParameterNames(c *checker, member string, params map[string]*modelv2.ParameterConstraints) {
	for k := range params {
		if k == "" {
			c.fail("Invalid %s specified: a parameter name is empty", member) // [U]
		}
	}
}

// applyTo changes the members of rr that in sends: "" clears the model
// selection expression, a response model sent as "" and a response
// parameter sent as null are removed [D][U].
func (in *routeResponseInput) applyTo(rr *modelv2.RouteResponse) {
	if in.RouteResponseKey != nil {
		rr.RouteResponseKey = *in.RouteResponseKey
	}
	setOptional(&rr.ModelSelectionExpression, in.ModelSelectionExpression)
	rr.ResponseModels = mergeMap(rr.ResponseModels, in.ResponseModels, func(v string) bool { return v == "" })
	rr.ResponseParameters = mergeParams(rr.ResponseParameters, in.ResponseParameters)
}

// mergeParams applies a partial update of a parameter-constraints map: a
// parameter sent as null is removed, others set.
func mergeParams(old map[string]modelv2.ParameterConstraints, upd map[string]*modelv2.ParameterConstraints) map[string]modelv2.ParameterConstraints {
	if upd == nil {
		return old
	}
	out := make(map[string]modelv2.ParameterConstraints, len(old)+len(upd))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range upd {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (a *API) createRouteResponse(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *routeResponseInput, c *checker) { c.required(in.RouteResponseKey != nil, "routeResponseKey") }
	sc := routeResponseKind.scopeOf(r)
	return createChild(a, routeResponseKind, required, func(ctx context.Context, tx store.Tx, api modelv2.Api, id string, in *routeResponseInput) (modelv2.RouteResponse, error) {
		rr := modelv2.RouteResponse{RouteResponseID: id}
		in.applyTo(&rr)
		others, err := docstore.List[modelv2.RouteResponse](ctx, tx, sc.prefix())
		if err != nil {
			return rr, err
		}
		for _, o := range others {
			if o.RouteResponseKey == rr.RouteResponseKey {
				return rr, conflict("Route response with key %s already exists for this route", rr.RouteResponseKey) // [U]
			}
		}
		return rr, checkModelsExist(ctx, tx, api.ApiID, rr.ResponseModels)
	})(ctx, r)
}

func (a *API) getRouteResponses(ctx context.Context, r *restjson.Request) (any, error) {
	return listKind(ctx, a, r, routeResponseKind, func(rr modelv2.RouteResponse) string { return rr.RouteResponseID })
}

func (a *API) getRouteResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.RouteResponse](a, routeResponseKind)(ctx, r)
}

func (a *API) updateRouteResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return updateChild(a, routeResponseKind, func(ctx context.Context, tx store.Tx, api modelv2.Api, rr *modelv2.RouteResponse, in *routeResponseInput) error {
		in.applyTo(rr)
		return checkModelsExist(ctx, tx, api.ApiID, rr.ResponseModels)
	})(ctx, r)
}

func (a *API) deleteRouteResponse(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild[modelv2.RouteResponse](a, routeResponseKind, nil)(ctx, r)
}
