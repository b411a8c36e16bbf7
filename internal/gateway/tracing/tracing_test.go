package tracing

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/xray"
)

// TestTracesURL: the endpoint is a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT.
func TestTracesURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4318":             "http://127.0.0.1:4318/v1/traces",
		"http://collector:4318/":            "http://collector:4318/v1/traces",
		"https://otel.example/base":         "https://otel.example/base/v1/traces",
		"http://collector:4318/v1/traces":   "http://collector:4318/v1/traces",
		"https://otel.example/p/v1/traces/": "https://otel.example/p/v1/traces/v1/traces",
	} {
		if got, err := tracesURL(in); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"127.0.0.1:4318", "ftp://x", "http://", ":"} {
		if _, err := tracesURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSampler: the caller's decision holds whatever the ratio; a span of
// Tollgate's own follows its parent; without a decision the ratio decides.
func TestSampler(t *testing.T) {
	never, always := sampler{ratio: sdktrace.TraceIDRatioBased(0)}, sampler{ratio: sdktrace.TraceIDRatioBased(1)}
	decide := func(s sampler, ctx context.Context) bool {
		return s.ShouldSample(sdktrace.SamplingParameters{ParentContext: ctx, TraceID: oteltrace.TraceID(xray.NewTraceID(time.Now()))}).Decision == sdktrace.RecordAndSample
	}
	withCaller := func(d xray.Sampling) context.Context {
		return context.WithValue(context.Background(), callerKey{}, &caller{root: xray.NewTraceID(time.Now()), sampled: d})
	}
	if !decide(never, withCaller(xray.SamplingYes)) || decide(always, withCaller(xray.SamplingNo)) {
		t.Error("the caller's decision must hold")
	}
	if decide(never, withCaller(xray.SamplingRequested)) || !decide(always, withCaller(xray.SamplingUnknown)) || decide(never, context.Background()) {
		t.Error("without a decision the ratio decides")
	}
	local := oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: oteltrace.TraceID(xray.NewTraceID(time.Now())),
		SpanID: oteltrace.SpanID(xray.NewSpanID()), TraceFlags: oteltrace.FlagsSampled})
	if !decide(never, oteltrace.ContextWithSpanContext(withCaller(xray.SamplingNo), local)) {
		t.Error("a child follows its sampled parent")
	}
	if decide(always, oteltrace.ContextWithSpanContext(context.Background(), local.WithTraceFlags(0))) {
		t.Error("a child follows its unsampled parent")
	}
}

// TestIDs: a caller's Root becomes the trace id of a span without a remote
// parent; new trace ids are X-Ray's (epoch seconds first).
func TestIDs(t *testing.T) {
	root := xray.NewTraceID(time.Unix(0x5759e988, 0))
	tid, sid := ids{}.NewIDs(context.WithValue(context.Background(), callerKey{}, &caller{root: root}))
	if xray.TraceID(tid) != root || !sid.IsValid() {
		t.Errorf("caller's root: %s %s", tid, sid)
	}
	now := time.Now().Unix()
	tid, _ = ids{}.NewIDs(context.Background())
	if got := int64(tid[0])<<24 | int64(tid[1])<<16 | int64(tid[2])<<8 | int64(tid[3]); got < now-1 || got > now+1 {
		t.Errorf("new trace id %s does not start with the time %x", tid, now)
	}
}
