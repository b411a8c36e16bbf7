package pipeline

import (
	"errors"
	"strings"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/xray"
)

// trace is a request's trace context: the ids the gateway hands on to
// integrations (HTTP backends, Lambda functions and authorizers), and its
// spans when the stage traces. Without tracing, API Gateway passes a
// caller's X-Amzn-Trace-Id through unchanged and adds a Root of its own to
// requests that came without one [D: apigateway-xray; C: captured events].
type trace struct {
	resolved bool
	// client is the caller's X-Amzn-Trace-Id when it has a valid Root
	// ("" otherwise), parsed into header.
	client string
	header xray.Header
	// fromCaller is set when the caller sent a valid X-Amzn-Trace-Id or
	// traceparent.
	fromCaller bool
	// traceparent is the caller's W3C traceparent when it is valid.
	traceparent string

	// request is a traced request's span, current the span integrations
	// continue (request, or the child span running: authorization, cache,
	// integration). Both nil when the stage does not trace.
	request RequestSpan
	current oteltrace.Span
}

// RequestSpan is a traced request's span: an OpenTelemetry span that
// starts the spans of the pipeline's steps as its children. The spans of a
// request are used by the goroutine serving it, one at a time.
type RequestSpan interface {
	oteltrace.Span
	// StartChild starts a child span, from now; it is nil when the
	// request span does not record (not sampled).
	StartChild(name string, kind oteltrace.SpanKind) oteltrace.Span
}

// resolveTrace reads the caller's trace headers once. The trace id is
// the X-Ray Root the caller sent; else its traceparent's trace id (the
// X-Ray form then carries the traceparent's first 8 hex digits where the
// time would be, which X-Ray accepts); else a new one, dated x.Start
// [U: the precedence is Tollgate's].
func (x *Exchange) resolveTrace() *trace {
	t := &x.trace
	if t.resolved {
		return t
	}
	t.resolved = true
	if h := x.Req.Header("X-Amzn-Trace-Id"); h != "" {
		if parsed, ok := xray.ParseHeader(h); ok {
			t.client, t.header, t.fromCaller = h, parsed, true
		}
	}
	if tp := x.Req.Header("traceparent"); tp != "" {
		if id, parent, sampled, ok := xray.ParseTraceparent(tp); ok {
			t.traceparent, t.fromCaller = tp, true
			if t.client == "" {
				t.header = xray.Header{Root: id, Parent: parent, Sampled: xray.SamplingNo}
				if sampled {
					t.header.Sampled = xray.SamplingYes
				}
			}
		}
	}
	if !t.header.Root.IsValid() {
		t.header.Root = xray.NewTraceID(x.Start)
	}
	return t
}

// CallerTrace is the trace context the caller sent: its trace id, parent
// span and sampling decision (fromCaller false: it sent none; the trace id
// is then new).
func (x *Exchange) CallerTrace() (h xray.Header, fromCaller bool) {
	t := x.resolveTrace()
	return t.header, t.fromCaller
}

// TraceID is the request's trace id (X-Ray's Root).
func (x *Exchange) TraceID() xray.TraceID {
	if sp := x.trace.current; sp != nil {
		return xray.TraceID(sp.SpanContext().TraceID())
	}
	return x.resolveTrace().header.Root
}

// AppendTraceHeader appends the X-Amzn-Trace-Id integrations receive: for
// a traced request, its Root, the span the integration continues as
// Parent and the sampling decision; else the caller's as sent, or one
// with the request's Root.
func (x *Exchange) AppendTraceHeader(dst []byte) []byte {
	if sp := x.trace.current; sp != nil {
		sc := sp.SpanContext()
		return xray.AppendHeader(dst, xray.TraceID(sc.TraceID()), xray.SpanID(sc.SpanID()), sc.IsSampled())
	}
	t := x.resolveTrace()
	if t.client != "" {
		return append(dst, t.client...)
	}
	return xray.AppendRootHeader(dst, t.header.Root)
}

// PassesTraceHeader reports whether integrations receive the caller's
// X-Amzn-Trace-Id unchanged: a payload that carries the caller's headers
// then carries it already.
func (x *Exchange) PassesTraceHeader() bool {
	return x.trace.current == nil && x.resolveTrace().client != ""
}

// TraceHeader is AppendTraceHeader as a string of its own (it may outlive
// the request: a Lambda invocation can).
func (x *Exchange) TraceHeader() string {
	if x.trace.current == nil {
		if t := x.resolveTrace(); t.client != "" {
			return strings.Clone(t.client)
		}
	}
	var b [xray.HeaderLen]byte
	return string(x.AppendTraceHeader(b[:0]))
}

// AppendTraceparent appends the W3C traceparent integrations receive: for
// a traced request, the span the integration continues; else the
// caller's. ok is false when there is none to send.
func (x *Exchange) AppendTraceparent(dst []byte) (_ []byte, ok bool) {
	if sp := x.trace.current; sp != nil {
		sc := sp.SpanContext()
		return xray.AppendTraceparent(dst, xray.TraceID(sc.TraceID()), xray.SpanID(sc.SpanID()), sc.IsSampled()), true
	}
	t := x.resolveTrace()
	if t.traceparent == "" {
		return dst, false
	}
	return append(dst, t.traceparent...), true
}

// Traced reports whether the request has spans (its stage traces).
func (x *Exchange) Traced() bool { return x.trace.request != nil }

// SetRequestSpan makes span the request's span: the stage traces this
// request (internal/gateway/tracing).
func (x *Exchange) SetRequestSpan(span RequestSpan) {
	x.trace.request, x.trace.current = span, span
}

// RequestSpan is the request's span (nil: not traced).
func (x *Exchange) RequestSpan() RequestSpan { return x.trace.request }

// Span is the span running: a step's (StartSpan) or the request's; nil
// when the request is not traced. Integrations add their attributes to it.
func (x *Exchange) Span() oteltrace.Span { return x.trace.current }

// StartSpan starts a child of the request's span for one step of the
// pipeline; until EndSpan it is the span integrations continue. It returns
// nil, at the cost of one comparison, when the request is not traced (or
// not sampled).
func (x *Exchange) StartSpan(name string, kind oteltrace.SpanKind) oteltrace.Span {
	t := &x.trace
	if t.request == nil {
		return nil
	}
	// Not sampled: nil; an unsampled request's ids are handed on with
	// the request span as Parent.
	sp := t.request.StartChild(name, kind)
	if sp != nil {
		t.current = sp
	}
	return sp
}

// AttributeSetter is a span that takes one attribute at a time and keeps
// nothing of its value once the call returns (it encodes it): the spans of
// internal/gateway/tracing. Setting one attribute so costs no allocation,
// where a variadic call through oteltrace.Span does, and a value may be a
// request's buffer.
type AttributeSetter interface {
	SetAttribute(kv attribute.KeyValue)
}

// SetSpanAttribute sets an attribute of span sp.
func SetSpanAttribute(sp oteltrace.Span, kv attribute.KeyValue) {
	if s, ok := sp.(AttributeSetter); ok {
		s.SetAttribute(kv)
		return
	}
	sp.SetAttributes(kv)
}

// SetSpanBytes sets a string attribute of span sp whose value is a buffer
// of the caller's (copied only for a span that is not an
// AttributeSetter).
func SetSpanBytes(sp oteltrace.Span, key attribute.Key, value []byte) {
	if s, ok := sp.(AttributeSetter); ok {
		s.SetAttribute(key.String(unsafe.String(unsafe.SliceData(value), len(value))))
		return
	}
	sp.SetAttributes(key.String(string(value)))
}

// EndIntegrationSpan is EndSpan for the integration's span: it records
// the integration's status (HTTP backends, Lambda proxy answers).
func (x *Exchange) EndIntegrationSpan(sp oteltrace.Span, err error) {
	if sp != nil && x.IntegrationStatus != 0 {
		SetSpanAttribute(sp, attribute.Int("http.response.status_code", x.IntegrationStatus))
	}
	x.EndSpan(sp, err)
}

// EndSpan ends a span StartSpan returned (nil: nothing to do), marking it
// failed when err is not nil.
func (x *Exchange) EndSpan(sp oteltrace.Span, err error) {
	if sp == nil {
		return
	}
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			sp.SetStatus(codes.Error, f.Type.String())
		} else {
			sp.SetStatus(codes.Error, err.Error())
		}
	}
	sp.End()
	x.trace.current = x.trace.request
}
