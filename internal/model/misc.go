package model

// Model is a JSON Schema (draft 4) describing a payload.
type Model struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	Schema      *string `json:"schema,omitempty"`
	ContentType string  `json:"contentType"`
}

// RequestValidator selects which parts of a request are validated.
type RequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// GatewayResponse customises a response API Gateway itself produces.
type GatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         *string           `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// Authorizer is a Lambda or Cognito authorizer of a REST API.
type Authorizer struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitzero"`
	AuthType                     *string  `json:"authType,omitempty"`
	AuthorizerURI                *string  `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        *string  `json:"authorizerCredentials,omitempty"`
	IdentitySource               *string  `json:"identitySource,omitempty"`
	IdentityValidationExpression *string  `json:"identityValidationExpression,omitempty"`
	AuthorizerResultTTLInSeconds *int64   `json:"authorizerResultTtlInSeconds,omitempty"`
}

// Account holds account-wide settings.
type Account struct {
	CloudwatchRoleArn *string          `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  ThrottleSettings `json:"throttleSettings"`
	Features          []string         `json:"features"`
	ApiKeyVersion     string           `json:"apiKeyVersion"`
}

// ThrottleSettings is a token-bucket rate and burst.
type ThrottleSettings struct {
	BurstLimit int64  `json:"burstLimit"`
	RateLimit  Double `json:"rateLimit"`
}

// AuthorizerTypes in the order AWS prints them [U].
var AuthorizerTypes = []string{"TOKEN", "REQUEST", "COGNITO_USER_POOLS"}

// DocumentationPart documents one part of an API.
type DocumentationPart struct {
	ID         string                `json:"id"`
	Location   DocumentationLocation `json:"location"`
	Properties string                `json:"properties"`
}

// DocumentationLocation says which part of an API a documentation part is about.
type DocumentationLocation struct {
	Type       string  `json:"type"`
	Path       *string `json:"path,omitempty"`
	Method     *string `json:"method,omitempty"`
	StatusCode *string `json:"statusCode,omitempty"`
	Name       *string `json:"name,omitempty"`
}

// DocumentationVersion is a snapshot of an API's documentation parts.
type DocumentationVersion struct {
	Version     string  `json:"version"`
	CreatedDate Time    `json:"createdDate"`
	Description *string `json:"description,omitempty"`
}

// DocumentationPartTypes in the order AWS prints them [V].
var DocumentationPartTypes = []string{"RESPONSE_BODY", "RESPONSE", "METHOD", "MODEL", "AUTHORIZER", "RESPONSE_HEADER",
	"RESOURCE", "PATH_PARAMETER", "REQUEST_BODY", "QUERY_PARAMETER", "API", "REQUEST_HEADER"}
