package apigwv2

import (
	"context"
	"fmt"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/domains"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// Lengths of generated identifiers, as AWS's look [X].
const (
	lenApiID         = 10
	lenRouteID       = 7
	lenIntegrationID = 7
	lenAuthorizerID  = 6
	lenDeploymentID  = 6
	lenVpcLinkID     = 7
	// lenRouteResponseID is [X]; the lengths of integration response and
	// model ids are [U] (those of REST API children).
	lenRouteResponseID       = 6
	lenIntegrationResponseID = 6
	lenModelID               = 6
)

// apiInput is the body of CreateApi and UpdateApi: every member optional,
// so that an update changes only what it sends.
type apiInput struct {
	ApiKeySelectionExpression *string           `json:"apiKeySelectionExpression"`
	CorsConfiguration         *corsInput        `json:"corsConfiguration"`
	CredentialsArn            *string           `json:"credentialsArn"`
	Description               *string           `json:"description"`
	DisableSchemaValidation   *bool             `json:"disableSchemaValidation"`
	DisableExecuteApiEndpoint *bool             `json:"disableExecuteApiEndpoint"`
	IPAddressType             *string           `json:"ipAddressType"`
	Name                      *string           `json:"name"`
	ProtocolType              *string           `json:"protocolType"`
	RouteKey                  *string           `json:"routeKey"`
	RouteSelectionExpression  *string           `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags"`
	Target                    *string           `json:"target"`
	Version                   *string           `json:"version"`
}

// API key selection expressions AWS accepts [M][D].
var apiKeySelections = []string{modelv2.DefaultAPIKeySelection, "$context.authorizer.usageIdentifierKey"}

// IP address types [M].
var ipAddressTypes = []string{"ipv4", "dualstack"}

// check validates the members present in an API body against the model.
func (in *apiInput) check(c *checker, protocol string) {
	c.length(in.Name, "name", 1, 128)
	c.length(in.Description, "description", 0, 1024)
	c.length(in.Version, "version", 1, 64)
	c.enum(in.IPAddressType, "ipAddressType", ipAddressTypes)
	if in.ApiKeySelectionExpression != nil && !oneOf(*in.ApiKeySelectionExpression, apiKeySelections) {
		c.fail("Invalid API Key Selection Expression specified: %s", *in.ApiKeySelectionExpression) // [U]
	}
	if s := in.RouteSelectionExpression; s != nil {
		switch {
		case protocol == modelv2.ProtocolHTTP && !isHTTPRouteSelection(*s):
			c.fail("The route selection expression for HTTP APIs must be ${request.method} ${request.path}") // [U]
		case protocol == modelv2.ProtocolWebSocket && *s == "":
			c.fail("Invalid route selection expression specified") // [U]
		}
	}
	if protocol == modelv2.ProtocolWebSocket {
		switch {
		case in.CorsConfiguration != nil:
			c.fail("CORS configuration is supported only for HTTP APIs") // [U]
		case in.Target != nil || in.RouteKey != nil || in.CredentialsArn != nil:
			c.fail("Quick create (target, routeKey, credentialsArn) is supported only for HTTP APIs") // [U]
		}
	}
	c.length(in.Target, "target", 1, 2048)
}

// isHTTPRouteSelection accepts the documented form of the only HTTP route
// selection expression and the form AWS returns [M][X].
func isHTTPRouteSelection(s string) bool {
	return s == "${request.method} ${request.path}" || s == modelv2.HTTPRouteSelection
}

func (a *API) createApi(ctx context.Context, r *restjson.Request) (any, error) {
	var in apiInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.required(in.Name != nil, "name")
	c.required(in.ProtocolType != nil, "protocolType")
	if p := in.ProtocolType; p != nil && *p != modelv2.ProtocolHTTP && *p != modelv2.ProtocolWebSocket {
		c.fail("Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]") // [L]
	}
	protocol := model.Deref(in.ProtocolType)
	if protocol == modelv2.ProtocolWebSocket {
		c.required(in.RouteSelectionExpression != nil, "routeSelectionExpression")
	}
	if in.Target == nil && (in.RouteKey != nil || in.CredentialsArn != nil) {
		c.fail("routeKey and credentialsArn are supported only with target (quick create)") // [U]
	}
	in.check(&c, protocol)
	if in.Tags != nil {
		c.add(checkTags(in.Tags))
	}
	var quick *quickCreate
	if in.Target != nil && c.err == nil {
		q, err := newQuickCreate(*in.Target, in.RouteKey, in.CredentialsArn)
		c.add(err)
		quick = q
	}
	if c.err != nil {
		return nil, c.err
	}
	now := modelv2.TimeOf(a.now())
	api := modelv2.Api{
		Name:                      *in.Name,
		ProtocolType:              protocol,
		RouteSelectionExpression:  model.Deref(in.RouteSelectionExpression),
		ApiKeySelectionExpression: modelv2.DefaultAPIKeySelection,
		CreatedDate:               now,
		Description:               optional(in.Description),
		Version:                   in.Version,
		DisableExecuteApiEndpoint: model.Deref(in.DisableExecuteApiEndpoint),
		DisableSchemaValidation:   model.Deref(in.DisableSchemaValidation),
		IPAddressType:             "ipv4",
		Tags:                      in.Tags,
	}
	if protocol == modelv2.ProtocolHTTP {
		api.RouteSelectionExpression = modelv2.HTTPRouteSelection
	}
	if in.ApiKeySelectionExpression != nil {
		api.ApiKeySelectionExpression = *in.ApiKeySelectionExpression
	}
	if in.IPAddressType != nil {
		api.IPAddressType = *in.IPAddressType
	}
	if in.CorsConfiguration != nil {
		api.CorsConfiguration = in.CorsConfiguration.apply(nil)
		if err := checkCors(api.CorsConfiguration); err != nil {
			return nil, err
		}
	}
	if len(api.Tags) == 0 {
		api.Tags = nil
	}
	err := a.update(ctx, func(tx store.Tx) error {
		id, err := a.newApiID(ctx, tx)
		if err != nil {
			return err
		}
		api.ApiID = id
		api.ApiEndpoint = a.endpoint(protocol, id)
		if err := docstore.Put(ctx, tx, modelv2.KeyApi(id), a.seq.Next(), api); err != nil {
			return err
		}
		if quick != nil {
			return a.quickCreate(ctx, tx, id, quick, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return apiOutput(api), nil
}

// newApiID draws an API id no API of either kind has: HTTP, WebSocket and
// REST APIs share the execute-api host names.
func (a *API) newApiID(ctx context.Context, tx store.Tx) (string, error) {
	for {
		id := a.ids.ID(lenApiID)
		taken := false
		for _, key := range []string{modelv2.KeyApi(id), model.KeyRestApi(id)} {
			ok, err := docstore.Exists(ctx, tx, key)
			if err != nil {
				return "", err
			}
			taken = taken || ok
		}
		if !taken {
			return id, nil
		}
	}
}

// endpoint is the default endpoint AWS reports for an API [X].
func (a *API) endpoint(protocol, id string) string {
	scheme := "https"
	if protocol == modelv2.ProtocolWebSocket {
		scheme = "wss"
	}
	return fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com", scheme, id, a.region)
}

// apiOutput is an API as the operations return it: tags as {} when none.
func apiOutput(api modelv2.Api) modelv2.Api {
	api.Tags = orEmpty(api.Tags)
	return api
}

func (a *API) getApis(ctx context.Context, r *restjson.Request) (any, error) {
	var apis []modelv2.Api
	err := a.store.View(ctx, func(rd store.Reader) error {
		var err error
		apis, err = docstore.List[modelv2.Api](ctx, rd, modelv2.PrefixApis)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range apis {
		apis[i] = apiOutput(apis[i])
	}
	return restjson.PaginateItems(r, apis, func(api modelv2.Api) string { return api.ApiID })
}

func (a *API) getApi(ctx context.Context, r *restjson.Request) (any, error) {
	api, err := docstore.Read(ctx, a.store, func(rd store.Reader) (modelv2.Api, int64, error) {
		return a.loadAPI(ctx, rd, r.Path("apiId"))
	})
	return restjson.Output(apiOutput(api), err)
}

func (a *API) updateApi(ctx context.Context, r *restjson.Request) (any, error) {
	var in apiInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	id := r.Path("apiId")
	var out modelv2.Api
	err := a.update(ctx, func(tx store.Tx) error {
		api, seq, err := a.loadAPI(ctx, tx, id)
		if err != nil {
			return err
		}
		if api.ApiGatewayManaged {
			return bad("Cannot update an API managed by API Gateway") // [U]
		}
		var c checker
		if in.ProtocolType != nil && *in.ProtocolType != api.ProtocolType {
			c.fail("The protocol type of an API cannot be changed") // [U]
		}
		in.check(&c, api.ProtocolType)
		if c.err != nil {
			return c.err
		}
		in.applyTo(&api)
		if err := checkCors(api.CorsConfiguration); err != nil {
			return err
		}
		if in.Target != nil || in.RouteKey != nil || in.CredentialsArn != nil {
			if err := a.updateQuickCreate(ctx, tx, id, &in); err != nil {
				return err
			}
		}
		if err := docstore.Put(ctx, tx, modelv2.KeyApi(id), seq, api); err != nil {
			return err
		}
		out = api
		return a.autoDeploy(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	return apiOutput(out), nil
}

// applyTo changes the members of api that in sends.
func (in *apiInput) applyTo(api *modelv2.Api) {
	if in.Name != nil {
		api.Name = *in.Name
	}
	if in.Description != nil {
		api.Description = optional(in.Description)
	}
	if in.Version != nil {
		api.Version = optional(in.Version)
	}
	if in.ApiKeySelectionExpression != nil {
		api.ApiKeySelectionExpression = *in.ApiKeySelectionExpression
	}
	if in.RouteSelectionExpression != nil && api.ProtocolType == modelv2.ProtocolWebSocket {
		api.RouteSelectionExpression = *in.RouteSelectionExpression
	}
	if in.DisableExecuteApiEndpoint != nil {
		api.DisableExecuteApiEndpoint = *in.DisableExecuteApiEndpoint
	}
	if in.DisableSchemaValidation != nil {
		api.DisableSchemaValidation = *in.DisableSchemaValidation
	}
	if in.IPAddressType != nil {
		api.IPAddressType = *in.IPAddressType
	}
	if in.CorsConfiguration != nil {
		api.CorsConfiguration = in.CorsConfiguration.apply(api.CorsConfiguration)
	}
}

func (a *API) deleteApi(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("apiId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		api, _, err := a.loadAPI(ctx, tx, id)
		if err != nil {
			return err
		}
		if api.ApiGatewayManaged {
			return bad("Cannot delete an API managed by API Gateway") // [U]
		}
		if mapped, err := domains.Mapped(ctx, tx, id); err != nil || mapped {
			if err == nil {
				err = bad("Deleting API %s failed. Please remove all API mappings for the API from your custom domain names.", id) // [C]
			}
			return err
		}
		if err := tx.Delete(ctx, modelv2.KeyApi(id)); err != nil {
			return err
		}
		for _, kind := range modelv2.APIChildKinds {
			if _, err := tx.DeletePrefix(ctx, modelv2.ChildPrefix(kind, id)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (a *API) deleteCors(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("apiId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		api, seq, err := a.loadAPI(ctx, tx, id)
		if err != nil {
			return err
		}
		if api.CorsConfiguration == nil {
			return nil
		}
		api.CorsConfiguration = nil
		if err := docstore.Put(ctx, tx, modelv2.KeyApi(id), seq, api); err != nil {
			return err
		}
		return a.autoDeploy(ctx, tx, id)
	})
}
