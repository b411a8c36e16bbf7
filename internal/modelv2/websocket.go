package modelv2

// WebSocket-only resources: route responses, integration responses and
// models. Each is a child document of its API (models) or of one of the
// API's routes or integrations, and a deployment freezes all of them in
// its Snapshot (Snapshot.RouteResponses, Snapshot.IntegrationResponses,
// Snapshot.Models).

// DefaultResponseKey is the only route response key AWS supports, and the
// catch-all integration response key [D].
const DefaultResponseKey = "$default"

// RouteResponse is the response of a WebSocket route. A route whose
// routeResponseSelectionExpression is "$default" and that has a route
// response with key "$default" is two-way: what its integration answers
// (a proxy integration's body, or a non-proxy integration's response
// after its integration response) is sent back to the client as one
// message. Without a route response nothing is sent back, whatever the
// backend answers [D].
type RouteResponse struct {
	// ModelSelectionExpression selects a model of ResponseModels; AWS
	// accepts it but does not use it yet [D].
	ModelSelectionExpression *string `json:"modelSelectionExpression,omitempty"`
	// ResponseModels maps a model selection key to a model name.
	ResponseModels map[string]string `json:"responseModels,omitzero"`
	// ResponseParameters are the response's parameters with whether each
	// is required.
	ResponseParameters map[string]ParameterConstraints `json:"responseParameters,omitzero"`
	RouteResponseID    string                          `json:"routeResponseId"`
	// RouteResponseKey is always DefaultResponseKey.
	RouteResponseKey string `json:"routeResponseKey"`
}

// IntegrationResponse says how the response of a non-proxy WebSocket
// integration (AWS, HTTP, MOCK) is turned into the message sent back on a
// two-way route. Proxy integrations (AWS_PROXY, HTTP_PROXY) have none in
// effect: their backend's payload is sent as is [D].
type IntegrationResponse struct {
	// ContentHandlingStrategy converts the payload: CONVERT_TO_BINARY
	// (base64 text to bytes) or CONVERT_TO_TEXT (bytes to base64 text);
	// nil passes it through.
	ContentHandlingStrategy *string `json:"contentHandlingStrategy,omitempty"`
	IntegrationResponseID   string  `json:"integrationResponseId"`
	// IntegrationResponseKey is DefaultResponseKey (the catch-all) or a
	// regular expression between slashes ("/4\d\d/") matched against the
	// value of the integration's integrationResponseSelectionExpression:
	// the status code of an HTTP or MOCK integration, the error message of
	// a Lambda (AWS) integration. The slashes are part of the key;
	// IntegrationResponsePattern returns the expression [D].
	IntegrationResponseKey string `json:"integrationResponseKey"`
	// ResponseParameters map "method.response.header.{name}" to
	// "integration.response.header.{name}",
	// "integration.response.body.{JSONPath}" or a 'static' value [M].
	ResponseParameters map[string]string `json:"responseParameters,omitzero"`
	// ResponseTemplates are VTL templates keyed by template selection key;
	// the one applied is chosen by TemplateSelectionExpression ("$default"
	// is the catch-all). Every template parsed with internal/vtl when it
	// was stored. An empty template is stored as "".
	ResponseTemplates map[string]string `json:"responseTemplates,omitzero"`
	// TemplateSelectionExpression chooses among ResponseTemplates:
	// ${request.body.jsonPath}, ${integration.response.statuscode},
	// ${integration.response.header.name}, static text [D].
	TemplateSelectionExpression *string `json:"templateSelectionExpression,omitempty"`
}

// IntegrationResponsePattern returns the regular expression of an
// integration response key written "/expression/", and false for
// DefaultResponseKey or any other key.
func IntegrationResponsePattern(key string) (string, bool) {
	if len(key) >= 2 && key[0] == '/' && key[len(key)-1] == '/' {
		return key[1 : len(key)-1], true
	}
	return "", false
}

// Model is a WebSocket API's data model: a JSON Schema (draft 4) that
// routes name in requestModels (selected by their
// modelSelectionExpression) to validate message bodies, and from which
// GetModelTemplate derives a mapping template.
type Model struct {
	ContentType *string `json:"contentType,omitempty"`
	Description *string `json:"description,omitempty"`
	ModelID     string  `json:"modelId"`
	// Name is alphanumeric and unique within the API; routes refer to
	// models by name.
	Name string `json:"name"`
	// Schema is the JSON Schema draft 4 document, checked to be a JSON
	// object that compiles when the model was stored.
	Schema *string `json:"schema,omitempty"`
}
