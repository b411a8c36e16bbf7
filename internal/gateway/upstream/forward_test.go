package upstream_test

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// TestForwardHeaders: the client's headers reach the backend as sent
// (casing, order, repeats) without hop-by-hop headers, those the
// Connection header names and those API Gateway never forwards; Host is
// the backend's; the client's address is appended to X-Forwarded-For.
func TestForwardHeaders(t *testing.T) {
	req := gatewaytest.NewRequest("GET", "api.example.com", "/p", nil,
		"Connection", "keep-alive, X-Hop", "X-Hop", "dropped", "Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked",
		"Expect", "100-continue", "Content-MD5", "x", "x-Custom", "a", "X-CUSTOM", "b", "X-Forwarded-For", "198.51.100.1")
	req.Remote = netip.MustParseAddrPort("[::ffff:203.0.113.7]:5000")
	x := &pipeline.Exchange{Req: req, Start: time.Unix(0x5759e988, 0)}
	var trace string
	for range 2 { // a second time: pooled copiers keep nothing of the first
		out := fasthttp.AcquireRequest()
		out.Header.DisableNormalizing()
		out.SetRequestURI("http://backend.internal:8080/p")
		upstream.ForwardHeaders(x, out)
		var got [][2]string
		out.Header.VisitAll(func(k, v []byte) { got = append(got, [2]string{string(k), string(v)}) })
		if trace == "" {
			trace = string(out.Header.Peek("X-Amzn-Trace-Id"))
			if !regexp.MustCompile(`^Root=1-5759e988-[0-9a-f]{24}$`).MatchString(trace) {
				t.Fatalf("X-Amzn-Trace-Id %q", trace)
			}
		}
		want := [][2]string{{"Host", "backend.internal:8080"}, {"x-Custom", "a"}, {"X-CUSTOM", "b"}, {"X-Forwarded-For", "198.51.100.1, 203.0.113.7"},
			{"X-Amzn-Trace-Id", trace}}
		if len(got) != len(want) {
			t.Fatalf("headers %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("headers %q, want %q", got, want)
			}
		}
		fasthttp.ReleaseRequest(out)
	}
}

// TestTraceHeaders: a client's valid X-Amzn-Trace-Id and traceparent reach
// the backend as sent, once, whatever their casing; an invalid
// X-Amzn-Trace-Id is replaced by a new Root; with only a traceparent, the
// Root is its trace id.
func TestTraceHeaders(t *testing.T) {
	const (
		xr = "Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
		tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	)
	for _, tc := range []struct {
		name    string
		headers []string
		trace   *regexp.Regexp
		parent  string
	}{
		{"both", []string{"x-amzn-trace-id", xr, "TraceParent", tp}, regexp.MustCompile("^" + regexp.QuoteMeta(xr) + "$"), tp},
		{"traceparent only", []string{"traceparent", tp}, regexp.MustCompile(`^Root=1-4bf92f35-77b34da6a3ce929d0e0e4736$`), tp},
		{"invalid", []string{"X-Amzn-Trace-Id", "Root=nope", "traceparent", "00-xyz"}, regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`), ""},
	} {
		x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "api.example.com", "/p", nil, tc.headers...), Start: time.Now()}
		out := fasthttp.AcquireRequest()
		out.Header.DisableNormalizing()
		out.SetRequestURI("http://backend.internal/p")
		upstream.ForwardHeaders(x, out)
		var traces, parents []string
		out.Header.VisitAll(func(k, v []byte) {
			switch strings.ToLower(string(k)) {
			case "x-amzn-trace-id":
				traces = append(traces, string(v))
			case "traceparent":
				parents = append(parents, string(v))
			}
		})
		if len(traces) != 1 || !tc.trace.MatchString(traces[0]) {
			t.Errorf("%s: X-Amzn-Trace-Id %q", tc.name, traces)
		}
		if want := []string{tc.parent}; tc.parent == "" && len(parents) != 0 || tc.parent != "" && (len(parents) != 1 || parents[0] != want[0]) {
			t.Errorf("%s: traceparent %q", tc.name, parents)
		}
		fasthttp.ReleaseRequest(out)
	}
}

// TestForwardHeadersLowerCase: through a custom domain with multi-level
// mappings every header name reaches the backend in lower case [D] (but
// Content-Type, which fasthttp writes in its canonical form), and a pooled
// copier used next for another request keeps the client's casing.
func TestForwardHeadersLowerCase(t *testing.T) {
	names := func(lower bool) []string {
		req := gatewaytest.NewRequest("GET", "api.example.com", "/p", nil, "X-Custom", "a", "Content-Type", "text/plain", "AUTHORIZATION", "t")
		x := &pipeline.Exchange{Req: req, Start: time.Now()}
		x.Domain = &pipeline.DomainRoute{Domain: "api.example.com", BasePathMatched: "v1/orders", LowerHeaderNames: lower}
		out := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(out)
		out.Header.DisableNormalizing()
		out.SetRequestURI("http://backend.internal/p")
		upstream.ForwardHeaders(x, out)
		var got []string
		out.Header.VisitAll(func(k, _ []byte) {
			if n := string(k); n != "Host" {
				got = append(got, n)
			}
		})
		return got
	}
	if got, want := strings.Join(names(true), ","), "Content-Type,x-custom,authorization,x-forwarded-for,x-amzn-trace-id"; got != want {
		t.Errorf("multi-level domain: %s, want %s", got, want)
	}
	if got, want := strings.Join(names(false), ","), "Content-Type,X-Custom,AUTHORIZATION,X-Forwarded-For,X-Amzn-Trace-Id"; got != want {
		t.Errorf("other requests: %s, want %s", got, want)
	}
}
