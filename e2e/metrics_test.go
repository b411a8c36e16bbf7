package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// scrape returns every sample of /metrics by name with labels.
func (dp *dataPlane) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, _ := strconv.ParseFloat(line[i+1:], 64)
		out[line[:i]] = v
	}
	return out
}

// TestGatewayMetrics: /metrics carries, beside the REST families, AWS's
// HTTP API names (apigateway_4xx, apigateway_5xx, apigateway_DataProcessed
// by ApiId, Stage, Route) and Tollgate's own: authorizer cache hits and
// misses per stage, throttle decisions, Lambda instances and cold starts.
func TestGatewayMetrics(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	backend := newTraceBackend(t)
	dp := startDataPlane(t, "", append(functionFlag(t, "traced", "traced"), functionFlag(t, "auth", "authorizer")...)...)
	a := dp.newAPI(t, "metered")
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization",
		"authorizerResultTtlInSeconds": 300})
	a.method(t, "/fn", "GET", map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID})
	a.integration(t, "/fn", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI("traced")})
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/fn"), 401, `{"message":"Unauthorized"}`)
	for range 3 {
		decodeTraced(t, dp.do(t, "GET", a.url("prod", "/fn"), withToken("allow"), nil))
	}

	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "metered-http", "--target", backend.URL)
	api.waitFor(t, "/x", nil, 200)
	api.send(t, "POST", "/x", nil, "0123456789")

	m := dp.scrape(t)
	for name, want := range map[string]float64{
		`tollgate_authorizer_cache_total{api_id="` + a.ID + `",result="hit",stage="prod"}`:  2,
		`tollgate_authorizer_cache_total{api_id="` + a.ID + `",result="miss",stage="prod"}`: 1,
		`tollgate_lambda_cold_starts_total{function="traced",version="$LATEST"}`:            1,
		`tollgate_lambda_instances{function="traced",state="idle",version="$LATEST"}`:       1,
		`tollgate_lambda_instances{function="traced",state="busy",version="$LATEST"}`:       0,
		`apigateway_4xx{ApiId="` + api.ID + `",Route="$default",Stage="$default"}`:          0,
		`apigateway_5xx{ApiId="` + api.ID + `",Route="$default",Stage="$default"}`:          0,
	} {
		if got, ok := m[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	// The POST's 10 bytes and the answers' "ok"s.
	if got := m[`apigateway_DataProcessed{ApiId="`+api.ID+`",Route="$default",Stage="$default"}`]; got < 12 {
		t.Errorf("DataProcessed %v", got)
	}
	if got := m[`tollgate_throttle_decisions_total{decision="allowed",limit="account"}`]; got < 5 {
		t.Errorf("account throttle decisions: %v", got)
	}
	if _, ok := m[`tollgate_quota_decisions_total{decision="exceeded"}`]; !ok {
		t.Errorf("no quota decisions series: %v", fmt.Sprint(len(m)))
	}
}
