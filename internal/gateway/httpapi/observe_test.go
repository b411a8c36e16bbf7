package httpapi

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/ratelimit"
)

// TestThrottling: a route's routeSettings, else the stage's
// defaultRouteSettings, give each route its own bucket; an empty bucket is
// 429 {"message":"Too Many Requests"} [D].
func TestThrottling(t *testing.T) {
	env, _ := echoEnv()
	env.Throttling = &throttle.Throttling{Limiter: ratelimit.NewMemory()}
	a := routedAPI("GET /a", "GET /b", "GET /free")
	slow := model.Double(0.001)
	door := a.stage(t, env, "$default", func(s *modelv2.Stage) {
		s.DefaultRouteSettings = modelv2.RouteSettings{ThrottlingBurstLimit: model.Ptr(int64(1)), ThrottlingRateLimit: &slow}
		s.RouteSettings["GET /free"] = modelv2.RouteSettings{ThrottlingBurstLimit: model.Ptr(int64(100)), ThrottlingRateLimit: model.Ptr(model.Double(1000))}
	})
	for _, p := range []string{"/a", "/b"} {
		if r := do(door, "GET", p, nil); r.Code != 200 {
			t.Errorf("first %s: %d", p, r.Code)
		}
		expect(t, "second "+p, do(door, "GET", p, nil), 429, `{"message":"Too Many Requests"}`)
	}
	for i := range 5 {
		if r := do(door, "GET", "/free", nil); r.Code != 200 {
			t.Errorf("/free #%d: %d", i, r.Code)
		}
	}
}

// TestAccessLogAndMetrics: a stage's access log renders HTTP APIs'
// $context variables (routeKey, a $default stage's path without a stage
// segment, extendedRequestId = requestId, error.message, the
// integration's error); metrics count by route.
func TestAccessLogAndMetrics(t *testing.T) {
	env, _ := echoEnv()
	var out bytes.Buffer
	env.Logs = &observe.LogSinks{Stdout: &out}
	reg := prometheus.NewRegistry()
	env.Metrics = observe.NewMetrics(reg)
	a := routedAPI("GET /pets/{id}")
	a.route("GET /broken", a.lambda("missing", "2.0"))
	format := `$context.requestId $context.extendedRequestId "$context.routeKey" $context.path $context.status ` +
		`$context.error.message "$context.integrationErrorMessage" $context.protocol $context.stage`
	door := a.stage(t, env, "$default", func(s *modelv2.Stage) {
		s.AccessLogSettings = &modelv2.AccessLogSettings{Format: model.Ptr(format)}
	})
	ok := do(door, "GET", "/pets/1", nil)
	do(door, "GET", "/nope", nil)
	do(door, "GET", "/broken", nil)
	_ = env.Logs.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("access log: %q", out.String())
	}
	id := ok.Headers.Get("apigw-requestid")
	if want := id + " " + id + ` "GET /pets/{id}" /pets/1 200 - "-" HTTP/1.1 $default`; lines[0] != want {
		t.Errorf("access log:\n got %s\nwant %s", lines[0], want)
	}
	if !strings.HasSuffix(lines[1], `"-" /nope 404 Not Found "-" HTTP/1.1 $default`) {
		t.Errorf("404 line: %s", lines[1])
	}
	if !strings.Contains(lines[2], `"GET /broken" /broken 500 Internal Server Error "lambda function not found" `) {
		t.Errorf("integration failure line: %s", lines[2])
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "apigateway_Count" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			seen[l["method"]+" "+l["resource"]] = m.GetCounter().GetValue()
		}
	}
	if seen["GET /pets/{id}"] != 1 || seen["GET /broken"] != 1 || seen["- -"] != 1 {
		t.Errorf("apigateway_Count: %v", seen)
	}
}
