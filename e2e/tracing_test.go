package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// traceBackend is an HTTP backend that keeps the trace headers of every
// request it gets.
type traceBackend struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newTraceBackend(t *testing.T) *traceBackend {
	b := &traceBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, http.Header{
			"X-Amzn-Trace-Id": r.Header.Values("X-Amzn-Trace-Id"),
			"Traceparent":     r.Header.Values("Traceparent"),
		})
		b.mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(b.Close)
	return b
}

// last returns the trace headers of the latest request.
func (b *traceBackend) last(t *testing.T) http.Header {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.seen) == 0 {
		t.Fatal("the backend got no request")
	}
	return b.seen[len(b.seen)-1]
}

// tracedAnswer is what the traced test function reports.
type tracedAnswer struct {
	Env, Ctx string
	Event    struct {
		Headers           map[string]string
		MultiValueHeaders map[string][]string
	}
}

func decodeTraced(t *testing.T, r result) tracedAnswer {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("traced function: %s", r)
	}
	var a tracedAnswer
	if err := json.Unmarshal([]byte(r.Body), &a); err != nil {
		t.Fatalf("traced function: %v: %s", err, r.Body)
	}
	return a
}

var (
	rootOnlyRE = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`)
	completeRE = regexp.MustCompile(`^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=[0-9a-f]{16};Sampled=[01]$`)
)

const (
	clientTrace       = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	clientTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
)

// TestTracePropagation: on a stage without tracing, a client's
// X-Amzn-Trace-Id and traceparent reach an HTTP_PROXY backend unchanged
// and once; without them the backend gets a Root-only X-Amzn-Trace-Id as
// API Gateway adds it (and no traceparent), with only a traceparent the
// Root is its trace id. A Lambda proxy function finds the same header in
// its event, and its runtime sets _X_AMZN_TRACE_ID (and aws-lambda-go's
// context) to it, completed with a Parent and a decision.
func TestTracePropagation(t *testing.T) {
	t.Parallel()
	backend := newTraceBackend(t)
	dp := startDataPlane(t, "", functionFlag(t, "traced", "traced")...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	a := dp.newAPI(t, "propagation")
	a.proxy(t, "/proxy", "GET", backend.URL+"/proxy", nil)
	a.lambdaProxy(t, "/fn", "GET", "traced", nil)
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/proxy"), 200, "ok")

	h := backend.last(t)
	if v := h.Values("X-Amzn-Trace-Id"); len(v) != 1 || !rootOnlyRE.MatchString(v[0]) || len(h.Values("Traceparent")) != 0 {
		t.Errorf("backend without client headers: %q", h)
	}
	dp.do(t, "GET", a.url("prod", "/proxy"), http.Header{"X-Amzn-Trace-Id": {clientTrace}, "Traceparent": {clientTraceparent}}, nil)
	h = backend.last(t)
	if v := h.Values("X-Amzn-Trace-Id"); len(v) != 1 || v[0] != clientTrace {
		t.Errorf("backend X-Amzn-Trace-Id: %q", v)
	}
	if v := h.Values("Traceparent"); len(v) != 1 || v[0] != clientTraceparent {
		t.Errorf("backend traceparent: %q", v)
	}
	dp.do(t, "GET", a.url("prod", "/proxy"), http.Header{"Traceparent": {clientTraceparent}}, nil)
	if v := backend.last(t).Values("X-Amzn-Trace-Id"); len(v) != 1 || v[0] != "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736" {
		t.Errorf("backend X-Amzn-Trace-Id from a traceparent: %q", v)
	}

	fn := decodeTraced(t, dp.do(t, "GET", a.url("prod", "/fn"), nil, nil))
	ev := fn.Event.Headers["X-Amzn-Trace-Id"]
	if !rootOnlyRE.MatchString(ev) || len(fn.Event.MultiValueHeaders["X-Amzn-Trace-Id"]) != 1 {
		t.Errorf("event header %q (%q)", ev, fn.Event.MultiValueHeaders["X-Amzn-Trace-Id"])
	}
	if m := completeRE.FindStringSubmatch(fn.Env); m == nil || !strings.HasPrefix(fn.Env, ev+";") || fn.Ctx != fn.Env {
		t.Errorf("_X_AMZN_TRACE_ID %q, context %q, event %q", fn.Env, fn.Ctx, ev)
	}
	fn = decodeTraced(t, dp.do(t, "GET", a.url("prod", "/fn"), http.Header{"X-Amzn-Trace-Id": {clientTrace}}, nil))
	if fn.Event.Headers["X-Amzn-Trace-Id"] != clientTrace || fn.Env != clientTrace {
		t.Errorf("client's header: event %q, _X_AMZN_TRACE_ID %q", fn.Event.Headers["X-Amzn-Trace-Id"], fn.Env)
	}
}

// spansOf waits for the spans of the request whose request id is id: its
// server span and the spans under it (at least want of them in all).
func (r *otlpReceiver) spansOf(t *testing.T, requestID string, want int) (server span, children map[string]span) {
	t.Helper()
	eventually(t, "spans of request "+requestID, func() error {
		all := r.all()
		server = span{}
		for _, s := range all {
			if s.Attrs["aws.api_gateway.request_id"] == requestID {
				server = s
			}
		}
		if server.SpanID == "" {
			return fmt.Errorf("no server span among %d", len(all))
		}
		children = map[string]span{}
		for _, s := range all {
			if s.Parent == server.SpanID && s.TraceID == server.TraceID {
				children[s.Name] = s
			}
		}
		if 1+len(children) < want {
			return fmt.Errorf("%d of %d spans", 1+len(children), want)
		}
		return nil
	})
	return server, children
}

// xrayRoot is the X-Ray Root of a 32-hex trace id.
func xrayRoot(traceID string) string { return "1-" + traceID[:8] + "-" + traceID[8:] }

// TestTracingOTLP: a REST stage with tracingEnabled exports one server
// span per request to the OTLP collector (--otlp-endpoint), named
// "{api}/{stage}" with API Gateway's attributes, and child spans for
// authorization, the stage cache and the integration; the integration's
// span is the Parent that an HTTP backend (X-Amzn-Trace-Id and
// traceparent) and a Lambda function (_X_AMZN_TRACE_ID, the event's
// header) receive. A caller's traceparent is continued (same trace id, its
// span the parent); a caller's Sampled=0 is kept (ids handed on, nothing
// exported); a stage without tracing exports nothing. An HTTP API stage
// tagged tollgate:tracingEnabled=true traces the same way.
func TestTracingOTLP(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	collector := newOTLPReceiver(t)
	backend := newTraceBackend(t)
	flags := append(functionFlag(t, "traced", "traced"), functionFlag(t, "auth", "authorizer")...)
	dp := startDataPlaneWith(t, "", []string{"OTEL_BSP_SCHEDULE_DELAY=50"}, append(flags, "--otlp-endpoint", collector.URL)...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	a := dp.newAPI(t, "traced")
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization",
		"authorizerResultTtlInSeconds": 300})
	a.method(t, "/fn", "GET", map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID})
	a.integration(t, "/fn", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI("traced")})
	a.proxy(t, "/proxy", "GET", backend.URL+"/proxy", nil)
	a.proxy(t, "/cached", "GET", backend.URL+"/cached", nil)
	a.deploy(t, "prod")
	a.deploy(t, "plain")
	a.patchStage(t, "prod", replaceOp("/tracingEnabled", "true"), replaceOp("/cacheClusterEnabled", "true"),
		replaceOp("/~1cached/GET/caching/enabled", "true"))

	// Sampled=0 from the caller and the untraced stage come first: once
	// later requests' spans have arrived, theirs would have too.
	unsampled := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
	eventually(t, "the traced stage", func() error {
		r := dp.do(t, "GET", a.url("prod", "/proxy"), http.Header{"X-Amzn-Trace-Id": {unsampled}}, nil)
		if r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		v := backend.last(t).Get("X-Amzn-Trace-Id")
		if v == unsampled {
			return fmt.Errorf("tracing not on yet")
		}
		if m := completeRE.FindStringSubmatch(v); m == nil || m[1] != "1-5759e988-bd862e3fe1be46a994272793" || !strings.HasSuffix(v, ";Sampled=0") {
			t.Errorf("backend of an unsampled request: %q", v)
		}
		return nil
	})
	plain := dp.do(t, "GET", a.url("plain", "/proxy"), nil, nil).Header.Get("x-amzn-RequestId")

	// A Lambda integration behind an authorizer.
	r := dp.do(t, "GET", a.url("prod", "/fn"), withToken("allow"), nil)
	fn := decodeTraced(t, r)
	server, children := collector.spansOf(t, r.Header.Get("x-amzn-RequestId"), 3)
	if server.Name != "traced/prod" || server.Kind != tracepb.Span_SPAN_KIND_SERVER || server.Parent != "" || server.Service != "tollgate" {
		t.Errorf("server span %+v", server)
	}
	for k, v := range map[string]any{"aws.api_gateway.api_id": a.ID, "aws.api_gateway.stage": "prod", "aws.api_gateway.api_name": "traced",
		"http.request.method": "GET", "http.route": "/fn", "http.response.status_code": int64(200),
		"cloud.resource_id": "arn:aws:apigateway:us-east-1::/restapis/" + a.ID + "/stages/prod"} {
		if server.Attrs[k] != v {
			t.Errorf("server span %s = %v, want %v", k, server.Attrs[k], v)
		}
	}
	auth, integ := children["Authorization"], children["Integration"]
	if auth.SpanID == "" || integ.Kind != tracepb.Span_SPAN_KIND_CLIENT || integ.Attrs["faas.invoked_name"] != "traced" {
		t.Errorf("children %+v", children)
	}
	want := "Root=" + xrayRoot(server.TraceID) + ";Parent=" + integ.SpanID + ";Sampled=1"
	if fn.Env != want || fn.Event.Headers["X-Amzn-Trace-Id"] != want {
		t.Errorf("the function saw _X_AMZN_TRACE_ID %q and event header %q, want %q", fn.Env, fn.Event.Headers["X-Amzn-Trace-Id"], want)
	}

	// An HTTP backend, the caller's traceparent continued.
	r = dp.do(t, "GET", a.url("prod", "/proxy"), http.Header{"Traceparent": {clientTraceparent}}, nil)
	server, children = collector.spansOf(t, r.Header.Get("x-amzn-RequestId"), 2)
	integ = children["Integration"]
	if server.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || server.Parent != "00f067aa0ba902b7" ||
		integ.Attrs["url.full"] != backend.URL+"/proxy" || integ.Attrs["http.response.status_code"] != int64(200) {
		t.Errorf("continued trace: server %+v, integration %+v", server, integ)
	}
	h := backend.last(t)
	if got := h.Get("X-Amzn-Trace-Id"); got != "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent="+integ.SpanID+";Sampled=1" {
		t.Errorf("backend X-Amzn-Trace-Id %q (integration span %s)", got, integ.SpanID)
	}
	if got := h.Get("Traceparent"); got != "00-4bf92f3577b34da6a3ce929d0e0e4736-"+integ.SpanID+"-01" {
		t.Errorf("backend traceparent %q", got)
	}

	// The stage cache: a miss calls the integration, a hit does not.
	r = dp.do(t, "GET", a.url("prod", "/cached"), nil, nil)
	_, children = collector.spansOf(t, r.Header.Get("x-amzn-RequestId"), 3)
	if children["Cache"].Attrs["tollgate.cache.hit"] != false || children["Integration"].SpanID == "" {
		t.Errorf("cache miss: %+v", children)
	}
	r = dp.do(t, "GET", a.url("prod", "/cached"), nil, nil)
	_, children = collector.spansOf(t, r.Header.Get("x-amzn-RequestId"), 2)
	if children["Cache"].Attrs["tollgate.cache.hit"] != true || children["Integration"].SpanID != "" {
		t.Errorf("cache hit: %+v", children)
	}

	// An HTTP API stage tagged for tracing.
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "traced-http", "--target", backend.URL)
	api.waitFor(t, "/v2", nil, 200)
	c.ok(nil, "tag-resource", "--resource-arn", "arn:aws:apigateway:us-east-1::/apis/"+api.ID+"/stages/$default",
		"--tags", "tollgate:tracingEnabled=true")
	var reqID string
	eventually(t, "the HTTP API stage traces", func() error {
		r := api.send(t, "GET", "/v2", nil, "")
		if !strings.Contains(backend.last(t).Get("X-Amzn-Trace-Id"), ";Parent=") {
			return fmt.Errorf("not traced yet: %s", r)
		}
		reqID = r.Header.Get("apigw-requestid")
		return nil
	})
	server, children = collector.spansOf(t, reqID, 2)
	integ = children["Integration"]
	if server.Name != "traced-http/$default" || server.Attrs["aws.api_gateway.api_type"] != "HTTP" ||
		backend.last(t).Get("X-Amzn-Trace-Id") != "Root="+xrayRoot(server.TraceID)+";Parent="+integ.SpanID+";Sampled=1" {
		t.Errorf("HTTP API: server %+v, integration %+v, backend %q", server, integ, backend.last(t).Get("X-Amzn-Trace-Id"))
	}

	for _, s := range collector.all() {
		if s.TraceID == "5759e988bd862e3fe1be46a994272793" || s.Attrs["aws.api_gateway.request_id"] == plain {
			t.Errorf("exported a span of an unsampled request or an untraced stage: %+v", s)
		}
	}
}
