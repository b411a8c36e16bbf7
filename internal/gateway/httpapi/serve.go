package httpapi

import (
	"context"
	"errors"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Serve answers one request the front door addressed to this stage
// (pipeline.Target).
func (st *Stage) Serve(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address) {
	x := st.acquire(ctx, req, resp, at)
	if err := st.run(x); err != nil {
		st.fail(x, err)
	}
	x.corsHeaders()
	pending, streamErr := x.End()
	if pending {
		return // the stream's Close completes the exchange (StreamDone)
	}
	if streamErr != nil {
		// An engine that read the stream whole before sending anything
		// found it broken: the client gets the gateway's answer.
		st.fail(x, streamErr)
	}
	x.Settle()
	x.complete()
}

// run is HTTP APIs' pipeline, in API Gateway's order [D]: each step lets
// the request through (nil) or says how to answer. CORS headers are added
// to whatever the pipeline answered, in Serve.
func (st *Stage) run(x *Exchange) error {
	if err := st.admit(x); err != nil { // deployment; endpoint, size
		return err
	}
	if x.answerPreflight() { // a CORS preflight no route claims
		return nil
	}
	if err := x.route(); err != nil { // route selection
		return err
	}
	if err := st.env().Throttling.Check(x.Ctx, x.routeLimit(), x.Start); err != nil { // account, route
		return err
	}
	if a := x.Match.Route.Auth; a != nil { // JWT, Lambda or IAM
		if err := a.Authorize(x); err != nil {
			return err
		}
	}
	return x.integrate() // parameter mapping, the integration, response mapping
}

// acquire returns a pooled exchange for a request to st.
func (st *Stage) acquire(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address) *Exchange {
	x := exchangePool.Get().(*Exchange)
	x.stage, x.Stage = st, &st.StageInfo
	x.Ctx, x.Req, x.Resp, x.Address = ctx, req, resp, at
	x.Start = time.Now()
	x.RequestID = newRequestID()
	x.ExtendedID = x.RequestID
	setRequestID(resp, x.RequestID)
	x.Begin(x)
	return x
}

// admit refuses what API Gateway refuses before routing: a stage without
// a deployment (404 [U]), a disabled execute-api endpoint (403 [L][U]), a
// request line and headers over their quota (431), a body declared over
// the payload limit (413).
func (st *Stage) admit(x *Exchange) error {
	d := st.Deployment
	if d == nil {
		return pipeline.Fail(pipeline.ResourceNotFound, nil)
	}
	x.Deployment, x.DeploymentID = d, d.ID
	if d.DisableExecuteAPIEndpoint && x.Domain == nil { // custom domains keep serving [D]
		return pipeline.Fail(pipeline.AccessDenied, nil)
	}
	if x.headSize() > maxHeadSize {
		return errHeadTooLarge
	}
	if x.Req.ContentLength() > pipeline.MaxBody {
		return pipeline.ErrTooLarge
	}
	return nil
}

// maxHeadSize is HTTP APIs' quota on the request line and header values
// together [D: "Amazon API Gateway quotas for HTTP APIs", 10240 bytes].
// (The listener itself refuses heads over engine.MaxHeaderBytes, for
// every API type.)
const maxHeadSize = 10240

// errHeadTooLarge refuses a request over maxHeadSize: 431
// {"message":"Request Header Fields Too Large"} [U: AWS documents the
// quota, not the answer].
var errHeadTooLarge = errors.New("request line and headers exceed 10240 bytes")

// headSize is the size of the request's line ("GET /pets?a=1 HTTP/1.1")
// and header values, as the quota counts them.
func (x *Exchange) headSize() int {
	r := x.Req
	x.headBytes = len(r.Method()) + 1 + len(r.Path()) + 1 + len(r.Protocol())
	if q := r.RawQuery(); q != "" {
		x.headBytes += 1 + len(q)
	}
	if x.countHeader == nil {
		// Made once per pooled exchange, so that counting allocates
		// nothing (see complete).
		x.countHeader = func(_, v []byte) { x.headBytes += len(v) }
	}
	r.VisitHeaders(x.countHeader)
	return x.headBytes
}

// route selects the route (see Routes): 404 {"message":"Not Found"} when
// none matches [D].
func (x *Exchange) route() error {
	if !x.routed {
		x.routed = true
		if !x.Deployment.Routes.Lookup(x.Req.Method(), x.StagePath, &x.Match) {
			x.Match.Route = nil
		}
	}
	if x.Match.Route == nil {
		return pipeline.Fail(pipeline.ResourceNotFound, nil)
	}
	x.Route = &x.Match.Route.RouteInfo
	return nil
}

// integrate calls the route's integration, timing it: request parameter
// mappings are applied as the integration builds its request, response
// mappings once it has answered.
func (x *Exchange) integrate() error {
	r := x.Match.Route
	if r.Integration == nil {
		return pipeline.Fail(pipeline.ResourceNotFound, errors.New("the route has no integration"))
	}
	x.IntegrationStart = time.Now()
	err := r.Integration.Invoke(x)
	x.IntegrationLatency = time.Since(x.IntegrationStart)
	if err != nil {
		if f := pipeline.FailureOf(err); f.Cause != nil {
			x.IntegrationError = f.Cause.Error()
		}
		return err
	}
	x.mapResponse(r.Integration.Responses())
	return nil
}

// fail answers with the gateway's fixed answer for err.
func (st *Stage) fail(x *Exchange, err error) {
	var a *answer
	switch {
	case errors.Is(err, pipeline.ErrTooLarge):
		x.ErrorType, a = pipeline.RequestTooLarge, tooLarge
	case errors.Is(err, errHeadTooLarge):
		x.ErrorType, a = pipeline.RequestTooLarge, headTooLarge
	case errors.Is(err, pipeline.ErrBadRequest):
		a = badRequest
		x.log().Debug("bad request", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName, "err", err)
	case errors.Is(err, pipeline.ErrRequestTimeout):
		a = requestTimeout
	case errors.Is(err, pipeline.ErrForbidden):
		x.ErrorType, a = pipeline.AccessDenied, forbidden
	default:
		f := pipeline.FailureOf(err)
		a = answerFor(f.Type)
		x.ErrorType = f.Type
		if f.Cause != nil && a.status >= 500 {
			x.log().Warn("request failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
				"status", a.status, "responseType", f.Type.String(), "err", f.Cause)
		}
	}
	x.ErrorMessage = a.message
	writeAnswer(x.Resp, a)
}

// streamFailed records a streamed body that broke off after the status
// line went out (see pipeline.Exchange.StreamBody): the exchange counts as
// the failure it is.
func (st *Stage) streamFailed(x *Exchange, err error) {
	f := pipeline.FailureOf(err)
	a := answerFor(f.Type)
	x.ErrorType, x.ErrorMessage, x.Status = f.Type, a.message, a.status
	x.log().Warn("response stream failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
		"status", x.Status, "sent", x.ResponseLength, "err", f.Cause)
}
