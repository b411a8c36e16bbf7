package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestLambdaColdAndWarmStart measures a Go function behind AWS_PROXY
// through the data plane: the first request starts the process (cold), the
// next ones reuse it (warm). The bounds are loose (the suite runs with the
// race detector on shared machines); the figures are logged.
func TestLambdaColdAndWarmStart(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", functionFlag(t, "echo", "echo")...)
	a := dp.newAPI(t, "latency")
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	a.mock(t, "/mock", "GET", `{}`)
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/mock"), 200, "{}")

	timed := func(path string) time.Duration {
		start := time.Now()
		if r := dp.do(t, "GET", a.url("prod", path), nil, nil); r.Status != 200 {
			t.Fatalf("GET %s: %s", path, r)
		}
		return time.Since(start)
	}
	cold := timed("/echo")
	var warm, mock []time.Duration
	for range 50 {
		warm = append(warm, timed("/echo"))
		mock = append(mock, timed("/mock"))
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	t.Logf("cold start %v; warm p50 %v (a MOCK integration: %v)", cold.Round(10*time.Microsecond),
		p50(warm).Round(10*time.Microsecond), p50(mock).Round(10*time.Microsecond))
	if cold > 3*time.Second || p50(warm) > 250*time.Millisecond {
		t.Errorf("%s", fmt.Sprintf("too slow: cold %v, warm p50 %v", cold, p50(warm)))
	}
	if n := dp.waitChildren(t, 1); n != 1 {
		t.Errorf("%d function processes after 51 sequential requests, want 1", n)
	}
}
