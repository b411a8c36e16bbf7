package pipeline

import "context"

// Target is what the front door dispatches a request to: a compiled stage
// of an API, of any type (a REST stage; next, HTTP API and WebSocket
// stages). A published Target is immutable: configuration changes publish
// a new one.
type Target interface {
	// Serve answers one request addressed to the target, at the address
	// the front door resolved. The engine calls it once per request, on the
	// request's goroutine, and sends resp when it returns (a streamed body
	// after that, until the stream is closed).
	Serve(ctx context.Context, req Request, resp Response, at Address)
}

// Retirer is a Target that owns what must be released once no table holds
// it (metric series, a stage cache's entries, an authorizer cache). The
// front door calls Retire once, after the swap that replaced the target
// (next is its successor) or removed it (next is nil). Requests that
// started on the target may still be running: Retire must leave them
// working, and must not release what next took over.
type Retirer interface {
	Retire(next Target)
}

// DefaultStage is the name of an HTTP API's stage that serves at the root
// of the API's host (no stage segment in its paths).
const DefaultStage = "$default"

// UnknownStage is a Target whose API answers requests that address none of
// its stages in its own way: an HTTP API answers them 404 {"message":"Not
// Found"}, where the front door answers 403 for APIs of other types. The
// front door asks any published stage of the addressed API.
type UnknownStage interface {
	ServeUnknownStage(ctx context.Context, req Request, resp Response, at Address)
}

// ResponseHeaders is implemented by Responses that read back the headers
// set on them: what an integration answered, for HTTP APIs' response
// parameter mappings ($response.header.{name}).
type ResponseHeaders interface {
	// ResponseHeader returns the first value of a response header
	// (case-insensitive), or "".
	ResponseHeader(name string) string
}
