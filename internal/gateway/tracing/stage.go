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
	attrs  []attribute.KeyValue
}

// Stage prepares the spans of a stage: named like API Gateway's X-Ray
// segment, "{api name}/{stage}", with its attributes (the segment's
// aws.api_gateway fields and resource ARN) [D: apigateway-understanding-xray-traces].
// A nil Tracer (no collector configured) returns nil: the stage does not
// trace.
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
	return &Stage{tracer: t.tracer, name: name + "/" + spec.Stage, attrs: []attribute.KeyValue{
		attribute.String("aws.api_gateway.api_id", spec.APIID),
		attribute.String("aws.api_gateway.api_name", spec.APIName),
		attribute.String("aws.api_gateway.stage", spec.Stage),
		attribute.String("aws.api_gateway.api_type", spec.Type),
		attribute.String("cloud.account.id", t.accountID),
		attribute.String("cloud.region", t.region),
		attribute.String("cloud.resource_id", "arn:aws:apigateway:"+t.region+"::/"+collection+"/"+spec.APIID+"/stages/"+spec.Stage),
	}}
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
	attrs := make([]attribute.KeyValue, len(s.attrs), len(s.attrs)+5)
	copy(attrs, s.attrs)
	// Request strings are the engine's buffers: copied, as spans outlive
	// the request.
	attrs = append(attrs,
		attribute.String("http.request.method", strings.Clone(x.Req.Method())),
		attribute.String("url.path", strings.Clone(x.Req.Path())),
		attribute.String("aws.api_gateway.request_id", x.RequestID),
		attribute.String("aws.api_gateway.extended_request_id", x.ExtendedID))
	if a := x.Req.RemoteAddr(); a.IsValid() {
		attrs = append(attrs, attribute.String("client.address", a.Addr().Unmap().String()))
	}
	_, span := s.tracer.Start(ctx, s.name, oteltrace.WithSpanKind(oteltrace.SpanKindServer),
		oteltrace.WithTimestamp(x.Start), oteltrace.WithAttributes(attrs...))
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
		sp.SetAttributes(attribute.Int("http.response.status_code", x.Status))
		if r := x.Route; r != nil {
			sp.SetAttributes(attribute.String("http.route", r.ResourcePath))
		}
		if x.ResponseLength >= 0 {
			sp.SetAttributes(attribute.Int("http.response.body.size", x.ResponseLength))
		}
		if x.IsCanary {
			sp.SetAttributes(attribute.Bool("aws.api_gateway.canary", true))
		}
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
