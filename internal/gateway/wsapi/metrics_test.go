package wsapi_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
)

// TestMetrics: each event counts in apigateway_Count under its route
// (resource label: the route key), errors in 4XXError/5XXError.
func TestMetrics(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	reg := prometheus.NewRegistry()
	g.env.Metrics = observe.NewMetrics(reg)
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "join": "join", "fail": "fail"},
		lambdaIntegration("connect"), lambdaIntegration("join"), lambdaIntegration("fail")), nil)
	fl.on("fail", func(map[string]any) (any, string) { return nil, "boom" })
	c := g.mustDial(t)
	for _, m := range []string{`{"action":"join"}`, `{"action":"join"}`, `{"action":"fail"}`, `{"action":"none"}`} {
		write(t, c, m)
	}
	read(t, c)
	read(t, c)
	want := map[string]float64{"apigateway_Count $connect": 1, "apigateway_Count join": 2, "apigateway_Count fail": 1,
		"apigateway_5XXError fail": 1, "apigateway_Count -": 1, "apigateway_4XXError -": 1}
	// Messages are served side by side: the last one may still be being
	// counted.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := counters(t, reg)
		ok := true
		for k, w := range want {
			ok = ok && got[k] == w
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("counters %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// counters are the counters of reg by "name resource".
func counters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			res := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "resource" {
					res = l.GetValue()
				}
			}
			if m.Counter != nil {
				got[mf.GetName()+" "+res] += m.Counter.GetValue()
			}
		}
	}
	return got
}
