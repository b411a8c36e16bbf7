package rest

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
