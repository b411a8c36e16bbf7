package rest

import "github.com/tollgate/tollgate/internal/gateway/pipeline"

// Integration runs a method's backend and writes the method response. It
// returns a *Failure (or an error, which becomes INTEGRATION_FAILURE) when
// API Gateway itself must answer.
type Integration interface {
	Invoke(x *Exchange) error
}

// StreamingIntegration is an integration that may stream its responses
// (responseTransferMode STREAM): the stage cache does not apply to it
// ("response streaming doesn't support … endpoint caching", API Gateway
// Developer Guide, "Stream the integration response for your proxy
// integrations in API Gateway").
type StreamingIntegration interface {
	Integration
	// Streams reports whether the integration streams.
	Streams() bool
}

// Route is one compiled method of one resource.
type Route struct {
	pipeline.RouteInfo
	APIKeyRequired bool
	// Mock marks a MOCK integration, which has no endpoint lines in
	// execution logs [U].
	Mock bool
	// Guard checks access before the integration; nil when the method has
	// no authorization, no API key and the API no resource policy.
	Guard Guard
	// Validator checks the request against the method's request validator
	// after the Guard; nil when the method has none.
	Validator   RequestValidator
	Integration Integration
	// CacheNamespace and CacheKey build the route's stage-cache key: the
	// integration's cacheNamespace (default: the resource id) and its
	// compiled cacheKeyParameters, in declared order.
	CacheNamespace string
	CacheKey       []Source
}

// Guard decides, after routing and before the integration, whether a
// request may proceed: resource policy, IAM authentication, authorizers and
// API keys (reference §2.3 steps 6–9). A route whose method needs none of
// them has no Guard and pays nothing. Implementations live in
// internal/gateway/rest/access and are compiled once per deployment.
type Guard interface {
	// Check returns nil to let the request through (having filled
	// x.Auth), or the *Failure to answer with.
	Check(x *Exchange) error
}

// RequestValidator checks a request against its method's request
// validator (reference §2.3 step 10): required parameters, then the body
// against the content type's model. Implementations live in
// internal/gateway/rest/validate and are compiled once per deployment.
type RequestValidator interface {
	// Validate returns nil to let the request through, or the *Failure
	// (BAD_REQUEST_PARAMETERS, BAD_REQUEST_BODY) to answer with; it sets
	// x.ValidationError for a rejected body.
	Validate(x *Exchange) error
}
