package model

// Resource is a node of a REST API's resource tree. Methods are stored inside
// their resource, keyed by HTTP verb.
type Resource struct {
	ID              string             `json:"id"`
	ParentID        string             `json:"parentId,omitempty"`
	PathPart        string             `json:"pathPart,omitempty"`
	Path            string             `json:"path"`
	ResourceMethods map[string]*Method `json:"resourceMethods,omitzero"`
}

// Method is an HTTP verb on a resource.
type Method struct {
	HTTPMethod          string                     `json:"httpMethod"`
	AuthorizationType   string                     `json:"authorizationType"`
	AuthorizerID        *string                    `json:"authorizerId,omitempty"`
	ApiKeyRequired      bool                       `json:"apiKeyRequired"`
	RequestValidatorID  *string                    `json:"requestValidatorId,omitempty"`
	OperationName       *string                    `json:"operationName,omitempty"`
	RequestParameters   map[string]bool            `json:"requestParameters,omitzero"`
	RequestModels       map[string]string          `json:"requestModels,omitzero"`
	MethodResponses     map[string]*MethodResponse `json:"methodResponses,omitzero"`
	MethodIntegration   *Integration               `json:"methodIntegration,omitempty"`
	AuthorizationScopes []string                   `json:"authorizationScopes,omitzero"`
}

// MethodResponse declares a status code a method may return.
type MethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitzero"`
	ResponseModels     map[string]string `json:"responseModels,omitzero"`
}

// Integration is a method's backend.
type Integration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           *string                         `json:"httpMethod,omitempty"`
	URI                  *string                         `json:"uri,omitempty"`
	ConnectionType       *string                         `json:"connectionType,omitempty"`
	ConnectionID         *string                         `json:"connectionId,omitempty"`
	Credentials          *string                         `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitzero"`
	RequestTemplates     map[string]*string              `json:"requestTemplates,omitzero"`
	PassthroughBehavior  *string                         `json:"passthroughBehavior,omitempty"`
	ContentHandling      *string                         `json:"contentHandling,omitempty"`
	TimeoutInMillis      int64                           `json:"timeoutInMillis"`
	CacheNamespace       *string                         `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitzero"`
	TLSConfig            *TLSConfig                      `json:"tlsConfig,omitempty"`
	ResponseTransferMode *string                         `json:"responseTransferMode,omitempty"`
	IntegrationTarget    *string                         `json:"integrationTarget,omitempty"`
}

// TLSConfig tunes TLS towards an HTTP backend.
type TLSConfig struct {
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// IntegrationResponse maps a backend response to a method response.
type IntegrationResponse struct {
	StatusCode         string             `json:"statusCode"`
	SelectionPattern   *string            `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string  `json:"responseParameters,omitzero"`
	ResponseTemplates  map[string]*string `json:"responseTemplates,omitzero"`
	ContentHandling    *string            `json:"contentHandling,omitempty"`
}

// HTTP verbs a method may use, in AWS's message order.
var HTTPMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

// Enumerations in the order AWS prints them in validation messages.
var (
	IntegrationTypes     = []string{"HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"}
	AuthorizationTypes   = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}
	PassthroughBehaviors = []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
	ContentHandlings     = []string{"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}
	ConnectionTypes      = []string{"INTERNET", "VPC_LINK"}
	// ResponseTransferModes are Integration.responseTransferMode's values
	// [M]; STREAM is for HTTP_PROXY and AWS_PROXY integrations [D].
	ResponseTransferModes = []string{"BUFFERED", "STREAM"}
)
