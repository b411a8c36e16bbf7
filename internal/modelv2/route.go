package modelv2

// Authorization types of routes.
const (
	AuthNone   = "NONE"
	AuthIAM    = "AWS_IAM"
	AuthCustom = "CUSTOM"
	AuthJWT    = "JWT"
)

// AuthorizationTypes in the order of the service model.
var AuthorizationTypes = []string{AuthNone, AuthIAM, AuthCustom, AuthJWT}

// Route is a route of an HTTP API ("GET /pets/{id}", "ANY /{proxy+}",
// "$default") or a WebSocket API ("$connect", "sendMessage").
type Route struct {
	ApiGatewayManaged                bool                            `json:"apiGatewayManaged,omitempty"`
	ApiKeyRequired                   bool                            `json:"apiKeyRequired"`
	AuthorizationScopes              []string                        `json:"authorizationScopes,omitzero"`
	AuthorizationType                string                          `json:"authorizationType"`
	AuthorizerID                     *string                         `json:"authorizerId,omitempty"`
	ModelSelectionExpression         *string                         `json:"modelSelectionExpression,omitempty"`
	OperationName                    *string                         `json:"operationName,omitempty"`
	RequestModels                    map[string]string               `json:"requestModels,omitzero"`
	RequestParameters                map[string]ParameterConstraints `json:"requestParameters,omitzero"`
	RouteID                          string                          `json:"routeId"`
	RouteKey                         string                          `json:"routeKey"`
	RouteResponseSelectionExpression *string                         `json:"routeResponseSelectionExpression,omitempty"`
	// Target is "integrations/{integrationId}", or nil for a route with
	// no backend.
	Target *string `json:"target,omitempty"`
}

// ParameterConstraints says whether a WebSocket route parameter is required.
type ParameterConstraints struct {
	Required bool `json:"required"`
}

// TargetPrefix starts a route target.
const TargetPrefix = "integrations/"
