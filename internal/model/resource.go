package model

// Resource is a node of a REST API's resource tree. Methods are stored inside
// their resource, keyed by HTTP verb.
type Resource struct {
	ID string `json:"id"`
	// ParentID is the parent resource's id; empty for the root.
	ParentID string `json:"parentId,omitempty"`
	// PathPart is the resource's own path segment: a literal, "{param}"
	// or the greedy "{proxy+}"; empty for the root.
	PathPart string `json:"pathPart,omitempty"`
	// Path is the full path from the root ("/", "/pets/{petId}").
	Path string `json:"path"`
	// ResourceMethods are the methods, keyed by HTTP verb (or "ANY").
	ResourceMethods map[string]*Method `json:"resourceMethods,omitzero"`
}

// Method is an HTTP verb on a resource.
type Method struct {
	// HTTPMethod is the verb, one of HTTPMethods ("ANY" matches every verb
	// no other method of the resource claims).
	HTTPMethod string `json:"httpMethod"`
	// AuthorizationType is one of AuthorizationTypes: "NONE", "AWS_IAM"
	// (SigV4), "CUSTOM" (a Lambda authorizer) or "COGNITO_USER_POOLS".
	AuthorizationType string `json:"authorizationType"`
	// AuthorizerID names the authorizer of a CUSTOM or COGNITO_USER_POOLS
	// method.
	AuthorizerID *string `json:"authorizerId,omitempty"`
	// ApiKeyRequired makes callers present an enabled API key of a usage
	// plan bound to the stage (see RestApi.ApiKeySource).
	ApiKeyRequired bool `json:"apiKeyRequired"`
	// RequestValidatorID names the validator applied to requests; nil for
	// none.
	RequestValidatorID *string `json:"requestValidatorId,omitempty"`
	// OperationName is a friendly name for generated SDKs; informational.
	OperationName *string `json:"operationName,omitempty"`
	// RequestParameters declares the request's parameters, keyed
	// "method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.{name}",
	// each true when required (checked by a validator with
	// validateRequestParameters).
	RequestParameters map[string]bool `json:"requestParameters,omitzero"`
	// RequestModels maps a content type to the name of the Model that
	// describes (and validates) request bodies of that type.
	RequestModels map[string]string `json:"requestModels,omitzero"`
	// MethodResponses are the declared responses, keyed by status code.
	MethodResponses map[string]*MethodResponse `json:"methodResponses,omitzero"`
	// MethodIntegration is the backend; nil until PutIntegration.
	MethodIntegration *Integration `json:"methodIntegration,omitempty"`
	// AuthorizationScopes are OAuth scopes for a COGNITO_USER_POOLS
	// method are the values of an access token must carry one of them.
	AuthorizationScopes []string `json:"authorizationScopes,omitzero"`
}

// MethodResponse declares a status code a method may return.
type MethodResponse struct {
	// StatusCode is the three-digit status ("200").
	StatusCode string `json:"statusCode"`
	// ResponseParameters declares the response's headers, keyed
	// "method.response.header.{name}", each true when required.
	ResponseParameters map[string]bool `json:"responseParameters,omitzero"`
	// ResponseModels maps a content type to the name of the Model of the
	// response body.
	ResponseModels map[string]string `json:"responseModels,omitzero"`
}

// Integration is a method's backend.
type Integration struct {
	// Type is one of IntegrationTypes: "HTTP" and "AWS" (with mapping
	// templates), "HTTP_PROXY" and "AWS_PROXY" (passed through; AWS_PROXY
	// is the Lambda proxy integration) or "MOCK" (no backend).
	Type string `json:"type"`
	// HTTPMethod is the verb used towards the backend (PutIntegration's
	// integrationHttpMethod); POST for Lambda.
	HTTPMethod *string `json:"httpMethod,omitempty"`
	// URI is the backend: an http(s) URL for HTTP types, or an
	// "arn:aws:apigateway:{region}:{service}:..." ARN for AWS types (for
	// Lambda, ".../functions/{functionArn}/invocations"); nil for MOCK.
	// It may contain {param} placeholders and ${stageVariables.name}.
	URI *string `json:"uri,omitempty"`
	// ConnectionType is "INTERNET" or "VPC_LINK".
	ConnectionType *string `json:"connectionType,omitempty"`
	// ConnectionID is the VPC link's id for a VPC_LINK connection.
	ConnectionID *string `json:"connectionId,omitempty"`
	// Credentials is the IAM role ARN API Gateway assumes to call an AWS
	// backend, or "arn:aws:iam::*:user/*" for the caller's own identity.
	Credentials *string `json:"credentials,omitempty"`
	// RequestParameters maps a backend parameter
	// ("integration.request.{path|querystring|header}.{name}") to its
	// source: a method request parameter ("method.request.header.X"), a
	// 'static' quoted value, "context.{var}" or "stageVariables.{name}".
	RequestParameters map[string]string `json:"requestParameters,omitzero"`
	// RequestTemplates maps a content type to its VTL mapping template;
	// a nil value is a template that is set but empty.
	RequestTemplates map[string]*string `json:"requestTemplates,omitzero"`
	// PassthroughBehavior says what happens to a request body whose
	// content type has no template: one of PassthroughBehaviors.
	PassthroughBehavior *string `json:"passthroughBehavior,omitempty"`
	// ContentHandling converts the request payload: "CONVERT_TO_BINARY"
	// (base64 text to bytes) or "CONVERT_TO_TEXT" (bytes to base64); nil
	// passes it through.
	ContentHandling *string `json:"contentHandling,omitempty"`
	// TimeoutInMillis bounds the backend call, in milliseconds (50 to
	// 29000 by default).
	TimeoutInMillis int64 `json:"timeoutInMillis"`
	// CacheNamespace groups the cache entries of related methods;
	// defaults to the resource id.
	CacheNamespace *string `json:"cacheNamespace,omitempty"`
	// CacheKeyParameters are the method request parameters
	// ("method.request.querystring.q") whose values are part of the
	// response cache key.
	CacheKeyParameters []string `json:"cacheKeyParameters"`
	// IntegrationResponses map backend responses to method responses,
	// keyed by method response status code.
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitzero"`
	TLSConfig            *TLSConfig                      `json:"tlsConfig,omitempty"`
	// ResponseTransferMode is "BUFFERED" (the default) or "STREAM"
	// (response streaming).
	ResponseTransferMode *string `json:"responseTransferMode,omitempty"`
	// IntegrationTarget is the load balancer ARN of a VPC link V2 private
	// integration.
	IntegrationTarget *string `json:"integrationTarget,omitempty"`
}

// TLSConfig tunes TLS towards an HTTP backend.
type TLSConfig struct {
	// InsecureSkipVerification skips checking that the backend's
	// certificate comes from a trusted authority (for self-signed and
	// private-CA certificates); expiry and host name are still checked.
	// HTTP and HTTP_PROXY integrations only.
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// IntegrationResponse maps a backend response to a method response.
type IntegrationResponse struct {
	// StatusCode is the method response status this response produces.
	StatusCode string `json:"statusCode"`
	// SelectionPattern is a regular expression matched in full against the
	// backend's status code (HTTP) or error message (Lambda); nil or empty
	// makes this the default response.
	SelectionPattern *string `json:"selectionPattern,omitempty"`
	// ResponseParameters maps "method.response.header.{name}" to its
	// source: "integration.response.header.{name}",
	// "integration.response.body[.jsonpath]", a 'static' quoted value, or
	// "context.{var}" / "stageVariables.{name}".
	ResponseParameters map[string]string `json:"responseParameters,omitzero"`
	// ResponseTemplates maps a content type to the VTL template of the
	// response body; a nil value is a template that is set but empty.
	ResponseTemplates map[string]*string `json:"responseTemplates,omitzero"`
	// ContentHandling converts the response payload like
	// Integration.ContentHandling; nil passes it through.
	ContentHandling *string `json:"contentHandling,omitempty"`
}

// HTTP verbs a method may use, in AWS's message order.
var HTTPMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

// Enumerations in the order AWS prints them in validation messages.
var (
	// IntegrationTypes are the values of Integration.Type.
	IntegrationTypes = []string{"HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"}
	// AuthorizationTypes are the values of Method.AuthorizationType.
	AuthorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}
	// PassthroughBehaviors are the values of Integration.PassthroughBehavior.
	PassthroughBehaviors = []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
	// ContentHandlings are the values of the ContentHandling fields.
	ContentHandlings = []string{"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}
	// ConnectionTypes are the values of Integration.ConnectionType.
	ConnectionTypes = []string{"INTERNET", "VPC_LINK"}
	// ResponseTransferModes are Integration.responseTransferMode's values
	// [M]; STREAM is for HTTP_PROXY and AWS_PROXY integrations [D].
	ResponseTransferModes = []string{"BUFFERED", "STREAM"}
)
