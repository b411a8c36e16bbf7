// Package gateway is Tollgate's data plane: it resolves a request to an
// API stage, routes it through the stage's compiled table, runs the
// integration and answers with API Gateway's responses, headers and errors.
//
// The pipeline is independent of the HTTP engine: it sees Request and
// Response, which an engine adapter (internal/gateway/engine) implements over
// its own types without copying.
package gateway

import (
	"context"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// Exchange is one request's journey through the data plane. Exchanges are
// pooled: nothing may keep a pointer to one after the handler returns.
type Exchange struct {
	Ctx  context.Context
	Req  pipeline.Request
	Resp pipeline.Response

	RequestID  string
	ExtendedID string
	Start      time.Time

	// APIID and StageName as addressed by the client.
	APIID     string
	StageName string
	// DomainName is the Host the client used.
	DomainName string
	// StagePath is the path after the stage, raw ("/pets/1", "" for root),
	// with repeated leading slashes folded into one as AWS routes it.
	StagePath string
	// RawStagePath is the path after the stage as the client sent it, for
	// $context.path ("//pets" stays "//pets" there) [V].
	RawStagePath string
	// Stage is the compiled stage serving this exchange (nil when unknown).
	Stage *Stage
	// Deployment is the deployment chosen (the canary's when IsCanary).
	Deployment *Deployment
	IsCanary   bool
	// Match is the routing result.
	Match router.Match[Route]

	// Filled as the request proceeds, for responses, logs and metrics.
	Status       int
	ErrorType    pipeline.ResponseType
	ErrorMessage string
	// ValidationError is $context.error.validationErrorString: why request
	// validation rejected the body.
	ValidationError    string
	IntegrationLatency time.Duration
	IntegrationStatus  int
	ResponseLength     int // -1: unknown (streamed)
	integrationStart   time.Time
	// Auth is what access control learned about the caller.
	Auth pipeline.Authorization
	// Network is the private network the request came from, if any.
	Network *pipeline.Network
	// cache is how the stage cache answered, for its metrics.
	cache cacheResult

	// body caches the request body once something has read it whole
	// (IAM signature checks, authorizers), so the integration sees it too.
	body     []byte
	bodyRead bool
	// overrides are what mapping templates set in
	// $context.requestOverride / responseOverride.
	overrides *overrides

	handler *Handler
	query   url.Values
	// serving is true while Handler.Serve runs; streamed when the body is
	// a stream whose Close completes the exchange (see StreamBody).
	serving, streamed, streamClosed bool
	// streamErr is why a streamed body broke off (nil: it did not).
	streamErr error
}

// StreamBody sends r as the response body (size -1: unknown) and defers
// the exchange's accounting — access log, metrics, return to the pool —
// until the engine has sent the stream and closed it, so that they record
// the real length and duration. Integrations stream through this, never
// through Resp.SetBodyStream directly.
//
// A read error other than io.EOF is the integration's failure (a
// *Failure, or an error taken as INTEGRATION_FAILURE): the engine stops
// sending and closes the connection, so the client sees an incomplete
// message, and the exchange is recorded with the status of that failure's
// gateway response (access log, 5XXError metric, a log line), not the
// status already sent. Integrations read a stream's first bytes before
// calling StreamBody, so that a backend failing at once still gets the
// gateway response itself.
func (x *Exchange) StreamBody(r io.Reader, size int) {
	x.streamed = true
	x.Resp.SetBodyStream(&accountedStream{r: r, x: x}, size)
}

// accountedStream counts a streamed body and completes its exchange when
// the engine closes it. Engines read and close on the goroutine that
// served the request, so no locking is needed.
type accountedStream struct {
	r   io.Reader
	x   *Exchange
	n   int
	err error
}

func (s *accountedStream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += n
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *accountedStream) Close() error {
	var err error
	if c, ok := s.r.(io.Closer); ok {
		err = c.Close()
	}
	x := s.x
	if x == nil {
		return err
	}
	s.x = nil
	x.ResponseLength = s.n
	x.streamErr = s.err
	if x.serving {
		// Closed before Serve returned (an engine that buffers the
		// stream): Serve completes the exchange itself.
		x.streamClosed = true
		return err
	}
	if x.streamErr != nil {
		x.handler.streamFailed(x)
	}
	x.handler.complete(x)
	return err
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

// Route returns the matched route, or nil.
func (x *Exchange) Route() *Route { return x.Match.Route }

var exchangePool = sync.Pool{New: func() any { return new(Exchange) }}

// acquire returns a reset Exchange.
func acquire() *Exchange { return exchangePool.Get().(*Exchange) }

func release(x *Exchange) {
	*x = Exchange{}
	exchangePool.Put(x)
}
