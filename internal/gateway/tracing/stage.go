package tracing

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/xray"
)

// API types, for StageSpec.Type.
const (
	REST      = "REST"
	HTTP      = "HTTP"
	WebSocket = "WEBSOCKET"
)

// StageSpec describes a traced stage.
type StageSpec struct {
	APIID, APIName, Stage string
	// Type is REST, HTTP or WebSocket.
	Type string
}

// Stage starts and ends the spans of one traced stage's requests.
type Stage struct {
	tracer oteltrace.Tracer
	name   string
}

// Stage prepares the spans of a stage: named like API Gateway's X-Ray
// segment, "{api name}/{stage}" [D: apigateway-understanding-xray-traces].
// What identifies the stage (API id, name and type, stage, account,
// region, the stage's ARN) is its instrumentation scope's attributes, sent
// once per export batch rather than with each span. A nil Tracer (no collector configured) returns nil:
// the stage does not trace.
func (t *Tracer) Stage(spec StageSpec) *Stage {
	if t == nil {
		return nil
	}
	name := spec.APIName
	if name == "" {
		name = spec.APIID
	}
	collection := "restapis"
	if spec.Type != REST {
		collection = "apis"
	}
	tracer := t.provider.Tracer(scopeName, oteltrace.WithInstrumentationAttributes(
		attribute.String("aws.api_gateway.api_id", spec.APIID),
		attribute.String("aws.api_gateway.api_name", spec.APIName),
		attribute.String("aws.api_gateway.stage", spec.Stage),
		attribute.String("aws.api_gateway.api_type", spec.Type),
		attribute.String("cloud.account.id", t.accountID),
		attribute.String("cloud.region", t.region),
		attribute.String("cloud.resource_id", "arn:aws:apigateway:"+t.region+"::/"+collection+"/"+spec.APIID+"/stages/"+spec.Stage),
	))
	return &Stage{tracer: tracer, name: name + "/" + spec.Stage}
}

// methods are the request methods' attribute values, so that the common
// ones cost no copy.
var methods = map[string]attribute.KeyValue{}

func init() {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		methods[m] = attribute.String("http.request.method", m)
	}
}

// Start starts the request's span (server kind, from the request's
// start) and makes it x's: the caller's trace continues, its sampling
// decision holds.
func (s *Stage) Start(x *pipeline.Exchange) {
	h, fromCaller := x.CallerTrace()
	ctx := context.WithValue(context.Background(), callerKey{}, &caller{root: h.Root, sampled: h.Sampled})
	if fromCaller && h.Parent.IsValid() {
		var flags oteltrace.TraceFlags
		if h.Sampled == xray.SamplingYes {
			flags = oteltrace.FlagsSampled
		}
		ctx = oteltrace.ContextWithRemoteSpanContext(ctx, oteltrace.NewSpanContext(oteltrace.SpanContextConfig{
			TraceID: oteltrace.TraceID(h.Root), SpanID: oteltrace.SpanID(h.Parent), TraceFlags: flags, Remote: true}))
	}
	_, span := s.tracer.Start(ctx, s.name, oteltrace.WithSpanKind(oteltrace.SpanKindServer), oteltrace.WithTimestamp(x.Start))
	if span.IsRecording() { // an unsampled request's span records nothing
		method, ok := methods[x.Req.Method()]
		if !ok {
			method = attribute.String("http.request.method", strings.Clone(x.Req.Method()))
		}
		// Request strings are the engine's buffers: copied, as spans
		// outlive the request.
		attrs := [...]attribute.KeyValue{method,
			attribute.String("url.path", strings.Clone(x.Req.Path())),
			attribute.String("aws.api_gateway.request_id", x.RequestID),
			attribute.String("client.address", "")}
		n := len(attrs) - 1
		if a := x.Req.RemoteAddr(); a.IsValid() {
			attrs[n] = attribute.String("client.address", a.Addr().Unmap().String())
			n++
		}
		span.SetAttributes(attrs[:n]...)
	}
	x.SetRequestSpan(s.tracer, span)
}

// End ends the request's span of a completed exchange with what it
// answered: status, route, size; an answer of 500 or more is an error
// (OpenTelemetry's rule for server spans).
func End(x *pipeline.Exchange) {
	sp := x.RequestSpan()
	if sp == nil {
		return
	}
	if sp.IsRecording() {
		var attrs [3]attribute.KeyValue
		attrs[0] = attribute.Int("http.response.status_code", x.Status)
		n := 1
		if r := x.Route; r != nil {
			attrs[n] = attribute.String("http.route", r.ResourcePath)
			n++
		}
		if x.IsCanary {
			attrs[n] = attribute.Bool("aws.api_gateway.canary", true)
			n++
		}
		sp.SetAttributes(attrs[:n]...)
		if x.Status >= 500 {
			msg := x.ErrorType.String()
			if x.IntegrationError != "" {
				msg = x.IntegrationError
			}
			sp.SetStatus(codes.Error, msg)
		}
	}
	sp.End()
}
