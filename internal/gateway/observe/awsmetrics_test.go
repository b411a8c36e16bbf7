package observe_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// series returns every sample of the families named, as
// "name{label=value,…} value" lines, sorted.
func series(t *testing.T, reg *prometheus.Registry, names ...string) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		want := false
		for _, n := range names {
			want = want || mf.GetName() == n
		}
		if !want {
			continue
		}
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, lp := range m.GetLabel() {
				ls = append(ls, lp.GetName()+"="+lp.GetValue())
			}
			v := m.GetCounter().GetValue()
			if h := m.GetHistogram(); h != nil {
				v = float64(h.GetSampleCount())
			}
			out = append(out, mf.GetName()+"{"+strings.Join(ls, ",")+"} "+strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	sort.Strings(out)
	return out
}

// TestHTTPAPIMetrics: an HTTP API stage's requests also count under AWS's
// HTTP API names (4xx, 5xx, DataProcessed) by ApiId, Stage and Route, and
// Lambda authorizer cache lookups in tollgate_authorizer_cache_total; a
// route the next deployment drops leaves /metrics, and everything of a
// removed stage does.
func TestHTTPAPIMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := observe.NewMetrics(reg)
	pets := &pipeline.RouteInfo{Index: 0, HTTPMethod: "GET", ResourcePath: "/pets", RouteKey: "GET /pets"}
	gone := &pipeline.RouteInfo{Index: 1, HTTPMethod: "POST", ResourcePath: "/gone", RouteKey: "POST /gone"}
	v1 := m.ForStage("$default", observe.Routes{APIName: "shop", APIID: "a1", HTTP: true, List: []*pipeline.RouteInfo{pets, gone}}, observe.Routes{})
	req := gatewaytest.NewRequest("POST", "h", "/pets", []byte("12345"))
	for _, c := range []struct {
		route  *pipeline.RouteInfo
		status int
		auth   pipeline.CacheLookup
	}{{pets, 200, pipeline.CacheLookupMiss}, {pets, 200, pipeline.CacheLookupHit}, {pets, 404, pipeline.NoCacheLookup},
		{gone, 502, pipeline.NoCacheLookup}, {nil, 404, pipeline.NoCacheLookup}} {
		x := &pipeline.Exchange{Req: req, Route: c.route, Status: c.status, ResponseLength: 10}
		x.Auth.AuthorizerCache = c.auth
		v1.Observe(x, time.Millisecond, observe.CacheNone)
	}
	got := series(t, reg, "apigateway_4xx", "apigateway_5xx", "apigateway_DataProcessed", "tollgate_authorizer_cache_total")
	want := []string{
		"apigateway_4xx{ApiId=a1,Route=-,Stage=$default} 1",
		"apigateway_4xx{ApiId=a1,Route=GET /pets,Stage=$default} 1",
		"apigateway_5xx{ApiId=a1,Route=-,Stage=$default} 0",
		"apigateway_5xx{ApiId=a1,Route=GET /pets,Stage=$default} 0",
		"apigateway_5xx{ApiId=a1,Route=POST /gone,Stage=$default} 1",
		"apigateway_4xx{ApiId=a1,Route=POST /gone,Stage=$default} 0",
		"apigateway_DataProcessed{ApiId=a1,Route=-,Stage=$default} 15",
		"apigateway_DataProcessed{ApiId=a1,Route=GET /pets,Stage=$default} 45",
		"apigateway_DataProcessed{ApiId=a1,Route=POST /gone,Stage=$default} 15",
		"tollgate_authorizer_cache_total{api_id=a1,result=hit,stage=$default} 1",
		"tollgate_authorizer_cache_total{api_id=a1,result=miss,stage=$default} 1",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	v2 := m.ForStage("$default", observe.Routes{APIName: "shop", APIID: "a1", HTTP: true, List: []*pipeline.RouteInfo{pets}}, observe.Routes{})
	v1.Retire(v2)
	for _, s := range series(t, reg, "apigateway_4xx", "apigateway_5xx", "apigateway_DataProcessed") {
		if strings.Contains(s, "POST /gone") {
			t.Errorf("a dropped route's series stayed: %s", s)
		}
	}
	v2.Retire(nil)
	if s := series(t, reg, "apigateway_4xx", "apigateway_5xx", "apigateway_DataProcessed", "tollgate_authorizer_cache_total"); len(s) != 0 {
		t.Errorf("a removed stage's series stayed: %q", s)
	}
}

// TestWebSocketStage: the WebSocket data plane's recorder counts under
// AWS's WebSocket names by ApiId, Stage and Route, integration latency in
// apigateway_IntegrationLatency; Retire removes the stage's series.
func TestWebSocketStage(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := observe.NewMetrics(reg)
	ws := m.WebSocketStage("w1", "chat", "prod")
	ws.Connect("$connect")
	ws.Message("sendmessage")
	ws.Message("sendmessage")
	ws.ClientError("$default")
	ws.IntegrationError("sendmessage")
	ws.ExecutionError("sendmessage")
	ws.IntegrationLatency("sendmessage", 3*time.Millisecond)
	got := series(t, reg, "apigateway_ConnectCount", "apigateway_MessageCount", "apigateway_ClientError", "apigateway_IntegrationError",
		"apigateway_ExecutionError", "apigateway_IntegrationLatency")
	want := []string{
		"apigateway_ClientError{ApiId=w1,Route=$default,Stage=prod} 1",
		"apigateway_ConnectCount{ApiId=w1,Route=$connect,Stage=prod} 1",
		"apigateway_ExecutionError{ApiId=w1,Route=sendmessage,Stage=prod} 1",
		"apigateway_IntegrationError{ApiId=w1,Route=sendmessage,Stage=prod} 1",
		"apigateway_IntegrationLatency{api=chat,method=-,resource=sendmessage,stage=prod} 1",
		"apigateway_MessageCount{ApiId=w1,Route=sendmessage,Stage=prod} 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ws.Retire()
	if s := series(t, reg, "apigateway_ConnectCount", "apigateway_MessageCount", "apigateway_IntegrationLatency"); len(s) != 0 {
		t.Errorf("after Retire: %q", s)
	}
	var none *observe.WebSocketStage // a nil recorder records nothing
	none.Message("x")
	none.Retire()
	if (*observe.Metrics)(nil).WebSocketStage("a", "b", "c") != nil {
		t.Error("a nil Metrics gives a nil recorder")
	}
}
