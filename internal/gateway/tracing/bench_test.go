package tracing

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// BenchmarkTracedRequest is what tracing adds to an HTTP_PROXY request of
// a traced stage, at sampling ratios 1, 0.05 and 0: the request's span,
// the integration's, the trace headers handed on, and the export of
// sampled spans over OTLP/HTTP to a collector that discards them (the
// queue is large enough that no span is dropped, so export is counted).
// "off" is the same request on a stage without tracing (trace headers
// only). cpu-ns/op is the process's CPU time per request, the
// collector's included.
func BenchmarkTracedRequest(b *testing.B) {
	b.Run("off", func(b *testing.B) { benchTraced(b, -1) })
	for _, ratio := range []float64{1, 0.05, 0} {
		b.Run(strconv.FormatFloat(ratio, 'f', -1, 64), func(b *testing.B) { benchTraced(b, ratio) })
	}
}

// benchTraced runs BenchmarkTracedRequest; ratio < 0: no tracing.
func benchTraced(b *testing.B, ratio float64) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer sink.Close()
	tr, err := newTracer(context.Background(), Config{Endpoint: sink.URL, Ratio: max(ratio, 0), Region: "us-east-1", AccountID: "000000000000"},
		func(c *exportConfig) { c.maxQueue = 1 << 22 })
	if err != nil {
		b.Fatal(err)
	}
	st := tr.Stage(StageSpec{APIID: "a1b2c3d4e5", APIName: "bench", Stage: "bench", Type: REST})
	if ratio < 0 {
		st = nil
	}
	req := gatewaytest.NewRequest("GET", "a1b2c3d4e5.execute-api.localhost", "/bench/hello", nil)
	route := &pipeline.RouteInfo{ResourcePath: "/{proxy+}", HTTPMethod: "ANY"}
	var buf [128]byte
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		x := &pipeline.Exchange{Req: req, Start: time.Now(), RequestID: "816f631d-9401-4ea8-81f6-6f1484f786a7", ExtendedID: "Xyz1AbcdIAMEYgA="}
		if st != nil { // as a stage's pipeline does
			st.Start(x)
		}
		sp := x.StartSpan("Integration", oteltrace.SpanKindClient)
		_ = x.AppendTraceHeader(buf[:0])
		_, _ = x.AppendTraceparent(buf[:0])
		x.IntegrationStatus = 200
		x.EndIntegrationSpan(sp, nil)
		x.Route, x.Status, x.ResponseLength = route, 200, 100
		End(x)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	if d := tr.Dropped(); d > 0 {
		b.Fatalf("%d spans dropped", d)
	}
	// The process's CPU time (export included), not the wall time, which
	// includes waiting for the collector.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
