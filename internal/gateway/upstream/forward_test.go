package upstream_test

import (
	"net/netip"
	"testing"

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
	x := &pipeline.Exchange{Req: req}
	for range 2 { // a second time: pooled copiers keep nothing of the first
		out := fasthttp.AcquireRequest()
		out.Header.DisableNormalizing()
		out.SetRequestURI("http://backend.internal:8080/p")
		upstream.ForwardHeaders(x, out)
		var got [][2]string
		out.Header.VisitAll(func(k, v []byte) { got = append(got, [2]string{string(k), string(v)}) })
		want := [][2]string{{"Host", "backend.internal:8080"}, {"x-Custom", "a"}, {"X-CUSTOM", "b"}, {"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}}
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
