package observe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// counts returns apigateway_Count by "api stage method resource".
func counts(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "apigateway_Count" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			out[strings.Join([]string{l["api"], l["stage"], l["method"], l["resource"]}, " ")] = m.GetCounter().GetValue()
		}
	}
	return out
}

func routes(api string, paths ...string) observe.Routes {
	rs := observe.Routes{APIName: api}
	for i, p := range paths {
		rs.List = append(rs.List, &pipeline.RouteInfo{Index: i, HTTPMethod: "GET", ResourcePath: p})
	}
	return rs
}

// hit records one request to route i of rs (i < 0: no route).
func hit(sm *observe.StageMetrics, rs observe.Routes, i int) {
	x := &pipeline.Exchange{Status: 200}
	if i >= 0 {
		x.Route = rs.List[i]
	}
	sm.Observe(x, time.Millisecond, observe.CacheNone)
}

func equal(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", what, got, want)
			return
		}
	}
}

// TestRetireKeepsCountingAndCleansUp: a recompiled stage's series run on
// (also for routes the new version has not served yet, and when it served
// them before the old one was retired); a request still running on the
// retired version counts in the new version's series; a route the new
// version no longer has leaves /metrics, as does every series of a removed
// stage; a series two stages share (two APIs of one name) stays while one
// of them holds it.
func TestRetireKeepsCountingAndCleansUp(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := observe.NewMetrics(reg)

	v1Routes := routes("pets", "/a", "/b", "/gone", "/c", "/late", "/d")
	v1 := m.ForStage("dev", v1Routes, observe.Routes{})
	hit(v1, v1Routes, 0)
	hit(v1, v1Routes, 1)
	hit(v1, v1Routes, 2)
	hit(v1, v1Routes, 3)
	hit(v1, v1Routes, -1)
	twinRoutes := routes("pets", "/a")
	twin := m.ForStage("dev", twinRoutes, observe.Routes{}) // another API named "pets"
	hit(twin, twinRoutes, 0)

	v2Routes := routes("pets", "/b", "/a", "/c", "/d") // "/gone" and "/late" removed, the others reordered
	v2 := m.ForStage("dev", v2Routes, observe.Routes{})
	hit(v2, v2Routes, 0) // served before v1 is retired
	v1.Retire(v2)
	hit(v1, v1Routes, 2) // still running on v1
	hit(v1, v1Routes, 4) // still running on v1, a route it had not served and v2 has not
	hit(v1, v1Routes, 5) // still running on v1, a route it had not served and v2 has
	hit(v2, v2Routes, 1) // first served after the retire
	hit(v2, v2Routes, 2) // first served after the retire, held by v1 alone
	hit(v2, v2Routes, 3)
	equal(t, "after the redeploy", counts(t, reg), map[string]float64{
		"pets dev GET /a": 3, "pets dev GET /b": 2, "pets dev GET /c": 2, "pets dev GET /d": 2, "pets dev - -": 1,
	})

	v2.Retire(nil) // the stage is deleted; the twin still serves
	equal(t, "after the delete", counts(t, reg), map[string]float64{"pets dev GET /a": 3, "pets dev - -": 1})
	hit(v2, v2Routes, 0)
	twin.Retire(nil)
	equal(t, "all gone", counts(t, reg), map[string]float64{})
}

// TestRetireCanary: a canary's series pass to the next version's canary
// (or, when it has none, its base deployment's routes of the same labels).
func TestRetireCanary(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := observe.NewMetrics(reg)
	base, canary := routes("pets", "/a"), routes("pets", "/a", "/new")
	v1 := m.ForStage("dev", base, canary)
	x := &pipeline.Exchange{Status: 200, Route: canary.List[1], IsCanary: true}
	v1.Observe(x, time.Millisecond, observe.CacheNone)
	hit(v1, base, 0)
	promoted := routes("pets", "/a", "/new") // the canary promoted: no canary left
	v2 := m.ForStage("dev", promoted, observe.Routes{})
	v1.Retire(v2)
	hit(v2, promoted, 1)
	equal(t, "after the promotion", counts(t, reg), map[string]float64{
		"pets dev GET /a": 1, "pets dev GET /new": 2, "pets dev - -": 0,
	})
}
