package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDataplaneAccessLogAndMetrics: a stage's JSON access log gets one
// valid line per request with the right values ("-" when absent), and
// /metrics counts requests by API, stage, method and resource template.
func TestDataplaneAccessLogAndMetrics(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "observed")
	a.echoMock(t, "/pets/{id}", "GET")
	a.method(t, "/broken", "GET", nil)
	a.integration(t, "/broken", "GET", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"no":"status"}`}})
	be := newTestBackend(t)
	a.proxy(t, "/large", "GET", be.URL+"/large", nil)
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/pets/0"), 200, `{"resource":"/pets/{id}","method":"GET"}`)
	petRequests := 1 // each GET /pets/{id} that succeeded, for the metrics

	logPath := filepath.Join(t.TempDir(), "access.log")
	format := `{"requestId":"$context.requestId","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath",` +
		`"status":"$context.status","ip":"$context.identity.sourceIp","responseLength":"$context.responseLength",` +
		`"requestTime":"$context.requestTime","integrationLatency":"$context.integrationLatency",` +
		`"caller":"$context.identity.caller","path":"$context.path","stage":"$context.stage"}`
	a.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", logPath), replaceOp("/accessLogSettings/format", format))

	readLog := func() []map[string]string { return readAccessLog(t, logPath) }
	// The access log goes live with the stage update.
	eventually(t, "access log", func() error {
		r, err := dp.send(t, "GET", a.url("prod", "/pets/warmup"), nil, nil)
		if err != nil {
			return err
		}
		petRequests++
		if len(readLog()) == 0 {
			return errorf("no line yet (%s)", r)
		}
		return nil
	})

	type req struct {
		method, path string
		status       int
		resource     string
		length       string // "" = the body's length
	}
	reqs := []req{
		{"GET", "/pets/1", 200, "/pets/{id}", ""},
		{"GET", "/pets/2", 200, "/pets/{id}", ""},
		{"GET", "/nope", 403, "-", ""},
		{"POST", "/pets/1", 403, "-", ""},
		{"GET", "/broken", 500, "/broken", ""},
		{"GET", "/large?n=3000", 200, "/large", ""},
		// A chunked backend body is read whole before it is sent, so the
		// line has its real length (not "-" or a wrong 0).
		{"GET", "/large?n=3000&chunked=1", 200, "/large", ""},
	}
	ids := map[string]req{}
	bodies := map[string]string{}
	for _, rq := range reqs {
		r := dp.do(t, rq.method, a.url("prod", rq.path), nil, nil)
		if r.Status != rq.status {
			t.Fatalf("%s %s: %s", rq.method, rq.path, r)
		}
		id := r.Header.Get("x-amzn-RequestId")
		ids[id], bodies[id] = rq, r.Body
		if rq.resource == "/pets/{id}" {
			petRequests++
		}
	}
	var lines map[string][]map[string]string
	eventually(t, "access log lines", func() error {
		lines = map[string][]map[string]string{}
		for _, l := range readLog() {
			lines[l["requestId"]] = append(lines[l["requestId"]], l)
		}
		for id := range ids {
			if len(lines[id]) == 0 {
				return errorf("no line for %s", id)
			}
		}
		return nil
	})
	timeRE := regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
	for id, rq := range ids {
		if len(lines[id]) != 1 {
			t.Errorf("%s %s: %d lines", rq.method, rq.path, len(lines[id]))
			continue
		}
		l := lines[id][0]
		what := rq.method + " " + rq.path
		length := rq.length
		if length == "" {
			length = strconv.Itoa(len(bodies[id]))
		}
		path, _, _ := strings.Cut(rq.path, "?")
		want := map[string]string{
			"httpMethod": rq.method, "resourcePath": rq.resource, "status": strconv.Itoa(rq.status),
			"ip": "127.0.0.1", "responseLength": length, "caller": "-",
			"path": "/prod" + path, "stage": "prod",
		}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("%s: %s = %q, want %q (line %v)", what, k, l[k], v, l)
			}
		}
		if !timeRE.MatchString(l["requestTime"]) {
			t.Errorf("%s: requestTime %q", what, l["requestTime"])
		}
		if rq.resource == "-" {
			if l["integrationLatency"] != "-" {
				t.Errorf("%s: integrationLatency %q without an integration", what, l["integrationLatency"])
			}
		} else if _, err := strconv.Atoi(l["integrationLatency"]); err != nil {
			t.Errorf("%s: integrationLatency %q", what, l["integrationLatency"])
		}
	}

	// Metrics on the admin listener.
	metrics := dp.metrics(t)
	for name := range metrics {
		if strings.Contains(name, "/pets/1") || strings.Contains(name, "/pets/warmup") || strings.Contains(name, "/nope") {
			t.Errorf("metric labelled with a raw path: %s", name)
		}
	}
	labels := func(method, resource string) string { return metricLabels("observed", "prod", method, resource) }
	pets := labels("GET", "/pets/{id}")
	for name, want := range map[string]float64{
		"apigateway_Count" + pets:                                float64(petRequests),
		"apigateway_4XXError" + pets:                             0,
		"apigateway_5XXError" + pets:                             0,
		"apigateway_Latency_count" + pets:                        float64(petRequests),
		"apigateway_IntegrationLatency_count" + pets:             float64(petRequests),
		"apigateway_Count" + labels("GET", "/broken"):            1,
		"apigateway_5XXError" + labels("GET", "/broken"):         1,
		"apigateway_4XXError" + labels("-", "-"):                 2,
		"apigateway_Count" + labels("-", "-"):                    2,
		"apigateway_IntegrationLatency_count" + labels("-", "-"): 0,
	} {
		got, ok := metrics[name]
		if !ok && want != 0 {
			t.Errorf("metric %s missing", name)
			continue
		}
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if t.Failed() {
		var lines []string
		for k, v := range metrics {
			if strings.Contains(k, "_count") || !strings.Contains(k, "_bucket") {
				lines = append(lines, k+" "+strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		t.Logf("metrics:\n%s", strings.Join(lines, "\n"))
	}
}
