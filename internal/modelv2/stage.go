package modelv2

import "github.com/tollgate/tollgate/internal/model"

// Deployment statuses.
const (
	DeploymentPending  = "PENDING"
	DeploymentFailed   = "FAILED"
	DeploymentDeployed = "DEPLOYED"
)

// AutoDeployDescription is the description of a deployment made because an
// auto-deploying stage's API changed [X].
const AutoDeployDescription = "Automatic deployment triggered by changes to the Api configuration"

// LoggingLevels in the order of the service model.
var LoggingLevels = []string{"ERROR", "INFO", "OFF"}

// Deployment is a frozen copy of an API's configuration (its Snapshot is
// stored beside it) that stages serve.
type Deployment struct {
	AutoDeployed            bool    `json:"autoDeployed"`
	CreatedDate             Time    `json:"createdDate"`
	DeploymentID            string  `json:"deploymentId"`
	DeploymentStatus        string  `json:"deploymentStatus"`
	DeploymentStatusMessage *string `json:"deploymentStatusMessage,omitempty"`
	Description             *string `json:"description,omitempty"`
}

// Stage is a named, addressable reference to a deployment, with the
// settings that apply to every deployment it serves.
type Stage struct {
	AccessLogSettings   *AccessLogSettings `json:"accessLogSettings,omitempty"`
	ApiGatewayManaged   bool               `json:"apiGatewayManaged,omitempty"`
	AutoDeploy          bool               `json:"autoDeploy,omitempty"`
	ClientCertificateID *string            `json:"clientCertificateId,omitempty"`
	CreatedDate         Time               `json:"createdDate"`
	// DefaultRouteSettings apply to every route without its own entry in
	// RouteSettings.
	DefaultRouteSettings        RouteSettings            `json:"defaultRouteSettings"`
	DeploymentID                *string                  `json:"deploymentId,omitempty"`
	Description                 *string                  `json:"description,omitempty"`
	LastDeploymentStatusMessage *string                  `json:"lastDeploymentStatusMessage,omitempty"`
	LastUpdatedDate             Time                     `json:"lastUpdatedDate"`
	RouteSettings               map[string]RouteSettings `json:"routeSettings"`
	StageName                   string                   `json:"stageName"`
	StageVariables              map[string]string        `json:"stageVariables"`
	Tags                        map[string]string        `json:"tags,omitzero"`
}

// RouteSettings are a stage's throttling and logging settings for one
// route (or, as defaultRouteSettings, for all).
type RouteSettings struct {
	DataTraceEnabled       *bool         `json:"dataTraceEnabled,omitempty"`
	DetailedMetricsEnabled *bool         `json:"detailedMetricsEnabled,omitempty"`
	LoggingLevel           *string       `json:"loggingLevel,omitempty"`
	ThrottlingBurstLimit   *int64        `json:"throttlingBurstLimit,omitempty"`
	ThrottlingRateLimit    *model.Double `json:"throttlingRateLimit,omitempty"`
}

// AccessLogSettings configures a stage's access log.
type AccessLogSettings struct {
	DestinationArn *string `json:"destinationArn,omitempty"`
	Format         *string `json:"format,omitempty"`
}

// Snapshot is what a deployment freezes: the API and everything in it that
// requests are served from. Later edits change nothing here. Every list
// is in creation order.
type Snapshot struct {
	API          Api           `json:"api"`
	Routes       []Route       `json:"routes"`
	Integrations []Integration `json:"integrations,omitzero"`
	Authorizers  []Authorizer  `json:"authorizers,omitzero"`
	// RouteResponses are the route responses of a WebSocket API's routes,
	// by routeId (routes without any are absent). A route is two-way when
	// its RouteResponseSelectionExpression is "$default" and it has a
	// route response with key "$default".
	RouteResponses map[string][]RouteResponse `json:"routeResponses,omitzero"`
	// IntegrationResponses are the integration responses of a WebSocket
	// API's integrations, by integrationId (integrations without any are
	// absent). Their keys are "$default" or "/regex/"; their templates
	// parsed when stored.
	IntegrationResponses map[string][]IntegrationResponse `json:"integrationResponses,omitzero"`
	// Models are a WebSocket API's models; routes name them (by Name) in
	// RequestModels, selected by ModelSelectionExpression. A schema refers
	// to another model by
	// "https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}";
	// unless API.DisableSchemaValidation, every such reference was checked
	// to name a model of this snapshot when the deployment was made.
	Models []Model `json:"models,omitzero"`
}
