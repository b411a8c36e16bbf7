package pipeline

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"time"
)

// Address is where the front door found a request's target: the API and
// stage the request addresses, and the path within the stage.
type Address struct {
	// DomainName is the Host the client used.
	DomainName string
	// APIID and StageName as addressed by the client.
	APIID     string
	StageName string
	// StagePath is the path after the stage, raw ("/pets/1", "" for root),
	// with repeated leading slashes folded into one as AWS routes it.
	StagePath string
	// RawStagePath is the path after the stage as the client sent it, for
	// $context.path ("//pets" stays "//pets" there) [V].
	RawStagePath string
	// Domain is the custom domain name mapping or rule that routed the
	// request; nil for the execute-api addresses.
	Domain *DomainRoute
	// Path is, for a request through a custom domain, the request path as
	// the client sent it, base path included: what $context.path and a
	// REST proxy event's path show [C: localstack#12295].
	Path string
	// ClientCert is the client certificate a mutual TLS domain verified
	// (nil: none).
	ClientCert *ClientCert
}

// Exchange is one request's journey through an API's pipeline, and its
// record: access logs, metrics, $context variables and the integrations
// every API type shares read it. An API type embeds it in its own exchange,
// which adds what only that type has. Exchanges are pooled (per type):
// nothing may keep a pointer to one once it is complete.
type Exchange struct {
	Ctx  context.Context
	Req  Request
	Resp Response

	RequestID  string
	ExtendedID string
	Start      time.Time

	Address
	// Stage is the stage serving the exchange (nil when none).
	Stage *StageInfo
	// Route is the route the request matched (nil until routed).
	Route *RouteInfo
	// DeploymentID is the deployment serving the request (the canary's
	// when IsCanary).
	DeploymentID string
	// IsCanary is set when the request was routed to the stage's canary.
	IsCanary bool

	// Filled as the request proceeds, for responses, logs and metrics.
	Status       int
	ErrorType    ResponseType
	ErrorMessage string
	// ValidationError is $context.error.validationErrorString: why request
	// validation rejected the body.
	ValidationError string
	// IntegrationStart is when the integration was called (zero: it was
	// not); IntegrationLatency is how long it took.
	IntegrationStart   time.Time
	IntegrationLatency time.Duration
	IntegrationStatus  int
	// IntegrationError is why the integration failed, as HTTP APIs log it
	// ($context.integrationErrorMessage, $context.integration.error).
	IntegrationError string
	ResponseLength   int // -1: unknown (streamed)
	// Auth is what access control learned about the caller.
	Auth Authorization
	// Network is the private network the request came from, if any.
	Network *Network
	// Connection is, for a WebSocket API's event, its connection.
	Connection *Connection

	// trace is the request's trace context (trace.go).
	trace trace
	// WAF is what the stage's web ACL decided (zero: it has none).
	WAF WAFOutcome

	// body caches the request body once something has read it whole
	// (IAM signature checks, authorizers), so the integration sees it too.
	body     []byte
	bodyRead bool
	query    url.Values

	// owner completes the exchange when a streamed body outlives the
	// pipeline (see StreamBody).
	owner Owner
	// serving is true while the pipeline runs; streamed when the body is
	// a stream whose Close completes the exchange.
	serving, streamed, streamClosed bool
	// streamErr is why a streamed body broke off (nil: it did not).
	streamErr error
}

// Query returns the parsed (decoded) query string.
func (x *Exchange) Query() url.Values {
	if x.query == nil {
		x.query, _ = url.ParseQuery(x.Req.RawQuery())
		if x.query == nil {
			x.query = url.Values{}
		}
	}
	return x.query
}

// Variables returns the stage variables in effect (the canary's when the
// request was routed to the canary).
func (x *Exchange) Variables() map[string]string {
	if x.Stage == nil {
		return nil
	}
	if x.IsCanary {
		return x.Stage.CanaryVariables
	}
	return x.Stage.Variables
}

// BodyReader streams the request body: the cached copy when something in
// the pipeline already read it whole, else the client's stream.
func (x *Exchange) BodyReader() io.Reader {
	if x.bodyRead {
		return bytes.NewReader(x.body)
	}
	return x.Req.Body()
}

// ReadBody reads the whole request body, at most MaxBody bytes, and keeps
// it for whatever reads it next; a larger body returns ErrTooLarge, a body
// the client fails to send a ClientBodyError. Non-proxy integrations,
// signature checks and authorizers need the body whole.
func (x *Exchange) ReadBody() ([]byte, error) {
	if x.bodyRead {
		return x.body, nil
	}
	b, err := x.readBody()
	if err == nil {
		x.body, x.bodyRead = b, true
	}
	return b, err
}

func (x *Exchange) readBody() ([]byte, error) {
	n := x.Req.ContentLength()
	if n == 0 {
		return nil, nil
	}
	size := 512
	if n > 0 && n <= MaxBody {
		size = int(n)
	}
	buf := make([]byte, 0, size)
	r := io.LimitReader(x.Req.Body(), MaxBody+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, ClientBodyError(err)
		}
	}
	if len(buf) > MaxBody {
		return nil, ErrTooLarge
	}
	return buf, nil
}
