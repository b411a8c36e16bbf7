package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestHTTPAPIQuickCreate: `aws apigatewayv2 create-api --target` (quick
// create) with an HTTP URL and with a Lambda function ARN, then requests
// with curl to the API's host: the $default route of the auto-deployed
// $default stage serves at the root; an aws-lambda-go function written
// against events.APIGatewayV2HTTPRequest/Response gets a 2.0 event and
// its answer (status, headers, cookies) reaches the client; a named stage
// keeps its prefix in rawPath; payload format 1.0 on the same function's
// route; updating the integration redeploys automatically.
func TestHTTPAPIQuickCreate(t *testing.T) {
	requireAWSCLI(t)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", append(functionFlag(t, "hello", "httpv2"), functionFlag(t, "echo", "echo")...)...)
	c := newCLI(t, dp.Gateway).v2()

	t.Run("http url", func(t *testing.T) {
		api := dp.newHTTPAPI(t, c, "hello", "--target", backend.URL)
		api.waitFor(t, "/pets/7", nil, 200)
		out := curlResult(t, "-H", "Host: "+api.host(), "-H", "X-Client: curl", dp.HTTP+"/pets/7?a=1&b=two")
		if out.Status != 200 || len(out.Header.Get("Apigw-Requestid")) != 16 || out.Header.Get("X-Amzn-Requestid") != out.Header.Get("Apigw-Requestid") {
			t.Fatalf("curl: %s %v", out, out.Header)
		}
		var e echoed
		if err := json.Unmarshal([]byte(out.Body), &e); err != nil {
			t.Fatalf("backend answer: %v\n%s", err, out)
		}
		if e.Method != "GET" || e.URI != "/pets/7?a=1&b=two" || e.Header.Get("X-Client") != "curl" ||
			e.Header.Get("Via") != "HTTP/1.1 AmazonAPIGateway" || !strings.HasPrefix(e.Host, "127.0.0.1:") {
			t.Errorf("the backend saw %+v", e)
		}
		r := api.send(t, "DELETE", "/status", nil, "")
		if r.Status != 201 || r.Body != "created" || r.Header.Get("X-Backend") != "yes" || len(r.Header.Values("Set-Cookie")) != 2 {
			t.Errorf("backend answer through the API: %s %v", r, r.Header)
		}
	})

	t.Run("lambda arn", func(t *testing.T) {
		api := dp.newHTTPAPI(t, c, "fn", "--target", "arn:aws:lambda:us-east-1:000000000000:function:hello")
		api.waitFor(t, "/x", nil, 200)
		out := curlResult(t, "-X", "POST", "-H", "Host: "+api.host(), "-H", "Content-Type: application/json",
			"-b", "a=1; b=2", "--data", `{"n":1}`, dp.HTTP+"/orders/9?status=202&q=1&q=2")
		if out.Status != 202 || out.Header.Get("X-Route") != "$default" || out.Header.Get("Content-Type") != "application/json" ||
			strings.Join(out.Header.Values("Set-Cookie"), "|") != "session=abc; Path=/|theme=dark" {
			t.Fatalf("curl: %s %v", out, out.Header)
		}
		body := out.Body
		var ev map[string]any
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("function answer: %v\n%s", err, out)
		}
		rc := ev["requestContext"].(map[string]any)
		for what, ok := range map[string]bool{
			"version":  ev["version"] == "2.0",
			"routeKey": ev["routeKey"] == "$default" && rc["routeKey"] == "$default",
			"rawPath":  ev["rawPath"] == "/orders/9",
			"query":    ev["rawQueryString"] == "status=202&q=1&q=2" && ev["queryStringParameters"].(map[string]any)["q"] == "1,2",
			"cookies":  len(ev["cookies"].([]any)) == 2,
			"body":     ev["body"] == `{"n":1}` && ev["isBase64Encoded"] == false,
			"stage":    rc["stage"] == "$default" && rc["apiId"] == api.ID && rc["accountId"] == "000000000000",
			"http":     rc["http"].(map[string]any)["method"] == "POST" && rc["http"].(map[string]any)["path"] == "/orders/9",
			"host":     ev["headers"].(map[string]any)["host"] == api.host() && rc["domainName"] == api.host(),
		} {
			if !ok {
				t.Errorf("%s: %s", what, body)
			}
		}

		// A named, auto-deploying stage: its prefix stays in rawPath.
		c.obj("create-stage", "--api-id", api.ID, "--stage-name", "dev", "--auto-deploy")
		r := api.waitFor(t, "/dev/pets/1", nil, 200)
		var ev2 map[string]any
		_ = json.Unmarshal([]byte(r.Body), &ev2)
		if ev2["rawPath"] != "/dev/pets/1" || ev2["requestContext"].(map[string]any)["stage"] != "dev" {
			t.Errorf("named stage: %s", r.Body)
		}
	})

	t.Run("payload 1.0", func(t *testing.T) {
		api := dp.newHTTPAPI(t, c, "v1")
		ig := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "AWS_PROXY",
			"--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:echo", "--payload-format-version", "1.0")
		c.obj("create-route", "--api-id", api.ID, "--route-key", "GET /items/{id}", "--target", "integrations/"+ig["IntegrationId"].(string))
		c.obj("create-stage", "--api-id", api.ID, "--stage-name", "$default", "--auto-deploy")
		r := api.waitFor(t, "/items/5?x=1", http.Header{"X-Test": {"v"}}, 200)
		var ev map[string]any
		if err := json.Unmarshal([]byte(r.Body), &ev); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		rc := ev["requestContext"].(map[string]any)
		if ev["version"] != "1.0" || ev["resource"] != "/items/{id}" || ev["path"] != "/items/5" || ev["httpMethod"] != "GET" ||
			ev["pathParameters"].(map[string]any)["id"] != "5" || ev["queryStringParameters"].(map[string]any)["x"] != "1" ||
			rc["resourcePath"] != "/items/{id}" || rc["stage"] != "$default" {
			t.Errorf("1.0 event: %s", r.Body)
		}

		// The integration moves to 2.0: auto-deploy makes it live.
		c.obj("update-integration", "--api-id", api.ID, "--integration-id", ig["IntegrationId"].(string), "--payload-format-version", "2.0")
		deadline := 0
		for ; deadline < 500; deadline++ {
			r = api.send(t, "GET", "/items/5", nil, "")
			if strings.Contains(r.Body, `"version":"2.0"`) {
				break
			}
		}
		if !strings.Contains(r.Body, `"version":"2.0"`) {
			t.Errorf("after update-integration: %s", r)
		}
		expect(t, "no route", api.send(t, "GET", "/nothing", nil, ""), 404, `{"message":"Not Found"}`)
	})
	checkGatewayLog(t, dp.Gateway)
}
