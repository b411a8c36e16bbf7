package modelv2

import "github.com/tollgate/tollgate/internal/model"

// Protocol types.
const (
	ProtocolHTTP      = "HTTP"
	ProtocolWebSocket = "WEBSOCKET"
)

// Defaults AWS stores and returns [X].
const (
	// HTTPRouteSelection is the only route selection expression of HTTP
	// APIs, in the form AWS returns it.
	HTTPRouteSelection = "$request.method $request.path"
	// DefaultAPIKeySelection is the API key selection expression of an API
	// created without one.
	DefaultAPIKeySelection = "$request.header.x-api-key"
	// DefaultKey is the catch-all route key and the name of the stage
	// served at the root of an HTTP API.
	DefaultKey = "$default"
)

// Api is an HTTP or WebSocket API.
type Api struct {
	ApiEndpoint               string            `json:"apiEndpoint,omitempty"`
	ApiGatewayManaged         bool              `json:"apiGatewayManaged,omitempty"`
	ApiID                     string            `json:"apiId"`
	ApiKeySelectionExpression string            `json:"apiKeySelectionExpression,omitempty"`
	CorsConfiguration         *Cors             `json:"corsConfiguration,omitempty"`
	CreatedDate               Time              `json:"createdDate"`
	Description               *string           `json:"description,omitempty"`
	DisableSchemaValidation   bool              `json:"disableSchemaValidation,omitempty"`
	DisableExecuteApiEndpoint bool              `json:"disableExecuteApiEndpoint"`
	ImportInfo                []string          `json:"importInfo,omitzero"`
	IPAddressType             string            `json:"ipAddressType,omitempty"`
	Name                      string            `json:"name"`
	ProtocolType              string            `json:"protocolType"`
	RouteSelectionExpression  string            `json:"routeSelectionExpression"`
	Tags                      map[string]string `json:"tags,omitzero"`
	Version                   *string           `json:"version,omitempty"`
	Warnings                  []string          `json:"warnings,omitzero"`
}

// Cors is an HTTP API's CORS configuration, answered by the gateway itself.
type Cors struct {
	AllowCredentials *bool    `json:"allowCredentials,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitzero"`
	AllowMethods     []string `json:"allowMethods,omitzero"`
	AllowOrigins     []string `json:"allowOrigins,omitzero"`
	ExposeHeaders    []string `json:"exposeHeaders,omitzero"`
	MaxAge           *int64   `json:"maxAge,omitempty"`
}

// VpcLink is a VPC link (version 2) for private integrations.
type VpcLink struct {
	CreatedDate          Time              `json:"createdDate"`
	Name                 string            `json:"name"`
	SecurityGroupIDs     []string          `json:"securityGroupIds"`
	SubnetIDs            []string          `json:"subnetIds"`
	Tags                 map[string]string `json:"tags,omitzero"`
	VpcLinkID            string            `json:"vpcLinkId"`
	VpcLinkStatus        string            `json:"vpcLinkStatus"`
	VpcLinkStatusMessage string            `json:"vpcLinkStatusMessage,omitempty"`
	VpcLinkVersion       string            `json:"vpcLinkVersion"`
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return model.Ptr(v) }
