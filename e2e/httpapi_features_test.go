package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPAPIFeatures: an API's CORS configuration (preflights answered
// by the gateway, headers on actual responses in place of the backend's,
// none for other origins), parameter mapping of requests and responses,
// throttling (stage default and per route), access logs with HTTP APIs'
// $context variables and metrics; set up with the AWS CLI v2, called with
// curl and Go.
func TestHTTPAPIFeatures(t *testing.T) {
	requireAWSCLI(t)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", functionFlag(t, "fn", "httpv2")...)
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "features", "--cors-configuration",
		"AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=authorization,content-type,ExposeHeaders=x-backend,MaxAge=300,AllowCredentials=true")
	proxy := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--integration-uri", backend.URL+"/{proxy}", "--payload-format-version", "1.0",
		"--request-parameters", `{"append:header.x-caller":"$context.identity.sourceIp","overwrite:querystring.page":"$request.header.x-page","remove:header.x-secret":"''"}`,
		"--response-parameters", `{"201":{"overwrite:statuscode":"200","append:header.x-mapped":"$response.header.x-backend"}}`)["IntegrationId"].(string)
	api.route(t, "ANY /api/{proxy+}", proxy)
	fn := api.lambdaIntegration(t, "fn", "2.0")
	api.route(t, "GET /limited", fn)
	api.route(t, "GET /unlimited", fn)
	logPath := filepath.Join(t.TempDir(), "access.log")
	format := `{"requestId":"$context.requestId","routeKey":"$context.routeKey","path":"$context.path","status":"$context.status","error":"$context.error.message","ip":"$context.identity.sourceIp"}`
	als, _ := json.Marshal(map[string]string{"DestinationArn": logPath, "Format": format})
	c.obj("create-stage", "--api-id", api.ID, "--stage-name", "$default", "--auto-deploy",
		"--default-route-settings", "ThrottlingBurstLimit=1,ThrottlingRateLimit=0.01",
		"--route-settings", `{"GET /unlimited":{"ThrottlingBurstLimit":1000,"ThrottlingRateLimit":1000},"ANY /api/{proxy+}":{"ThrottlingBurstLimit":1000,"ThrottlingRateLimit":1000}}`,
		"--access-log-settings", string(als))
	api.waitFor(t, "/nothing", nil, 404)

	t.Run("cors", func(t *testing.T) {
		out := curlResult(t, "-X", "OPTIONS", "-H", "Host: "+api.host(), "-H", "Origin: https://app.example",
			"-H", "Access-Control-Request-Method: POST", "-H", "Access-Control-Request-Headers: content-type", dp.HTTP+"/anything")
		for k, v := range map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,POST",
			"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "300", "Access-Control-Allow-Credentials": "true"} {
			if out.Header.Get(k) != v {
				t.Errorf("preflight: %s %q, want %q (%v)", k, out.Header.Get(k), v, out.Header)
			}
		}
		if out.Status != 204 || out.Body != "" {
			t.Errorf("preflight: %s", out)
		}
		out = curlResult(t, "-X", "OPTIONS", "-H", "Host: "+api.host(), "-H", "Origin: https://evil.example",
			"-H", "Access-Control-Request-Method: POST", dp.HTTP+"/anything")
		for k := range out.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("refused preflight: %s %v", k, out.Header[k])
			}
		}
		r := api.send(t, "GET", "/api/status", http.Header{"Origin": {"https://app.example"}}, "")
		if r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || r.Header.Get("Access-Control-Expose-Headers") != "x-backend" ||
			r.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("actual response: %v", r.Header)
		}
		// The backend's own CORS headers are replaced, or dropped.
		r = api.send(t, "GET", "/api/cors", http.Header{"Origin": {"https://app.example"}}, "")
		if r.Body != "cors" || len(r.Header.Values("Access-Control-Allow-Origin")) != 1 ||
			r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || r.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("backend CORS headers: %s %v", r, r.Header)
		}
		for _, p := range []string{"/api/status", "/api/cors"} {
			r = api.send(t, "GET", p, http.Header{"Origin": {"https://evil.example"}}, "")
			for k := range r.Header {
				if strings.HasPrefix(strings.ToLower(k), "access-control-") {
					t.Errorf("%s, other origin: %s %v", p, k, r.Header[k])
				}
			}
		}
	})

	t.Run("parameter mapping", func(t *testing.T) {
		r := api.send(t, "POST", "/api/items?page=1&keep=1", http.Header{"X-Page": {"7"}, "X-Secret": {"s"}}, "body")
		e := decodeEcho(t, "mapped request", r)
		if e.URI != "/items?keep=1&page=7" && e.URI != "/items?page=7&keep=1" {
			t.Errorf("backend URI %q", e.URI)
		}
		if e.Header.Get("X-Caller") != "127.0.0.1" || e.Header.Get("X-Secret") != "" || e.Method != "POST" {
			t.Errorf("backend headers %v", e.Header)
		}
		// /status answers 201, mapped to 200 with a header read from the backend's.
		r = api.send(t, "GET", "/api/status", nil, "")
		if r.Status != 200 || r.Body != "created" || r.Header.Get("X-Mapped") != "yes" {
			t.Errorf("mapped response: %s %v", r, r.Header)
		}
	})

	t.Run("throttling", func(t *testing.T) {
		if r := api.send(t, "GET", "/limited", nil, ""); r.Status != 200 {
			t.Fatalf("first: %s", r)
		}
		r := api.send(t, "GET", "/limited", nil, "")
		expect(t, "over the stage default", r, 429, `{"message":"Too Many Requests"}`)
		if r.Header.Get("Apigw-Requestid") == "" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("429 headers: %v", r.Header)
		}
		for i := range 5 {
			if r := api.send(t, "GET", "/unlimited", nil, ""); r.Status != 200 {
				t.Errorf("route setting #%d: %s", i, r)
			}
		}
	})

	t.Run("access log and metrics", func(t *testing.T) {
		r := api.send(t, "GET", "/unlimited", nil, "")
		id := r.Header.Get("Apigw-Requestid")
		var line map[string]string
		eventually(t, "access log line", func() error {
			for _, l := range readAccessLog(t, logPath) {
				if l["requestId"] == id {
					line = l
					return nil
				}
			}
			return fmt.Errorf("no line for %s", id)
		})
		if line["routeKey"] != "GET /unlimited" || line["path"] != "/unlimited" || line["status"] != "200" || line["ip"] != "127.0.0.1" {
			t.Errorf("access log: %v", line)
		}
		found := false
		for _, l := range readAccessLog(t, logPath) {
			if l["routeKey"] == "-" && l["status"] == "404" && l["error"] == "Not Found" {
				found = true
			}
		}
		if !found {
			t.Errorf("no 404 line in %v", readAccessLog(t, logPath))
		}
		m := dp.metrics(t)
		if m["apigateway_Count"+metricLabels("features", "$default", "GET", "/unlimited")] < 6 ||
			m["apigateway_4XXError"+metricLabels("features", "$default", "GET", "/limited")] < 1 {
			b, _ := json.Marshal(m)
			t.Errorf("metrics: %s", b)
		}
	})
	checkGatewayLog(t, dp.Gateway)
}
