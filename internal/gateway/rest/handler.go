package rest

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pathsafe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// Handler runs the data-plane pipeline for every request an engine
// accepts. What it serves changes through the Registry.
type Handler struct {
	Registry *Registry
}

// Serve handles one request: it must be called once per request by the
// engine, which sends resp when Serve returns.
func (h *Handler) Serve(ctx context.Context, req pipeline.Request, resp pipeline.Response) {
	x := acquire()
	x.handler, x.Ctx, x.Req, x.Resp = h, ctx, req, resp
	x.Start = time.Now()
	x.RequestID, x.ExtendedID = pipeline.NewRequestIDs()
	resp.SetHeader("x-amzn-RequestId", x.RequestID)
	resp.SetHeader("x-amz-apigw-id", x.ExtendedID)
	x.Begin(x)
	if err := h.run(x); err != nil {
		h.fail(x, err)
	}
	pending, streamErr := x.End()
	if pending {
		return // the stream's Close completes the exchange
	}
	if streamErr != nil {
		// An engine that read the stream whole before sending anything
		// found it broken: the client gets the gateway response.
		h.fail(x, streamErr)
	}
	x.Settle()
	h.complete(x)
}

// streamFailed records a streamed body that broke off after the status
// line went out (see pipeline.Exchange.StreamBody): the exchange counts as
// the failure it is.
func (h *Handler) streamFailed(x *Exchange, err error) {
	f := pipeline.FailureOf(err)
	x.ErrorType, x.ErrorMessage = f.Type, f.Message
	x.Status = x.gatewayResponses().status(f.Type, f.Status)
	x.log().Warn("response stream failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
		"responseType", f.Type.String(), "status", x.Status, "sent", x.ResponseLength, "err", f.Cause)
}

// log is the logger of x's stage.
func (x *Exchange) log() *slog.Logger {
	if x.stage == nil {
		return discardLog
	}
	return x.stage.env().log()
}

// complete records a finished exchange and returns it to the pool.
func (h *Handler) complete(x *Exchange) {
	h.finish(x)
	release(x)
}

// errForbidden answers requests that reach no served stage.
var errForbidden = errors.New("forbidden")

// run is the pipeline, in API Gateway's order (reference §2.3): stage
// resolution, routing, throttles, access control (the route's Guard), the
// stage cache, then the integration.
func (h *Handler) run(x *Exchange) error {
	req := x.Req
	var ok bool
	x.DomainName = req.Host()
	path := req.Path()
	// A path with a dot-segment, in any spelling a backend may resolve, is
	// refused here, before anything reads it: routing, access control and
	// the backend then all see the same path, which is forwarded as sent
	// (package pathsafe says why refusing beats normalising). This is the
	// one place every API type's requests pass before their own routing.
	if pathsafe.HasDotSegment(path) {
		return pipeline.ErrBadRequest
	}
	x.APIID, x.StageName, x.StagePath, ok = resolve(x.DomainName, path)
	if !ok {
		return errForbidden
	}
	// "/stage//pets" routes and reaches a Lambda proxy event as "/pets",
	// while $context.path keeps "/stage//pets" (recorded
	// invocation-payload-with-prepended-slash and -hardcoded).
	x.RawStagePath = x.StagePath
	if strings.HasPrefix(x.StagePath, "//") {
		x.StagePath = "/" + strings.TrimLeft(x.StagePath, "/")
	}
	st, _ := h.Registry.Lookup(x.APIID, x.StageName)
	if st == nil {
		// An unknown API or a deployed API without this stage: 403
		// {"message":"Forbidden"} [C/U].
		return errForbidden
	}
	x.stage, x.Stage, x.Deployment = st, &st.StageInfo, st.Deployment
	if st.Canary != nil && rand.Float64()*100 < st.CanaryPercent {
		x.Deployment, x.IsCanary = st.Canary, true
	}
	x.DeploymentID = x.Deployment.ID
	if x.Deployment.DisableExecuteAPIEndpoint {
		return errForbidden
	}
	if x.Deployment.Private {
		// Only through a (stand-in) VPC endpoint, and never without a
		// resource policy: 403 Forbidden otherwise [D].
		n, ok := st.env().Networks.Lookup(req.RemoteAddr().Addr())
		if !ok || !x.Deployment.HasPolicy {
			return errForbidden
		}
		x.Network = n
	}
	if req.ContentLength() > pipeline.MaxBody {
		return pipeline.ErrTooLarge
	}
	verb, ok := router.ParseVerb(req.Method())
	if !ok || verb == router.ANY {
		return pipeline.Fail(pipeline.MissingAuthenticationToken, nil)
	}
	if !x.Deployment.Routes.Lookup(verb, x.StagePath, &x.Match) {
		return pipeline.Fail(pipeline.MissingAuthenticationToken, nil)
	}
	x.Route = &x.Match.Route.RouteInfo
	// Throttles before authorization [U: AWS does not document the order
	// of throttling and authorizers].
	if err := st.env().Throttling.Check(x.Ctx, x.routeLimit(), x.Start); err != nil {
		return err
	}
	if g := x.Match.Route.Guard; g != nil {
		if err := g.Check(x); err != nil {
			return err
		}
	}
	// Step 10: request validation, for methods with a validator.
	if v := x.Match.Route.Validator; v != nil {
		if err := v.Validate(x); err != nil {
			return err
		}
	}
	// Step 11: the stage cache, for methods that cache.
	if c := st.Cache; c != nil {
		if mc := c.method(x); mc != nil {
			return h.serveCached(x, c, mc)
		}
	}
	return h.invoke(x)
}

// invoke calls the route's integration, timing it.
func (h *Handler) invoke(x *Exchange) error {
	x.IntegrationStart = time.Now()
	err := x.Match.Route.Integration.Invoke(x)
	x.IntegrationLatency = time.Since(x.IntegrationStart)
	return err
}

// fail answers with the gateway response for err.
func (h *Handler) fail(x *Exchange, err error) {
	resp := x.Resp
	switch {
	case errors.Is(err, errForbidden):
		resp.SetStatus(403)
		resp.SetHeader("Content-Type", "application/json")
		resp.SetHeader("x-amzn-ErrorType", "ForbiddenException")
		resp.SetBody([]byte(`{"message":"Forbidden"}`))
		return
	case errors.Is(err, pipeline.ErrBadRequest), errors.Is(err, pipeline.ErrRequestTimeout):
		status, msg := 400, "Bad Request"
		if errors.Is(err, pipeline.ErrRequestTimeout) {
			status, msg = 408, "Request Timeout"
		}
		resp.SetStatus(status)
		resp.SetHeader("Content-Type", "application/json")
		resp.SetBody([]byte(`{"message":"` + msg + `"}`))
		if x.stage != nil {
			x.log().Debug("bad request", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName, "err", err)
		}
		return
	case errors.Is(err, pipeline.ErrTooLarge):
		// Not customisable, and plain text [C][D].
		resp.SetStatus(413)
		resp.SetHeader("Content-Type", "text/plain; charset=utf-8")
		resp.SetBody([]byte("HTTP content length exceeded 10485760 bytes."))
		x.ErrorType = pipeline.RequestTooLarge
		return
	}
	f := pipeline.FailureOf(err)
	x.ErrorType, x.ErrorMessage = f.Type, f.Message
	if f.Cause != nil {
		x.log().Warn("request failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
			"responseType", f.Type.String(), "err", f.Cause)
	}
	x.gatewayResponses().write(x, f.Type, f.Status)
	if f.ErrorType != "" {
		x.Resp.SetHeader("x-amzn-ErrorType", f.ErrorType)
	}
}

// finish records the exchange: access log and metrics.
func (h *Handler) finish(x *Exchange) {
	st := x.stage
	if st == nil {
		return
	}
	if st.AccessLog != nil {
		st.AccessLog.Write(&x.Exchange)
	}
	st.Metrics.Observe(&x.Exchange, time.Since(x.Start), x.cache)
}

// resolve finds the API, stage and stage-relative path a request
// addresses (CONTRACT.md "Data-plane addressing"):
//
//	/_aws/execute-api/{apiId}/{stage}/{path}
//	/restapis/{apiId}/{stage}/_user_request_/{path}
//	Host: {apiId}.execute-api.{anything}, path /{stage}/{path}
func resolve(host, path string) (apiID, stage, rest string, ok bool) {
	if p, found := strings.CutPrefix(path, "/_aws/execute-api/"); found {
		apiID, p, _ = strings.Cut(p, "/")
		stage, rest = splitStage(p)
		return apiID, stage, rest, apiID != "" && stage != ""
	}
	if p, found := strings.CutPrefix(path, "/restapis/"); found && strings.Contains(p, "/_user_request_") {
		apiID, p, _ = strings.Cut(p, "/")
		stage, p, _ = strings.Cut(p, "/")
		rest, found = strings.CutPrefix(p, "_user_request_")
		return apiID, stage, rest, found && apiID != "" && stage != "" && (rest == "" || rest[0] == '/')
	}
	if i := strings.Index(host, ".execute-api."); i > 0 {
		// "//stage/pets" is "/stage/pets" (recorded
		// invocation-payload-with-prepended-slash-to-stage).
		stage, rest = splitStage(strings.TrimLeft(path, "/"))
		return host[:i], stage, rest, stage != ""
	}
	return "", "", "", false
}

// splitStage splits "stage/rest..." into "stage" and "/rest...".
func splitStage(p string) (stage, rest string) {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}
