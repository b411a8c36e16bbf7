package modelv2

// Integration types.
const (
	IntegrationAWS       = "AWS"
	IntegrationHTTP      = "HTTP"
	IntegrationMock      = "MOCK"
	IntegrationHTTPProxy = "HTTP_PROXY"
	IntegrationAWSProxy  = "AWS_PROXY"
)

// Enumerations in the order of the service model.
var (
	IntegrationTypes    = []string{IntegrationAWS, IntegrationHTTP, IntegrationMock, IntegrationHTTPProxy, IntegrationAWSProxy}
	ConnectionTypes     = []string{ConnectionInternet, ConnectionVPCLink}
	PassthroughBehavior = []string{"WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"}
	ContentHandling     = []string{"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}
)

// Connection types.
const (
	ConnectionInternet = "INTERNET"
	ConnectionVPCLink  = "VPC_LINK"
)

// Integration timeouts in milliseconds [M][D].
const (
	DefaultTimeoutHTTP      = 30000
	DefaultTimeoutWebSocket = 29000
	MinTimeout              = 50
)

// Integration is a backend a route sends requests to.
type Integration struct {
	ApiGatewayManaged       bool    `json:"apiGatewayManaged,omitempty"`
	ConnectionID            *string `json:"connectionId,omitempty"`
	ConnectionType          string  `json:"connectionType"`
	ContentHandlingStrategy *string `json:"contentHandlingStrategy,omitempty"`
	CredentialsArn          *string `json:"credentialsArn,omitempty"`
	Description             *string `json:"description,omitempty"`
	IntegrationID           string  `json:"integrationId"`
	IntegrationMethod       *string `json:"integrationMethod,omitempty"`
	// IntegrationResponseSelectionExpression is WebSocket-only.
	IntegrationResponseSelectionExpression *string `json:"integrationResponseSelectionExpression,omitempty"`
	IntegrationSubtype                     *string `json:"integrationSubtype,omitempty"`
	IntegrationType                        string  `json:"integrationType"`
	IntegrationURI                         *string `json:"integrationUri,omitempty"`
	PassthroughBehavior                    *string `json:"passthroughBehavior,omitempty"`
	PayloadFormatVersion                   string  `json:"payloadFormatVersion"`
	// RequestParameters of an HTTP API are parameter mappings
	// ("overwrite:header.x" → "$request.header.y"), of a WebSocket API
	// "integration.request.header.x" → "route.request.header.y".
	RequestParameters map[string]string `json:"requestParameters,omitzero"`
	RequestTemplates  map[string]string `json:"requestTemplates,omitzero"`
	// ResponseParameters maps a backend status code ("200"-"599") to the
	// mappings applied to such responses (HTTP APIs only).
	ResponseParameters          map[string]map[string]string `json:"responseParameters,omitzero"`
	TemplateSelectionExpression *string                      `json:"templateSelectionExpression,omitempty"`
	TimeoutInMillis             int64                        `json:"timeoutInMillis"`
	TLSConfig                   *TLSConfig                   `json:"tlsConfig,omitempty"`
}

// TLSConfig is the TLS configuration of a private integration.
type TLSConfig struct {
	ServerNameToVerify *string `json:"serverNameToVerify,omitempty"`
}
