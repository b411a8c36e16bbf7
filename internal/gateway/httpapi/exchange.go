package httpapi

import (
	"log/slog"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
)

// Exchange is one HTTP API request's journey through the pipeline: the
// shared record (pipeline.Exchange) and what only HTTP APIs have.
// Exchanges are pooled: nothing may keep a pointer to one after it is
// complete.
type Exchange struct {
	pipeline.Exchange

	// Match is the routing result; routed reports whether routing ran.
	Match  router.Match[Route]
	routed bool
	// Deployment is the deployment serving the request.
	Deployment *Deployment

	// authorizer is what the route's authorizer established, for the
	// Lambda payload (nil: the route has none).
	authorizer *proxyevent.Authorizer
	// response is a Lambda proxy answer, for response parameter mappings
	// ($response.header, $response.body); nil for HTTP backends.
	response *proxyevent.Response
	// backendBody is the start of an HTTP backend's body, read when a
	// response mapping reads $response.body (see httpProxy.bodyNeed).
	backendBody []byte
	// preflight is set when the gateway answered a CORS preflight itself.
	preflight bool

	// stage is the stage serving the exchange.
	stage *Stage

	// headBytes and countHeader measure the request's head (headSize);
	// countHeader outlives the exchange's reuse.
	headBytes   int
	countHeader func(name, value []byte)
	// headers looks request headers up (requestHeaderView); it too
	// outlives the exchange's reuse.
	headers headerFinder

	// jwtAuth and jwtClaims back authorizer for JWT routes, so that an
	// authorization allocates nothing.
	jwtAuth   proxyevent.Authorizer
	jwtClaims proxyevent.JWTAuth
}

// StreamDone implements pipeline.Owner: a streamed body has been sent (or
// broke off, err) after the pipeline returned.
func (x *Exchange) StreamDone(err error) {
	if err != nil {
		x.stage.streamFailed(x, err)
	}
	x.complete()
}

var _ pipeline.Owner = (*Exchange)(nil)

var exchangePool = sync.Pool{New: func() any { return new(Exchange) }}

// complete records a finished exchange (access log, metrics) and returns
// it to the pool.
func (x *Exchange) complete() {
	st := x.stage
	if st.AccessLog != nil {
		st.AccessLog.Write(&x.Exchange)
	}
	st.Metrics.Observe(&x.Exchange, time.Since(x.Start), 0)
	if x.Traced() {
		tracing.End(&x.Exchange)
	}
	count, headers := x.countHeader, x.headers
	headers.name = ""
	*x = Exchange{countHeader: count, headers: headers}
	exchangePool.Put(x)
}

// log is the logger of x's stage.
func (x *Exchange) log() *slog.Logger { return x.stage.env().log() }

// rawPath is the request path as the client sent it within the API:
// a named stage's prefix included, as HTTP APIs hand it to integrations
// ("/dev/pets/6" for stage dev) [C: powertools-lambda-python#621]; through
// a custom domain, the path as sent, the matched base path included [L].
func (x *Exchange) rawPath() string {
	if x.Domain != nil {
		if x.Path == "" {
			return "/"
		}
		return x.Path
	}
	p := x.RawStagePath
	if x.StageName == pipeline.DefaultStage {
		if p == "" {
			return "/"
		}
		return p
	}
	return "/" + x.StageName + p
}
