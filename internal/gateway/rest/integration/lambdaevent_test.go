package integration_test

import (
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/rest/integration"
)

// TestEventHeadersLowerCase: a REST proxy event keeps the client's header
// names (Authorization and User-Agent canonicalised [V]), except through a
// custom domain with multi-level mappings, where every name is in lower
// case [D].
func TestEventHeadersLowerCase(t *testing.T) {
	for _, tc := range []struct {
		lower bool
		want  []string
	}{
		{false, []string{"Host", "X-Custom", "Authorization", "User-Agent", "X-Amzn-Trace-Id"}},
		{true, []string{"host", "x-custom", "authorization", "user-agent", "x-amzn-trace-id"}},
	} {
		x := &rest.Exchange{}
		x.Req = gatewaytest.NewRequest("GET", "api.example.com", "/p", nil, "X-Custom", "a", "AUTHORIZATION", "t", "user-agent", "curl")
		x.Start = time.Now()
		x.Domain = &pipeline.DomainRoute{Domain: "api.example.com", BasePathMatched: "v1/orders", LowerHeaderNames: tc.lower}
		single, multi := integration.EventHeaders(x)
		if len(single) != len(tc.want) || len(multi) != len(tc.want) {
			t.Fatalf("lower=%v: %v, want the names %v", tc.lower, single, tc.want)
		}
		for _, n := range tc.want {
			if _, ok := single[n]; !ok {
				t.Errorf("lower=%v: no %q in %v", tc.lower, n, single)
			}
			if _, ok := multi[n]; !ok {
				t.Errorf("lower=%v: no %q in multiValueHeaders %v", tc.lower, n, multi)
			}
		}
	}
}
