package rest

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// Serve answers one request the front door addressed to this stage
// (pipeline.Target).
func (st *Stage) Serve(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address) {
	x := st.acquire(ctx, req, resp, at)
	if err := st.run(x); err != nil {
		st.fail(x, err)
	}
	pending, streamErr := x.End()
	if pending {
		return // the stream's Close completes the exchange (StreamDone)
	}
	if streamErr != nil {
		// An engine that read the stream whole before sending anything
		// found it broken: the client gets the gateway response.
		st.fail(x, streamErr)
	}
	x.Settle()
	x.complete()
}

var _ pipeline.Target = (*Stage)(nil)

// run is REST's pipeline, in API Gateway's order (reference §2.3): each
// step lets the request through (nil) or says how to answer.
func (st *Stage) run(x *Exchange) error {
	if err := st.admit(x); err != nil { // deployment or canary; endpoint, network, size
		return err
	}
	if st.WAF != nil { // the stage's AWS WAF web ACL (waf.go)
		if answered, err := st.filter(x); answered || err != nil {
			return err
		}
	}
	if err := route(x); err != nil { // resource and method
		return err
	}
	if st.ExecLog != nil { // data tracing keeps the request and response
		st.ExecLog.trace(x)
	}
	// Throttles before authorization [U: AWS does not document the order
	// of throttling and authorizers].
	if err := st.env().Throttling.Check(x.Ctx, x.routeLimit(), x.Start); err != nil {
		return err
	}
	r := x.Match.Route
	if r.Guard != nil { // resource policy, IAM, authorizers, API keys
		sp := x.StartSpan("Authorization", trace.SpanKindInternal)
		err := r.Guard.Check(x)
		x.EndSpan(sp, err)
		if err != nil {
			return err
		}
	}
	if r.Validator != nil { // the method's request validator
		if err := r.Validator.Validate(x); err != nil {
			return err
		}
	}
	if mc := st.Cache.method(x); mc != nil { // the stage cache
		return st.serveCached(x, mc)
	}
	return invoke(x) // the integration
}

// acquire returns a pooled exchange for a request to st.
func (st *Stage) acquire(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address) *Exchange {
	x := exchangePool.Get().(*Exchange)
	x.stage, x.Stage = st, &st.StageInfo
	x.Ctx, x.Req, x.Resp, x.Address = ctx, req, resp, at
	x.Start = time.Now()
	x.RequestID, x.ExtendedID = pipeline.NewRequestIDs()
	resp.SetHeader("x-amzn-RequestId", x.RequestID)
	resp.SetHeader("x-amz-apigw-id", x.ExtendedID)
	if st.Tracing != nil {
		st.Tracing.Start(&x.Exchange)
	}
	x.Begin(x)
	return x
}

// admit chooses the deployment serving x (the canary's for CanaryPercent
// of the requests), then refuses what API Gateway refuses before routing:
// a disabled execute-api endpoint, a private API called from outside its
// networks or without a resource policy [D], a body declared over the
// payload limit.
func (st *Stage) admit(x *Exchange) error {
	x.Deployment = st.Deployment
	if st.Canary != nil && rand.Float64()*100 < st.CanaryPercent {
		x.Deployment, x.IsCanary = st.Canary, true
	}
	d := x.Deployment
	x.DeploymentID = d.ID
	if d.DisableExecuteAPIEndpoint && x.Domain == nil {
		// Only the execute-api addresses close: custom domains keep
		// serving the API [D: rest-api-disable-default-endpoint].
		return pipeline.ErrForbidden
	}
	if d.Private {
		n, ok := st.env().Networks.Lookup(x.Req.RemoteAddr().Addr())
		if !ok || !d.HasPolicy {
			return pipeline.ErrForbidden
		}
		x.Network = n
	}
	if x.Req.ContentLength() > pipeline.MaxBody {
		return pipeline.ErrTooLarge
	}
	return nil
}

// route finds the method of the deployment for the request's verb and
// path: 403 Missing Authentication Token when there is none, as AWS
// answers.
func route(x *Exchange) error {
	verb, ok := router.ParseVerb(x.Req.Method())
	if !ok || verb == router.ANY || !x.Deployment.Routes.Lookup(verb, x.StagePath, &x.Match) {
		return pipeline.Fail(pipeline.MissingAuthenticationToken, nil)
	}
	x.Route = &x.Match.Route.RouteInfo
	return nil
}

// invoke calls the route's integration, timing it.
func invoke(x *Exchange) error {
	sp := x.StartSpan("Integration", trace.SpanKindClient)
	x.IntegrationStart = time.Now()
	err := x.Match.Route.Integration.Invoke(x)
	x.IntegrationLatency = time.Since(x.IntegrationStart)
	x.EndIntegrationSpan(sp, err)
	return err
}

// fail answers with the gateway's fixed answer for err, or the gateway
// response of its failure.
func (st *Stage) fail(x *Exchange, err error) {
	if pipeline.Refuse(x.Resp, err) {
		switch {
		case errors.Is(err, pipeline.ErrTooLarge):
			x.ErrorType = pipeline.RequestTooLarge
		case !errors.Is(err, pipeline.ErrForbidden):
			x.log().Debug("bad request", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName, "err", err)
		}
		return
	}
	f := pipeline.FailureOf(err)
	x.ErrorType, x.ErrorMessage = f.Type, f.Message
	if st.ExecLog != nil {
		x.failure = failureText(f.Cause)
	}
	if f.Cause != nil {
		x.log().Warn("request failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
			"responseType", f.Type.String(), "err", f.Cause)
	}
	x.gatewayResponses().write(x, f.Type, f.Status)
	if f.ErrorType != "" {
		x.Resp.SetHeader("x-amzn-ErrorType", f.ErrorType)
	}
}

// streamFailed records a streamed body that broke off after the status
// line went out (see pipeline.Exchange.StreamBody): the exchange counts as
// the failure it is.
func (st *Stage) streamFailed(x *Exchange, err error) {
	f := pipeline.FailureOf(err)
	x.ErrorType, x.ErrorMessage = f.Type, f.Message
	x.Status = x.gatewayResponses().status(f.Type, f.Status)
	x.log().Warn("response stream failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName,
		"responseType", f.Type.String(), "status", x.Status, "sent", x.ResponseLength, "err", f.Cause)
}
