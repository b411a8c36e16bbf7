package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestLambdaRuntimesHTTPAPI: an HTTP API (apigatewayv2, made with the AWS
// CLI v2) routes to a Node.js function registered with --function and to
// a Python function created through the Lambda API, both with payload
// format 2.0: the Node.js handler answers in the full response format
// (status, headers, cookies), the Python one with a plain dict (the
// simplified format: 200, JSON).
func TestLambdaRuntimesHTTPAPI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "", "--function", "node-http="+copyDir(t, runtimeFixture("node"))+",runtime=nodejs22.x,handler=index.http")
	dp.createManaged(t, "py-http", "python3.12", "app.http", dirZip(t, runtimeFixture("python")), nil)
	c := newCLI(t, dp.Gateway).v2()

	api := dp.newHTTPAPI(t, c, "runtimes")
	route := func(key, fn string) {
		ig := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "AWS_PROXY",
			"--integration-uri", "arn:aws:lambda:us-east-1:000000000000:function:"+fn, "--payload-format-version", "2.0")
		c.obj("create-route", "--api-id", api.ID, "--route-key", key, "--target", "integrations/"+ig["IntegrationId"].(string))
	}
	route("GET /node/{name}", "node-http")
	route("ANY /py/{proxy+}", "py-http")
	c.obj("create-stage", "--api-id", api.ID, "--stage-name", "$default", "--auto-deploy")

	r := api.waitFor(t, "/node/Ada?x=1", nil, 200)
	var node map[string]any
	if err := json.Unmarshal([]byte(r.Body), &node); err != nil {
		t.Fatalf("node: %v: %s", err, r.Body)
	}
	if node["lang"] != "node" || node["version"] != "2.0" || node["routeKey"] != "GET /node/{name}" || node["rawPath"] != "/node/Ada" ||
		node["method"] != "GET" || node["name"] != "Ada" || !jsonEq(node["query"], map[string]any{"x": "1"}) || node["functionVersion"] != "$LATEST" {
		t.Errorf("node event: %s", r.Body)
	}
	if r.Header.Get("X-Runtime") != "AWS_Lambda_nodejs22.x" || r.Header.Get("Set-Cookie") != "lang=node; Path=/" ||
		r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("node answer: %s %v", r, r.Header)
	}

	r = api.send(t, "POST", "/py/orders/7", http.Header{"Content-Type": {"text/plain"}}, "hello")
	var py map[string]any
	if err := json.Unmarshal([]byte(r.Body), &py); err != nil || r.Status != 200 {
		t.Fatalf("python: %v: %s", err, r)
	}
	if py["lang"] != "python" || py["version"] != "2.0" || py["routeKey"] != "ANY /py/{proxy+}" || py["rawPath"] != "/py/orders/7" ||
		py["method"] != "POST" || py["body"] != "hello" || py["runtime"] != "AWS_Lambda_python3.12" {
		t.Errorf("python event: %s", r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("python answer's content type: %v", r.Header)
	}
	checkGatewayLog(t, dp.Gateway)
}
