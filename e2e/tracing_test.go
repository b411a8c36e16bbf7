package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
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
