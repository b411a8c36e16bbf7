// Package apigwv2 implements the apigatewayv2 (2018-11-29) management
// operations for HTTP and WebSocket APIs: APIs (with quick create),
// routes, integrations, authorizers, stages, deployments (with
// auto-deploy), tags, VPC links, OpenAPI import and export of HTTP APIs
// (import*.go, export.go), and the WebSocket-only route responses,
// integration responses and models (validated with wsshapes.go). Each
// file holds one resource's operations; errors are
// *awserr.Error values with AWS's shapes. Every write is one store
// transaction: a refused request changes nothing.
package apigwv2

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/store"
)

// Service is the signing name of these operations (the same as
// apigateway's) [M].
const Service = "apigateway"

// Config configures the operations: the store, the region and account
// named in ARNs, endpoints and messages, and (for tests) a clock and an
// identifier source (nil: time.Now and random identifiers).
type Config struct {
	Store             store.Store
	Region, AccountID string
	Now               func() time.Time
	IDs               docstore.IDSource
}

// API serves the apigatewayv2 operations.
type API struct {
	store     store.Store
	region    string
	accountID string
	now       func() time.Time
	ids       docstore.IDSource
	seq       docstore.Sequence
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID, now: time.Now, ids: docstore.RandomIDs{}}
	if cfg.Now != nil {
		a.now = cfg.Now
	}
	if cfg.IDs != nil {
		a.ids = cfg.IDs
	}
	return a
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) { rt.HandleAll(Service, a.routes()) }

// op is a route table entry with apigatewayv2's usual success status:
// 201 for a POST, 204 for a DELETE, 200 otherwise [M].
func op(pattern, name string, h restjson.Handler) restjson.Route {
	status := http.StatusOK
	switch {
	case strings.HasPrefix(pattern, "POST "):
		status = http.StatusCreated
	case strings.HasPrefix(pattern, "DELETE "):
		status = http.StatusNoContent
	}
	return restjson.Route{Pattern: pattern, Name: name, Status: status, Handler: h}
}

func (a *API) routes() []restjson.Route {
	const (
		api    = "/v2/apis/{apiId}"
		rt     = api + "/routes/{routeId}"
		integ  = api + "/integrations/{integrationId}"
		auth   = api + "/authorizers/{authorizerId}"
		model  = api + "/models/{modelId}"
		stage  = api + "/stages/{stageName}"
		dep    = api + "/deployments/{deploymentId}"
		link   = "/v2/vpclinks/{vpcLinkId}"
		tagged = "/v2/tags/{resourceArn...}"
	)
	tags := a.tagOps()
	routes := []restjson.Route{
		op("GET /v2/apis", "GetApis", a.getApis),
		op("POST /v2/apis", "CreateApi", a.createApi),
		op("GET "+api, "GetApi", a.getApi),
		op("PATCH "+api, "UpdateApi", a.updateApi),
		op("DELETE "+api, "DeleteApi", a.deleteApi),
		op("DELETE "+api+"/cors", "DeleteCorsConfiguration", a.deleteCors),
		{Pattern: "PUT /v2/apis", Name: "ImportApi", Status: http.StatusCreated, Handler: a.importApi},
		{Pattern: "PUT " + api, Name: "ReimportApi", Status: http.StatusCreated, Handler: a.reimportApi},
		op("GET "+api+"/exports/{specification}", "ExportApi", a.exportApi),

		op("GET "+api+"/routes", "GetRoutes", a.getRoutes),
		op("POST "+api+"/routes", "CreateRoute", a.createRoute),
		op("GET "+rt, "GetRoute", a.getRoute),
		op("PATCH "+rt, "UpdateRoute", a.updateRoute),
		op("DELETE "+rt, "DeleteRoute", a.deleteRoute),
		op("DELETE "+rt+"/requestparameters/{requestParameterKey}", "DeleteRouteRequestParameter", a.deleteRouteRequestParameter),

		op("GET "+rt+"/routeresponses", "GetRouteResponses", a.getRouteResponses),
		op("POST "+rt+"/routeresponses", "CreateRouteResponse", a.createRouteResponse),
		op("GET "+rt+"/routeresponses/{routeResponseId}", "GetRouteResponse", a.getRouteResponse),
		op("PATCH "+rt+"/routeresponses/{routeResponseId}", "UpdateRouteResponse", a.updateRouteResponse),
		op("DELETE "+rt+"/routeresponses/{routeResponseId}", "DeleteRouteResponse", a.deleteRouteResponse),

		op("GET "+api+"/integrations", "GetIntegrations", a.getIntegrations),
		op("POST "+api+"/integrations", "CreateIntegration", a.createIntegration),
		op("GET "+integ, "GetIntegration", a.getIntegration),
		op("PATCH "+integ, "UpdateIntegration", a.updateIntegration),
		op("DELETE "+integ, "DeleteIntegration", a.deleteIntegration),

		op("GET "+integ+"/integrationresponses", "GetIntegrationResponses", a.getIntegrationResponses),
		op("POST "+integ+"/integrationresponses", "CreateIntegrationResponse", a.createIntegrationResponse),
		op("GET "+integ+"/integrationresponses/{integrationResponseId}", "GetIntegrationResponse", a.getIntegrationResponse),
		op("PATCH "+integ+"/integrationresponses/{integrationResponseId}", "UpdateIntegrationResponse", a.updateIntegrationResponse),
		op("DELETE "+integ+"/integrationresponses/{integrationResponseId}", "DeleteIntegrationResponse", a.deleteIntegrationResponse),

		op("GET "+api+"/models", "GetModels", a.getModels),
		op("POST "+api+"/models", "CreateModel", a.createModel),
		op("GET "+model, "GetModel", a.getModel),
		op("PATCH "+model, "UpdateModel", a.updateModel),
		op("DELETE "+model, "DeleteModel", a.deleteModel),
		op("GET "+model+"/template", "GetModelTemplate", a.getModelTemplate),

		op("GET "+api+"/authorizers", "GetAuthorizers", a.getAuthorizers),
		op("POST "+api+"/authorizers", "CreateAuthorizer", a.createAuthorizer),
		op("GET "+auth, "GetAuthorizer", a.getAuthorizer),
		op("PATCH "+auth, "UpdateAuthorizer", a.updateAuthorizer),
		op("DELETE "+auth, "DeleteAuthorizer", a.deleteAuthorizer),

		op("GET "+api+"/stages", "GetStages", a.getStages),
		op("POST "+api+"/stages", "CreateStage", a.createStage),
		op("GET "+stage, "GetStage", a.getStage),
		op("PATCH "+stage, "UpdateStage", a.updateStage),
		op("DELETE "+stage, "DeleteStage", a.deleteStage),
		op("DELETE "+stage+"/accesslogsettings", "DeleteAccessLogSettings", a.deleteAccessLogSettings),
		op("DELETE "+stage+"/routesettings/{routeKey}", "DeleteRouteSettings", a.deleteRouteSettings),
		op("DELETE "+stage+"/cache/authorizers", "ResetAuthorizersCache", a.resetAuthorizersCache),

		op("GET "+api+"/deployments", "GetDeployments", a.getDeployments),
		op("POST "+api+"/deployments", "CreateDeployment", a.createDeployment),
		op("GET "+dep, "GetDeployment", a.getDeployment),
		op("PATCH "+dep, "UpdateDeployment", a.updateDeployment),
		op("DELETE "+dep, "DeleteDeployment", a.deleteDeployment),

		op("GET /v2/vpclinks", "GetVpcLinks", a.getVpcLinks),
		op("POST /v2/vpclinks", "CreateVpcLink", a.createVpcLink),
		op("GET "+link, "GetVpcLink", a.getVpcLink),
		op("PATCH "+link, "UpdateVpcLink", a.updateVpcLink),
		{Pattern: "DELETE " + link, Name: "DeleteVpcLink", Status: http.StatusAccepted, Handler: a.deleteVpcLink},

		op("GET "+tagged, "GetTags", tags.GetTags),
		op("POST "+tagged, "TagResource", tags.TagResource),
		op("DELETE "+tagged, "UntagResource", tags.UntagResource),
	}
	return routes
}

// update runs fn in one read-write transaction: everything fn writes is
// stored, or nothing is.
func (a *API) update(ctx context.Context, fn func(store.Tx) error) error {
	_, err := a.store.Update(ctx, fn)
	return err
}
