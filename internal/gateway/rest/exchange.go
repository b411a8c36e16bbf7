// Package rest is the data plane of REST APIs (API Gateway v1): compiled
// deployments and stages, resource routing, the pipeline order (Stage.Serve
// and Stage.run, in serve.go), gateway responses, the stage cache, canaries
// and the VTL mapping context. It builds on the shared core
// (internal/gateway/pipeline) and what every API type shares; its
// integrations, access checks and request validators live in its
// subpackages.
package rest

import (
	"log/slog"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
)

// Exchange is one REST request's journey through the pipeline: the shared
// record (pipeline.Exchange) and what only REST has. Exchanges are pooled:
// nothing may keep a pointer to one after it is complete.
type Exchange struct {
	pipeline.Exchange

	// Match is the routing result.
	Match router.Match[Route]
	// Deployment is the deployment chosen (the canary's when IsCanary).
	Deployment *Deployment

	// overrides are what mapping templates set in
	// $context.requestOverride / responseOverride.
	overrides *overrides
	// cache is how the stage cache answered, for its metrics.
	cache observe.CacheResult

	// stage is the stage serving the exchange.
	stage *Stage
	// exec is the data trace of a method with dataTraceEnabled (nil: none);
	// failure is the cause of a failed request, for the execution log.
	exec    *execTrace
	failure string
	// wafReq is what the stage's web ACL inspects (waf.go).
	wafReq wafRequest
	// testContext are $context values a test invocation sets
	// (TestInvokeAuthorizer's additionalContext), by name without
	// "context."; nil otherwise.
	testContext map[string]string
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
	if st.ExecLog != nil {
		st.ExecLog.write(x)
	}
	st.Metrics.Observe(&x.Exchange, time.Since(x.Start), x.cache)
	if x.Traced() {
		tracing.End(&x.Exchange)
	}
	*x = Exchange{}
	exchangePool.Put(x)
}

// log is the logger of x's stage.
func (x *Exchange) log() *slog.Logger { return x.stage.env().log() }
