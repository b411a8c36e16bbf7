package model

// RestApi is a REST API.
type RestApi struct {
	// ID is the API's identifier: the {restapi_id} of its management URLs
	// and the first label of its execute-api host name.
	ID string `json:"id"`
	// Name is the display name; names need not be unique.
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	CreatedDate Time    `json:"createdDate"`
	// Version is a free-text version label (an import's info.version).
	Version *string `json:"version,omitempty"`
	// Warnings are the messages of an ImportRestApi or PutRestApi about
	// the parts of the definition it ignored (failonwarnings=false).
	Warnings []string `json:"warnings,omitzero"`
	// BinaryMediaTypes are the media types ("image/png", "image/*",
	// "*/*") whose payloads are binary: they are base64-encoded for
	// templates and Lambda proxy events. PATCH paths write the '/' as ~1.
	BinaryMediaTypes []string `json:"binaryMediaTypes,omitzero"`
	// MinimumCompressionSize is in bytes, 0 to 10485760: responses at least
	// this large are compressed when the client accepts it. nil disables
	// compression.
	MinimumCompressionSize *int64 `json:"minimumCompressionSize,omitempty"`
	// ApiKeySource says where a method requiring an API key finds it:
	// "HEADER" (the x-api-key header) or "AUTHORIZER" (the
	// usageIdentifierKey a Lambda authorizer returns).
	ApiKeySource          string                 `json:"apiKeySource"`
	EndpointConfiguration *EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	// Policy is the resource policy, an IAM policy document as a JSON
	// string; nil when there is none.
	Policy *string           `json:"policy,omitempty"`
	Tags   map[string]string `json:"tags,omitzero"`
	// DisableExecuteApiEndpoint, when true, makes the default execute-api
	// endpoint refuse requests: clients must come through a custom domain.
	DisableExecuteApiEndpoint bool `json:"disableExecuteApiEndpoint"`
	// RootResourceID is the id of the root resource ("/"), created with
	// the API and never deleted.
	RootResourceID string `json:"rootResourceId"`
	// SecurityPolicy is the TLS policy of the API's endpoint ("TLS_1_2" or
	// a "SecurityPolicy_*" name); nil when unset.
	SecurityPolicy *string `json:"securityPolicy,omitempty"`
	// EndpointAccessMode is "BASIC" or "STRICT", set only with a
	// "SecurityPolicy_*" policy.
	EndpointAccessMode *string `json:"endpointAccessMode,omitempty"`
}

// EndpointConfiguration says where an API is reachable from.
type EndpointConfiguration struct {
	// Types holds one endpoint type: EndpointEdge, EndpointRegional or
	// EndpointPrivate.
	Types []string `json:"types,omitzero"`
	// IPAddressType is IPv4 or DualStack.
	IPAddressType string `json:"ipAddressType,omitempty"`
	// VpcEndpointIds are the VPC endpoints a PRIVATE API is reachable
	// through.
	VpcEndpointIds []string `json:"vpcEndpointIds,omitzero"`
}

// Endpoint types and IP address types.
const (
	EndpointEdge     = "EDGE"      // served through CloudFront's edge locations
	EndpointRegional = "REGIONAL"  // served in the API's region
	EndpointPrivate  = "PRIVATE"   // reachable only through VPC endpoints
	IPv4             = "ipv4"      // clients connect over IPv4 only
	DualStack        = "dualstack" // clients connect over IPv4 or IPv6
)

// Enumerations in the order AWS prints them in validation messages.
var (
	// EndpointTypes are the values of EndpointConfiguration.Types.
	EndpointTypes = []string{"PRIVATE", "EDGE", "REGIONAL"}
	// IPAddressTypes are the values of EndpointConfiguration.IPAddressType.
	IPAddressTypes = []string{"ipv4", "dualstack"}
	// ApiKeySources are the values of RestApi.ApiKeySource.
	ApiKeySources = []string{"HEADER", "AUTHORIZER"}
)
