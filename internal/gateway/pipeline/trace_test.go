package pipeline_test

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	oteltrace "go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// unsampledSpan is a request span that records nothing and starts no
// children.
type unsampledSpan struct{ oteltrace.Span }

func (unsampledSpan) StartChild(string, oteltrace.SpanKind) oteltrace.Span { return nil }

// TestTraceOfATracedRequest: once the request has a span, integrations
// get its ids (Root, the span running as Parent, the decision) in both
// header forms, the caller's header is no longer passed unchanged, and
// $context.xrayTraceId is the X-Ray trace id; without a span it is null.
func TestTraceOfATracedRequest(t *testing.T) {
	const client = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "h", "/p", nil, "X-Amzn-Trace-Id", client), Start: time.Now()}
	if !x.PassesTraceHeader() || x.TraceHeader() != client {
		t.Fatalf("untraced: passes %v, header %q", x.PassesTraceHeader(), x.TraceHeader())
	}
	if _, ok := x.AppendContext(nil, pipeline.ParseContextVar("xrayTraceId")); ok {
		t.Error("$context.xrayTraceId of an untraced request is not null")
	}
	tid, _ := hex.DecodeString("5759e988bd862e3fe1be46a994272793")
	sid, _ := hex.DecodeString("00f067aa0ba902b7")
	sc := oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: oteltrace.TraceID(tid), SpanID: oteltrace.SpanID(sid), TraceFlags: oteltrace.FlagsSampled})
	x.SetRequestSpan(unsampledSpan{oteltrace.SpanFromContext(oteltrace.ContextWithSpanContext(context.Background(), sc))})
	if x.PassesTraceHeader() {
		t.Error("a traced request passes the caller's header unchanged")
	}
	if got := x.TraceHeader(); got != "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=00f067aa0ba902b7;Sampled=1" {
		t.Errorf("header %q", got)
	}
	if got, ok := x.AppendTraceparent(nil); !ok || string(got) != "00-5759e988bd862e3fe1be46a994272793-00f067aa0ba902b7-01" {
		t.Errorf("traceparent %q %v", got, ok)
	}
	if got, ok := x.AppendContext(nil, pipeline.ParseContextVar("xrayTraceId")); !ok || string(got) != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("$context.xrayTraceId %q %v", got, ok)
	}
	// A non-recording (unsampled) request span starts no children.
	if sp := x.StartSpan("Integration", oteltrace.SpanKindClient); sp != nil {
		t.Error("a child of an unsampled span")
	}
}

// keptSpan is a span that keeps the attributes it is given, as the
// OpenTelemetry SDK's do.
type keptSpan struct {
	oteltrace.Span
	attrs []attribute.KeyValue
}

func (s *keptSpan) SetAttributes(kv ...attribute.KeyValue) { s.attrs = append(s.attrs, kv...) }

// TestSetSpanBytes: a span that keeps its attributes gets a copy of a
// buffer's value, so that the buffer's later use does not change it.
func TestSetSpanBytes(t *testing.T) {
	sp := &keptSpan{Span: noop.Span{}}
	buf := []byte("http://backend/a")
	pipeline.SetSpanBytes(sp, "url.full", buf)
	pipeline.SetSpanAttribute(sp, attribute.Int("http.response.status_code", 200))
	copy(buf, "XXXX")
	if len(sp.attrs) != 2 || sp.attrs[0].Value.AsString() != "http://backend/a" || sp.attrs[1].Value.AsInt64() != 200 {
		t.Errorf("attributes %v", sp.attrs)
	}
}
