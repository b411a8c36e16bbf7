package model

// Model is a JSON Schema (draft 4) describing a payload.
type Model struct {
	ID string `json:"id"`
	// Name is alphanumeric and unique within the API; methods and other
	// models refer to the model by it.
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	// Schema is the JSON Schema document, as a string.
	Schema *string `json:"schema,omitempty"`
	// ContentType is the payload's media type ("application/json").
	ContentType string `json:"contentType"`
}

// RequestValidator selects which parts of a request are validated.
type RequestValidator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ValidateRequestBody checks bodies against the method's RequestModels.
	ValidateRequestBody bool `json:"validateRequestBody"`
	// ValidateRequestParameters checks that the method's required
	// RequestParameters are present.
	ValidateRequestParameters bool `json:"validateRequestParameters"`
}

// GatewayResponse customises a response API Gateway itself produces.
type GatewayResponse struct {
	// ResponseType is one of GatewayResponseTypes.
	ResponseType string `json:"responseType"`
	// StatusCode overrides the type's default status; nil keeps it.
	StatusCode *string `json:"statusCode,omitempty"`
	// ResponseParameters maps "gatewayresponse.header.{name}" to a
	// 'static' quoted value or a request value
	// ("method.request.header.{name}", "context.{var}",
	// "stageVariables.{name}").
	ResponseParameters map[string]string `json:"responseParameters"`
	// ResponseTemplates maps a content type to the body's VTL template.
	ResponseTemplates map[string]string `json:"responseTemplates"`
	// DefaultResponse is true for a type the API has not customised.
	DefaultResponse bool `json:"defaultResponse"`
}

// Authorizer is a Lambda or Cognito authorizer of a REST API.
type Authorizer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is one of AuthorizerTypes: "TOKEN" and "REQUEST" (Lambda
	// authorizers given a bearer token or request parameters) or
	// "COGNITO_USER_POOLS".
	Type string `json:"type"`
	// ProviderARNs are the Cognito user pool ARNs of a COGNITO_USER_POOLS
	// authorizer.
	ProviderARNs []string `json:"providerARNs,omitzero"`
	// AuthType is a free-text label for generated SDKs; informational.
	AuthType *string `json:"authType,omitempty"`
	// AuthorizerURI is the Lambda authorizer's invocation URI,
	// "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations".
	AuthorizerURI *string `json:"authorizerUri,omitempty"`
	// AuthorizerCredentials is the IAM role ARN API Gateway assumes to
	// invoke the Lambda authorizer; nil to use resource-based permissions.
	AuthorizerCredentials *string `json:"authorizerCredentials,omitempty"`
	// IdentitySource says where the identity comes from: one expression
	// ("method.request.header.Authorization") for TOKEN and Cognito
	// authorizers, a comma-separated list of request values for REQUEST.
	IdentitySource *string `json:"identitySource,omitempty"`
	// IdentityValidationExpression is a regular expression a TOKEN must
	// match before the authorizer is called.
	IdentityValidationExpression *string `json:"identityValidationExpression,omitempty"`
	// AuthorizerResultTTLInSeconds is how long an authorizer's result is
	// cached, 0 (no caching) to 3600 seconds; nil means 300.
	AuthorizerResultTTLInSeconds *int64 `json:"authorizerResultTtlInSeconds,omitempty"`
}

// Account holds account-wide settings.
type Account struct {
	// CloudwatchRoleArn is the role API Gateway assumes to write logs to
	// CloudWatch; informational here.
	CloudwatchRoleArn *string `json:"cloudwatchRoleArn,omitempty"`
	// ThrottleSettings is the account-level limit over every API.
	ThrottleSettings ThrottleSettings `json:"throttleSettings"`
	// Features are the account's enabled features ("UsagePlans").
	Features []string `json:"features"`
	// ApiKeyVersion is the version of the API keys' format ("4").
	ApiKeyVersion string `json:"apiKeyVersion"`
}

// ThrottleSettings is a token-bucket rate and burst.
type ThrottleSettings struct {
	// BurstLimit is the bucket's capacity, in requests.
	BurstLimit int64 `json:"burstLimit"`
	// RateLimit is the steady rate, in requests per second.
	RateLimit Double `json:"rateLimit"`
}

// AuthorizerTypes in the order AWS prints them [U].
var AuthorizerTypes = []string{"TOKEN", "REQUEST", "COGNITO_USER_POOLS"}

// DocumentationPart documents one part of an API.
type DocumentationPart struct {
	ID       string                `json:"id"`
	Location DocumentationLocation `json:"location"`
	// Properties is the documentation itself, a JSON object as a string
	// ({"description": "..."}).
	Properties string `json:"properties"`
}

// DocumentationLocation says which part of an API a documentation part is about.
type DocumentationLocation struct {
	// Type is one of DocumentationPartTypes.
	Type string `json:"type"`
	// Path is the resource path the part is about.
	Path *string `json:"path,omitempty"`
	// Method is the HTTP verb the part is about.
	Method *string `json:"method,omitempty"`
	// StatusCode is the response status the part is about.
	StatusCode *string `json:"statusCode,omitempty"`
	// Name is the parameter, header, model or authorizer name the part is
	// about.
	Name *string `json:"name,omitempty"`
}

// DocumentationVersion is a snapshot of an API's documentation parts.
type DocumentationVersion struct {
	// Version is the snapshot's label, unique within the API.
	Version     string  `json:"version"`
	CreatedDate Time    `json:"createdDate"`
	Description *string `json:"description,omitempty"`
}

// DocumentationPartTypes in the order AWS prints them [V].
var DocumentationPartTypes = []string{"RESPONSE_BODY", "RESPONSE", "METHOD", "MODEL", "AUTHORIZER", "RESPONSE_HEADER",
	"RESOURCE", "PATH_PARAMETER", "REQUEST_BODY", "QUERY_PARAMETER", "API", "REQUEST_HEADER"}
