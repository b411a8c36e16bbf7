package tracing

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// collector is an OTLP/HTTP collector for tests: it decodes each export
// with the official OTLP protobuf types.
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*coltrace.ExportTraceServiceRequest
	headers  []http.Header
	// fail answers the first fail exports 503.
	fail int
	// hold, when set, holds each export until it is closed; entered
	// tells that one is held.
	hold, entered chan struct{}
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.hold != nil {
			select {
			case c.entered <- struct{}{}:
			default:
			}
			<-c.hold
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.fail > 0 {
			c.fail--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want protobuf on /v1/traces", http.StatusUnsupportedMediaType)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			z, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = z
		}
		b, err := io.ReadAll(body)
		msg := &coltrace.ExportTraceServiceRequest{}
		if err == nil {
			err = proto.Unmarshal(b, msg)
		}
		if err != nil {
			t.Errorf("export does not decode: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.requests = append(c.requests, msg)
		c.headers = append(c.headers, r.Header.Clone())
	}))
	t.Cleanup(c.Close)
	return c
}

// spans returns the spans received, by name, with their scope.
func (c *collector) spans() (map[string]*tracepb.Span, map[string]*tracepb.ScopeSpans) {
	c.mu.Lock()
	defer c.mu.Unlock()
	spans, scopes := map[string]*tracepb.Span{}, map[string]*tracepb.ScopeSpans{}
	for _, req := range c.requests {
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					spans[s.GetName()], scopes[s.GetName()] = s, ss
				}
			}
		}
	}
	return spans, scopes
}

// attrs are key-values as Go values.
func attrs(kvs []*commonpb.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return fmt.Sprint(out)
	}
	return nil
}

func startTracer(t *testing.T, endpoint string, ratio float64, adjust func(*exportConfig)) *Tracer {
	t.Helper()
	tr, err := newTracer(context.Background(), Config{Endpoint: endpoint, Ratio: ratio, Version: "1.2.3", Region: "eu-west-1", AccountID: "123456789012"}, adjust)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestExportWireFormat: a traced request's spans reach the collector as
// an ExportTraceServiceRequest that the official OTLP types decode: the
// resource (service.name), the stage's scope and its attributes, each
// span's ids, parent, name, kind, times, attributes (every value type; a
// key set twice keeps its last value), status and events, and the flags
// saying whether the parent is remote. A caller's traceparent makes the
// request span its child.
func TestExportWireFormat(t *testing.T) {
	col := newCollector(t)
	tr := startTracer(t, col.URL, 0, nil) // sampled because the caller says so
	st := tr.Stage(StageSpec{APIID: "a1b2c3d4e5", APIName: "pets", Stage: "prod", Type: REST})
	req := gatewaytest.NewRequest("PATCH", "a1b2c3d4e5.execute-api.localhost", "/prod/pets/7", nil,
		"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	start := time.Now().Add(-time.Millisecond)
	x := &pipeline.Exchange{Req: req, Start: start, RequestID: "816f631d-9401-4ea8-81f6-6f1484f786a7"}
	st.Start(x)

	auth := x.StartSpan("Authorization", oteltrace.SpanKindInternal)
	auth.RecordError(errors.New("token expired"))
	auth.AddEvent("cache", oteltrace.WithAttributes(attribute.Bool("hit", false)))
	x.EndSpan(auth, &pipeline.Failure{Type: pipeline.ResponseType(0), Message: "Unauthorized"})

	integ := x.StartSpan("Integration", oteltrace.SpanKindClient)
	buf := []byte("http://backend/pets/7")
	pipeline.SetSpanBytes(integ, "url.full", buf)
	copy(buf, "XXXX") // the span kept nothing of the buffer
	integ.SetAttributes(attribute.Int("retries", 1), attribute.Float64("ratio", 0.25),
		attribute.StringSlice("tags", []string{"a", "b"}), attribute.Int64Slice("ns", []int64{-1, 2}),
		attribute.Int("retries", 2), attribute.String("", "no key"))
	x.IntegrationStatus = 201
	var hdr [128]byte
	traceHeader := string(x.AppendTraceHeader(hdr[:0]))
	x.EndIntegrationSpan(integ, nil)
	x.Route, x.Status = &pipeline.RouteInfo{ResourcePath: "/pets/{id}"}, 502
	x.IntegrationError = "backend reset the connection"
	End(x)
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans, scopes := col.spans()
	server, a, i := spans["pets/prod"], spans["Authorization"], spans["Integration"]
	if server == nil || a == nil || i == nil || len(spans) != 3 {
		t.Fatalf("spans %v", spans)
	}
	col.mu.Lock()
	res := attrs(col.requests[0].GetResourceSpans()[0].GetResource().GetAttributes())
	col.mu.Unlock()
	if res["service.name"] != "tollgate" || res["service.version"] != "1.2.3" || res["telemetry.sdk.language"] != "go" {
		t.Errorf("resource %v", res)
	}
	scope := scopes["pets/prod"].GetScope()
	if sa := attrs(scope.GetAttributes()); scope.GetName() != scopeName || sa["aws.api_gateway.api_id"] != "a1b2c3d4e5" ||
		sa["aws.api_gateway.api_type"] != "REST" || sa["cloud.account.id"] != "123456789012" ||
		sa["cloud.resource_id"] != "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod" {
		t.Errorf("scope %v", scope)
	}
	tid := hex.EncodeToString(server.GetTraceId())
	if tid != "4bf92f3577b34da6a3ce929d0e0e4736" || hex.EncodeToString(server.GetParentSpanId()) != "00f067aa0ba902b7" ||
		server.GetKind() != tracepb.Span_SPAN_KIND_SERVER || server.GetStartTimeUnixNano() != uint64(start.UnixNano()) ||
		server.GetEndTimeUnixNano() < server.GetStartTimeUnixNano() ||
		server.GetFlags() != uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK|tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK)|1 {
		t.Errorf("server span %v", server)
	}
	want := map[string]any{"http.request.method": "PATCH", "url.path": "/prod/pets/7", "client.address": "203.0.113.7",
		"aws.api_gateway.request_id": x.RequestID, "http.response.status_code": int64(502), "http.route": "/pets/{id}"}
	if got := attrs(server.GetAttributes()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server attributes %v, want %v", got, want)
	}
	if s := server.GetStatus(); s.GetCode() != tracepb.Status_STATUS_CODE_ERROR || s.GetMessage() != "backend reset the connection" {
		t.Errorf("server status %v", s)
	}
	for _, c := range []*tracepb.Span{a, i} {
		if hex.EncodeToString(c.GetTraceId()) != tid || string(c.GetParentSpanId()) != string(server.GetSpanId()) ||
			c.GetFlags() != uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK)|1 ||
			c.GetStartTimeUnixNano() < server.GetStartTimeUnixNano() || c.GetEndTimeUnixNano() > server.GetEndTimeUnixNano() {
			t.Errorf("child %s: %v", c.GetName(), c)
		}
	}
	if a.GetKind() != tracepb.Span_SPAN_KIND_INTERNAL || a.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_ERROR || len(a.GetEvents()) != 2 {
		t.Errorf("authorization span %v", a)
	} else if ev := a.GetEvents()[0]; ev.GetName() != "exception" || ev.GetTimeUnixNano() == 0 ||
		fmt.Sprint(attrs(ev.GetAttributes())) != fmt.Sprint(map[string]any{"exception.type": "*errors.errorString", "exception.message": "token expired"}) {
		t.Errorf("exception event %v", ev)
	} else if ev := a.GetEvents()[1]; ev.GetName() != "cache" || attrs(ev.GetAttributes())["hit"] != false {
		t.Errorf("event %v", ev)
	}
	want = map[string]any{"url.full": "http://backend/pets/7", "retries": int64(2), "ratio": 0.25, "tags": "[a b]", "ns": "[-1 2]",
		"http.response.status_code": int64(201)}
	if got := attrs(i.GetAttributes()); i.GetKind() != tracepb.Span_SPAN_KIND_CLIENT || fmt.Sprint(got) != fmt.Sprint(want) ||
		i.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_UNSET {
		t.Errorf("integration span %v: attributes %v, want %v", i, got, want)
	}
	if want := "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=" + hex.EncodeToString(i.GetSpanId()) + ";Sampled=1"; traceHeader != want {
		t.Errorf("X-Amzn-Trace-Id %q, want %q", traceHeader, want)
	}
}

// TestUnsampled: a request the caller did not sample (or the ratio did
// not) hands on its ids with Sampled=0, starts no child spans and exports
// nothing; its record goes back to the pool.
func TestUnsampled(t *testing.T) {
	col := newCollector(t)
	tr := startTracer(t, col.URL, 1, nil)
	st := tr.Stage(StageSpec{APIID: "a1", Stage: "s", Type: HTTP})
	for _, h := range []string{"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0"} {
		x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "h", "/p", nil, "X-Amzn-Trace-Id", h), Start: time.Now()}
		st.Start(x)
		if x.StartSpan("Integration", oteltrace.SpanKindClient) != nil || x.RequestSpan().IsRecording() {
			t.Error("an unsampled request records")
		}
		var b [128]byte
		got := string(x.AppendTraceHeader(b[:0]))
		if want := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=" + x.RequestSpan().SpanContext().SpanID().String() + ";Sampled=0"; got != want {
			t.Errorf("header %q, want %q", got, want)
		}
		End(x)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if spans, _ := col.spans(); len(spans) != 0 {
		t.Errorf("exported %v", spans)
	}
}

// TestBatches: spans of several stages in one export come as one
// ScopeSpans per stage; a batch holds at most OTEL_BSP_MAX_EXPORT_BATCH_SIZE
// spans; while the exporter waits for the collector, a full queue
// (OTEL_BSP_MAX_QUEUE_SIZE) drops spans, counted, rather than wait;
// exports carry OTEL_EXPORTER_OTLP_HEADERS, are gzipped when asked, and
// are retried when the collector answers 503.
func TestBatches(t *testing.T) {
	col := newCollector(t)
	col.fail, col.hold, col.entered = 1, make(chan struct{}), make(chan struct{}, 1)
	tr := startTracer(t, col.URL, 1, func(c *exportConfig) {
		c.batch, c.maxQueue, c.delay, c.gzip = 4, 9, time.Hour, true
		c.headers = [][2]string{{"Authorization", "Bearer t"}}
	})
	tr.exp.retryWait = time.Millisecond
	stages := []*Stage{tr.Stage(StageSpec{APIID: "a1", APIName: "one", Stage: "s", Type: REST}),
		tr.Stage(StageSpec{APIID: "a2", APIName: "two", Stage: "s", Type: HTTP})}
	requests := func(n int) {
		for i := range n {
			x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "h", fmt.Sprint("/", i), nil), Start: time.Now()}
			stages[i%2].Start(x)
			End(x)
		}
	}
	requests(4) // a batch: the exporter sends it, the collector holds it
	select {
	case <-col.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no export of a full batch")
	}
	requests(12) // 9 wait, 3 are dropped
	if tr.Dropped() != 3 {
		t.Errorf("%d spans dropped, want 3", tr.Dropped())
	}
	close(col.hold)
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	total := 0
	for k, req := range col.requests {
		n := 0
		for _, ss := range req.GetResourceSpans()[0].GetScopeSpans() {
			id := attrs(ss.GetScope().GetAttributes())["aws.api_gateway.api_id"]
			for _, s := range ss.GetSpans() {
				if want := map[string]any{"one/s": "a1", "two/s": "a2"}[s.GetName()]; id != want {
					t.Errorf("span %s in the scope of %v", s.GetName(), id)
				}
				n++
			}
		}
		if n > 4 || len(req.GetResourceSpans()) != 1 {
			t.Errorf("export of %d spans", n)
		}
		if h := col.headers[k]; h.Get("Authorization") != "Bearer t" || h.Get("Content-Encoding") != "gzip" {
			t.Errorf("export headers %v", h)
		}
		total += n
	}
	if total != 13 || col.fail != 0 {
		t.Errorf("%d spans exported, want 13 (the first batch retried)", total)
	}
}

// TestReconnect: an export on a kept-alive connection that the collector
// has closed meanwhile is sent again at once on a new one (the exporter's
// own retries, after a wait, are not needed).
func TestReconnect(t *testing.T) {
	col := newCollector(t)
	tr := startTracer(t, col.URL, 1, func(c *exportConfig) { c.batch, c.delay = 1, time.Hour })
	tr.exp.retryWait = time.Hour
	st := tr.Stage(StageSpec{APIID: "a1", APIName: "one", Stage: "s", Type: REST})
	exported := func(n int) {
		t.Helper()
		x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "h", "/", nil), Start: time.Now()}
		st.Start(x)
		End(x)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			col.mu.Lock()
			got := len(col.requests)
			col.mu.Unlock()
			if got == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d exports, want %d", got, n)
			}
		}
	}
	exported(1)
	col.CloseClientConnections()
	exported(2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestExportSettings: the exporter reads the SDK's environment variables.
func TestExportSettings(t *testing.T) {
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":        "http://collector:4318",
		"OTEL_EXPORTER_OTLP_HEADERS":         "api-key=a%20b, x=1,broken",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS":  "",
		"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT":  "2500",
		"OTEL_EXPORTER_OTLP_COMPRESSION":     "gzip",
		"OTEL_BSP_SCHEDULE_DELAY":            "50",
		"OTEL_BSP_MAX_QUEUE_SIZE":            "100",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE":     "512",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
	}
	c, err := exportSettings("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.url != "http://collector:4318/v1/traces" || fmt.Sprint(c.headers) != "[[api-key a b] [x 1]]" || c.timeout != 2500*time.Millisecond ||
		!c.gzip || c.delay != 50*time.Millisecond || c.maxQueue != 100 || c.batch != 100 || c.exportTimeout != 30*time.Second {
		t.Errorf("settings %+v", c)
	}
	env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "https://traces.example/custom"
	if c, _ = exportSettings("", func(k string) string { return env[k] }); c.url != "https://traces.example/custom" {
		t.Errorf("the traces endpoint is used as it is: %s", c.url)
	}
	if c, _ = exportSettings("http://127.0.0.1:4318", func(k string) string { return env[k] }); c.url != "http://127.0.0.1:4318/v1/traces" {
		t.Errorf("--otlp-endpoint comes first: %s", c.url)
	}
	env["OTEL_EXPORTER_OTLP_COMPRESSION"] = "zstd"
	if _, err = exportSettings("", func(k string) string { return env[k] }); err == nil {
		t.Error("compression zstd accepted")
	}
}

// TestAnyValues: every attribute value type encodes as the OTLP types
// decode it.
func TestAnyValues(t *testing.T) {
	for _, v := range []attribute.Value{attribute.StringValue(""), attribute.StringValue("é"), attribute.BoolValue(true), attribute.BoolValue(false),
		attribute.IntValue(0), attribute.Int64Value(math.MinInt64), attribute.Int64Value(math.MaxInt64), attribute.Float64Value(-1.5),
		attribute.BoolSliceValue([]bool{true, false}), attribute.Float64SliceValue(nil), attribute.StringSliceValue([]string{"", "x"})} {
		b := appendKeyValue(nil, tagAttribute, "k", v)
		var s tracepb.Span
		if err := proto.Unmarshal(b, &s); err != nil || len(s.GetAttributes()) != 1 {
			t.Fatalf("%v: %v", v.Emit(), err)
		}
		got := s.GetAttributes()[0]
		want := &commonpb.AnyValue{}
		switch v.Type() {
		case attribute.STRING:
			want.Value = &commonpb.AnyValue_StringValue{StringValue: v.AsString()}
		case attribute.BOOL:
			want.Value = &commonpb.AnyValue_BoolValue{BoolValue: v.AsBool()}
		case attribute.INT64:
			want.Value = &commonpb.AnyValue_IntValue{IntValue: v.AsInt64()}
		case attribute.FLOAT64:
			want.Value = &commonpb.AnyValue_DoubleValue{DoubleValue: v.AsFloat64()}
		default:
			arr := &commonpb.ArrayValue{}
			forEachElement(v, func(e attribute.Value) {
				var x commonpb.AnyValue
				_ = proto.Unmarshal(appendAnyValue(nil, e), &x)
				arr.Values = append(arr.Values, &x)
			})
			want.Value = &commonpb.AnyValue_ArrayValue{ArrayValue: arr}
		}
		if got.GetKey() != "k" || !proto.Equal(got.GetValue(), want) {
			t.Errorf("%s: got %v, want %v", v.Emit(), got.GetValue(), want)
		}
	}
	var s span
	s.sampled = true
	s.SetStatus(codes.Ok, "ignored")
	s.SetStatus(codes.Error, "too late")
	var sp tracepb.Span
	if err := proto.Unmarshal(s.appendSpan(nil, 1)[2:], &sp); err != nil || sp.GetStatus().GetCode() != tracepb.Status_STATUS_CODE_OK || sp.GetStatus().GetMessage() != "" {
		t.Errorf("Ok is final: %v %v", sp.GetStatus(), err)
	}
}
