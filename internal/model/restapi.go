package model

// RestApi is a REST API.
type RestApi struct {
	ID                        string                 `json:"id"`
	Name                      string                 `json:"name"`
	Description               *string                `json:"description,omitempty"`
	CreatedDate               Time                   `json:"createdDate"`
	Version                   *string                `json:"version,omitempty"`
	Warnings                  []string               `json:"warnings,omitzero"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes,omitzero"`
	MinimumCompressionSize    *int64                 `json:"minimumCompressionSize,omitempty"`
	ApiKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    *string                `json:"policy,omitempty"`
	Tags                      map[string]string      `json:"tags,omitzero"`
	DisableExecuteApiEndpoint bool                   `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                 `json:"rootResourceId"`
	SecurityPolicy            *string                `json:"securityPolicy,omitempty"`
	EndpointAccessMode        *string                `json:"endpointAccessMode,omitempty"`
}

// EndpointConfiguration says where an API is reachable from.
type EndpointConfiguration struct {
	Types          []string `json:"types,omitzero"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VpcEndpointIds []string `json:"vpcEndpointIds,omitzero"`
}

// Endpoint types and IP address types.
const (
	EndpointEdge     = "EDGE"
	EndpointRegional = "REGIONAL"
	EndpointPrivate  = "PRIVATE"
	IPv4             = "ipv4"
	DualStack        = "dualstack"
)

// Enumerations in the order AWS prints them in validation messages.
var (
	EndpointTypes  = []string{"PRIVATE", "EDGE", "REGIONAL"}
	IPAddressTypes = []string{"ipv4", "dualstack"}
	ApiKeySources  = []string{"HEADER", "AUTHORIZER"}
)
