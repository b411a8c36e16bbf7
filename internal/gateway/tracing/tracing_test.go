package tracing

import (
	"context"
	"testing"
	"time"

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

// TestSampling: the caller's decision holds whatever the ratio; without
// one the ratio decides, by the trace id as the SDK's TraceIDRatioBased
// sampler does (its last 8 bytes' top 63 bits against ratio × 2⁶³).
func TestSampling(t *testing.T) {
	tracer := func(ratio float64) *Tracer {
		tr, err := newTracer(context.Background(), Config{Endpoint: "http://127.0.0.1:9", Ratio: ratio}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
		return tr
	}
	never, always, half := tracer(0), tracer(1), tracer(0.5)
	root := xray.NewTraceID(time.Now())
	if !never.sampled(xray.Header{Root: root, Sampled: xray.SamplingYes}) || always.sampled(xray.Header{Root: root, Sampled: xray.SamplingNo}) {
		t.Error("the caller's decision must hold")
	}
	if never.sampled(xray.Header{Root: root, Sampled: xray.SamplingRequested}) || !always.sampled(xray.Header{Root: root}) {
		t.Error("without a decision the ratio decides")
	}
	low, high := root, root
	low[8], high[8] = 0x7f, 0x80 // top bit of the last 8 bytes' top 63: below or above half
	if !half.sampled(xray.Header{Root: low}) || half.sampled(xray.Header{Root: high}) {
		t.Error("ratio 0.5 samples the lower half of the ids")
	}
	if _, err := New(context.Background(), Config{Endpoint: "http://127.0.0.1:9", Ratio: 1.5}); err == nil {
		t.Error("ratio 1.5 accepted")
	}
}
