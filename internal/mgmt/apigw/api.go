// Package apigw implements the apigateway (2015-07-09) management
// operations: REST APIs and everything inside them, deployments, stages,
// API keys and usage plans, the account and tags. Each file holds one
// resource's operations; errors are *awserr.Error values with AWS's exact
// messages.
package apigw

import (
	"context"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
)

// Service is the signing name of these operations.
const Service = "apigateway"

// Config configures the operations.
type Config struct {
	Store     store.Store
	Region    string
	AccountID string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IDs generates identifiers; nil means random ones.
	IDs IDSource
	// Usage counts requests against usage plan quotas (the data plane's
	// counter): GetUsage reads it, UpdateUsage changes it.
	Usage ratelimit.Counter
	// Secrets seals API key values before they are stored. API key
	// operations fail (500) without it.
	Secrets *secret.Box
	// NewKeyValue generates the value of an API key created without one;
	// nil means 40 random alphanumerics.
	NewKeyValue func() string
	// Tester runs TestInvokeMethod and TestInvokeAuthorizer (nil: they
	// answer 400).
	Tester Tester
	// InvokeBase returns the data plane's base URL for a host name
	// ("https://localhost:8443"), baked into generated SDKs; nil or ""
	// means AWS's execute-api URL.
	InvokeBase func(host string) string
}

// API serves the apigateway operations.
type API struct {
	store      store.Store
	region     string
	accountID  string
	now        func() time.Time
	ids        IDSource
	seq        sequence
	secrets    *secret.Box
	newValue   func() string
	usage      ratelimit.Counter
	tester     Tester
	invokeBase func(host string) string
}

// New returns the operations bound to cfg.
func New(cfg Config) *API {
	a := &API{store: cfg.Store, region: cfg.Region, accountID: cfg.AccountID, now: cfg.Now, ids: cfg.IDs,
		secrets: cfg.Secrets, newValue: cfg.NewKeyValue, usage: cfg.Usage, tester: cfg.Tester, invokeBase: cfg.InvokeBase}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ids == nil {
		a.ids = RandomIDs{}
	}
	if a.newValue == nil {
		a.newValue = randomKeyValue
	}
	return a
}

// Register adds every operation to rt.
func (a *API) Register(rt *restjson.Router) {
	for _, r := range a.routes() {
		rt.Handle(r.pattern, restjson.Op{Name: r.name, Service: Service, Status: r.status, Handler: r.h})
	}
}

type route struct {
	pattern string
	name    string
	status  int
	h       restjson.Handler
}

func (a *API) routes() []route {
	const (
		ok       = http.StatusOK
		created  = http.StatusCreated
		accepted = http.StatusAccepted
		noBody   = http.StatusNoContent
	)
	const (
		api      = "/restapis/{restapi_id}"
		resource = api + "/resources/{resource_id}"
		method   = resource + "/methods/{http_method}"
		integ    = method + "/integration"
		stage    = api + "/stages/{stage_name}"
	)
	return []route{
		{"GET /account", "GetAccount", ok, a.getAccount},
		{"PATCH /account", "UpdateAccount", ok, a.updateAccount},

		{"GET /clientcertificates", "GetClientCertificates", ok, a.getClientCertificates},
		{"POST /clientcertificates", "GenerateClientCertificate", created, a.generateClientCertificate},
		{"GET /clientcertificates/{clientcertificate_id}", "GetClientCertificate", ok, a.getClientCertificate},
		{"PATCH /clientcertificates/{clientcertificate_id}", "UpdateClientCertificate", ok, a.updateClientCertificate},
		{"DELETE /clientcertificates/{clientcertificate_id}", "DeleteClientCertificate", accepted, a.deleteClientCertificate},

		{"GET /restapis", "GetRestApis", ok, a.getRestApis},
		{"POST /restapis", "CreateRestApi", created, a.createRestApi},
		{"GET " + api, "GetRestApi", ok, a.getRestApi},
		{"PATCH " + api, "UpdateRestApi", ok, a.updateRestApi},
		{"DELETE " + api, "DeleteRestApi", accepted, a.deleteRestApi},
		{"PUT " + api, "PutRestApi", ok, a.putRestApi},

		{"GET " + api + "/resources", "GetResources", ok, a.getResources},
		{"POST " + resource, "CreateResource", created, a.createResource},
		{"GET " + resource, "GetResource", ok, a.getResource},
		{"PATCH " + resource, "UpdateResource", ok, a.updateResource},
		{"DELETE " + resource, "DeleteResource", accepted, a.deleteResource},

		{"PUT " + method, "PutMethod", created, a.putMethod},
		{"GET " + method, "GetMethod", ok, a.getMethod},
		{"PATCH " + method, "UpdateMethod", ok, a.updateMethod},
		{"DELETE " + method, "DeleteMethod", noBody, a.deleteMethod},
		{"POST " + method, "TestInvokeMethod", ok, a.testInvokeMethod},

		{"PUT " + method + "/responses/{status_code}", "PutMethodResponse", created, a.putMethodResponse},
		{"GET " + method + "/responses/{status_code}", "GetMethodResponse", ok, a.getMethodResponse},
		{"PATCH " + method + "/responses/{status_code}", "UpdateMethodResponse", created, a.updateMethodResponse},
		{"DELETE " + method + "/responses/{status_code}", "DeleteMethodResponse", noBody, a.deleteMethodResponse},

		{"PUT " + integ, "PutIntegration", created, a.putIntegration},
		{"GET " + integ, "GetIntegration", ok, a.getIntegration},
		{"PATCH " + integ, "UpdateIntegration", ok, a.updateIntegration},
		{"DELETE " + integ, "DeleteIntegration", noBody, a.deleteIntegration},

		{"PUT " + integ + "/responses/{status_code}", "PutIntegrationResponse", created, a.putIntegrationResponse},
		{"GET " + integ + "/responses/{status_code}", "GetIntegrationResponse", ok, a.getIntegrationResponse},
		{"PATCH " + integ + "/responses/{status_code}", "UpdateIntegrationResponse", ok, a.updateIntegrationResponse},
		{"DELETE " + integ + "/responses/{status_code}", "DeleteIntegrationResponse", noBody, a.deleteIntegrationResponse},

		{"GET " + api + "/models", "GetModels", ok, a.getModels},
		{"POST " + api + "/models", "CreateModel", created, a.createModel},
		{"GET " + api + "/models/{model_name}", "GetModel", ok, a.getModel},
		{"PATCH " + api + "/models/{model_name}", "UpdateModel", ok, a.updateModel},
		{"DELETE " + api + "/models/{model_name}", "DeleteModel", accepted, a.deleteModel},
		{"GET " + api + "/models/{model_name}/default_template", "GetModelTemplate", ok, a.getModelTemplate},

		{"GET " + api + "/requestvalidators", "GetRequestValidators", ok, a.getValidators},
		{"POST " + api + "/requestvalidators", "CreateRequestValidator", created, a.createValidator},
		{"GET " + api + "/requestvalidators/{requestvalidator_id}", "GetRequestValidator", ok, a.getValidator},
		{"PATCH " + api + "/requestvalidators/{requestvalidator_id}", "UpdateRequestValidator", ok, a.updateValidator},
		{"DELETE " + api + "/requestvalidators/{requestvalidator_id}", "DeleteRequestValidator", accepted, a.deleteValidator},

		{"GET " + api + "/gatewayresponses", "GetGatewayResponses", ok, a.getGatewayResponses},
		{"GET " + api + "/gatewayresponses/{response_type}", "GetGatewayResponse", ok, a.getGatewayResponse},
		{"PUT " + api + "/gatewayresponses/{response_type}", "PutGatewayResponse", created, a.putGatewayResponse},
		{"PATCH " + api + "/gatewayresponses/{response_type}", "UpdateGatewayResponse", ok, a.updateGatewayResponse},
		{"DELETE " + api + "/gatewayresponses/{response_type}", "DeleteGatewayResponse", accepted, a.deleteGatewayResponse},

		{"GET " + api + "/authorizers", "GetAuthorizers", ok, a.getAuthorizers},
		{"POST " + api + "/authorizers", "CreateAuthorizer", created, a.createAuthorizer},
		{"GET " + api + "/authorizers/{authorizer_id}", "GetAuthorizer", ok, a.getAuthorizer},
		{"PATCH " + api + "/authorizers/{authorizer_id}", "UpdateAuthorizer", ok, a.updateAuthorizer},
		{"DELETE " + api + "/authorizers/{authorizer_id}", "DeleteAuthorizer", accepted, a.deleteAuthorizer},
		{"POST " + api + "/authorizers/{authorizer_id}", "TestInvokeAuthorizer", ok, a.testInvokeAuthorizer},

		{"GET " + api + "/deployments", "GetDeployments", ok, a.getDeployments},
		{"POST " + api + "/deployments", "CreateDeployment", created, a.createDeployment},
		{"GET " + api + "/deployments/{deployment_id}", "GetDeployment", ok, a.getDeployment},
		{"PATCH " + api + "/deployments/{deployment_id}", "UpdateDeployment", ok, a.updateDeployment},
		{"DELETE " + api + "/deployments/{deployment_id}", "DeleteDeployment", accepted, a.deleteDeployment},

		{"GET " + api + "/stages", "GetStages", ok, a.getStages},
		{"POST " + api + "/stages", "CreateStage", created, a.createStage},
		{"GET " + stage, "GetStage", ok, a.getStage},
		{"PATCH " + stage, "UpdateStage", ok, a.updateStage},
		{"DELETE " + stage, "DeleteStage", accepted, a.deleteStage},
		{"DELETE " + stage + "/cache/authorizers", "FlushStageAuthorizersCache", accepted, a.flushStageAuthorizersCache},
		{"DELETE " + stage + "/cache/data", "FlushStageCache", accepted, a.flushStageCache},
		{"GET " + stage + "/exports/{export_type}", "GetExport", ok, a.getExport},
		{"GET " + stage + "/sdks/{sdk_type}", "GetSdk", ok, a.getSdk},
		{"GET /sdktypes", "GetSdkTypes", ok, a.getSdkTypes},
		{"GET /sdktypes/{sdktype_id}", "GetSdkType", ok, a.getSdkType},

		{"GET " + api + "/documentation/parts", "GetDocumentationParts", ok, a.getDocParts},
		{"POST " + api + "/documentation/parts", "CreateDocumentationPart", created, a.createDocPart},
		{"GET " + api + "/documentation/parts/{part_id}", "GetDocumentationPart", ok, a.getDocPart},
		{"PATCH " + api + "/documentation/parts/{part_id}", "UpdateDocumentationPart", ok, a.updateDocPart},
		{"DELETE " + api + "/documentation/parts/{part_id}", "DeleteDocumentationPart", accepted, a.deleteDocPart},
		{"GET " + api + "/documentation/versions", "GetDocumentationVersions", ok, a.getDocVersions},
		{"POST " + api + "/documentation/versions", "CreateDocumentationVersion", created, a.createDocVersion},
		{"GET " + api + "/documentation/versions/{doc_version}", "GetDocumentationVersion", ok, a.getDocVersion},
		{"PATCH " + api + "/documentation/versions/{doc_version}", "UpdateDocumentationVersion", ok, a.updateDocVersion},
		{"DELETE " + api + "/documentation/versions/{doc_version}", "DeleteDocumentationVersion", accepted, a.deleteDocVersion},

		{"GET /apikeys", "GetApiKeys", ok, a.getApiKeys},
		{"POST /apikeys", "CreateApiKey", created, a.createApiKey},
		{"GET /apikeys/{api_Key}", "GetApiKey", ok, a.getApiKey},
		{"PATCH /apikeys/{api_Key}", "UpdateApiKey", ok, a.updateApiKey},
		{"DELETE /apikeys/{api_Key}", "DeleteApiKey", accepted, a.deleteApiKey},

		{"GET /usageplans", "GetUsagePlans", ok, a.getUsagePlans},
		{"POST /usageplans", "CreateUsagePlan", created, a.createUsagePlan},
		{"GET /usageplans/{usageplanId}", "GetUsagePlan", ok, a.getUsagePlan},
		{"PATCH /usageplans/{usageplanId}", "UpdateUsagePlan", ok, a.updateUsagePlan},
		{"DELETE /usageplans/{usageplanId}", "DeleteUsagePlan", accepted, a.deleteUsagePlan},
		{"GET /usageplans/{usageplanId}/keys", "GetUsagePlanKeys", ok, a.getUsagePlanKeys},
		{"POST /usageplans/{usageplanId}/keys", "CreateUsagePlanKey", created, a.createUsagePlanKey},
		{"GET /usageplans/{usageplanId}/keys/{keyId}", "GetUsagePlanKey", ok, a.getUsagePlanKey},
		{"DELETE /usageplans/{usageplanId}/keys/{keyId}", "DeleteUsagePlanKey", accepted, a.deleteUsagePlanKey},
		{"GET /usageplans/{usageplanId}/usage", "GetUsage", ok, a.getUsage},
		{"PATCH /usageplans/{usageplanId}/keys/{keyId}/usage", "UpdateUsage", ok, a.updateUsage},

		{"GET /tags/{resource_arn...}", "GetTags", ok, a.getTags},
		{"PUT /tags/{resource_arn...}", "TagResource", noBody, a.tagResource},
		{"DELETE /tags/{resource_arn...}", "UntagResource", noBody, a.untagResource},
	}
}

// view and update are shorthands for the store's transactions.
func (a *API) view(ctx context.Context, fn func(store.Reader) error) error {
	return a.store.View(ctx, fn)
}

func (a *API) update(ctx context.Context, fn func(store.Tx) error) error {
	_, err := a.store.Update(ctx, fn)
	return err
}
