package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

type cliTestInvoke struct {
	Status            int                 `json:"status"`
	Body              string              `json:"body"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Log               string              `json:"log"`
	Latency           *int64              `json:"latency"`
}

// TestTestInvokeCLI drives `aws apigateway test-invoke-method` and
// `test-invoke-authorizer` against methods and authorizers that were never
// deployed: a Lambda proxy integration (a real local function) sees the
// test's path, query, headers, body and stage variables; an authorizer
// (a real local function) answers its principal, policy and context.
func TestTestInvokeCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "", append(functionFlag(t, "echo", "echo"), functionFlag(t, "auth", "authorizer")...)...)
	c := newCLI(t, dp.Gateway)
	a := dp.newAPI(t, "test-invoke-cli")
	a.lambdaProxy(t, "/items/{id}", "POST", "echo", nil)
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization"})

	var out cliTestInvoke
	c.ok(&out, "test-invoke-method", "--rest-api-id", a.ID, "--resource-id", a.resource(t, "/items/{id}"), "--http-method", "POST",
		"--path-with-query-string", "/items/7?color=red", "--headers", "X-Who=bar", "--body", `{"n": 1}`,
		"--stage-variables", "fn=echo")
	if out.Status != 200 || out.Headers["Content-Type"] != "application/json" || out.Latency == nil ||
		!strings.HasPrefix(out.Log, "Execution log for request ") || !strings.HasSuffix(out.Log, " : Method completed with status: 200\n") {
		t.Fatalf("test-invoke-method: %+v", out)
	}
	var ev struct {
		Resource, Path, HTTPMethod, Body string
		PathParameters                   map[string]string
		QueryStringParameters            map[string]string
		Headers                          map[string]string
		StageVariables                   map[string]string
		RequestContext                   struct {
			Stage, ResourceID, DomainName string
			Identity                      struct{ APIKey string }
		}
	}
	if err := json.Unmarshal([]byte(out.Body), &ev); err != nil {
		t.Fatalf("echo body: %v: %s", err, out.Body)
	}
	if ev.Resource != "/items/{id}" || ev.Path != "/items/7" || ev.HTTPMethod != "POST" || ev.Body != `{"n": 1}` ||
		ev.PathParameters["id"] != "7" || ev.QueryStringParameters["color"] != "red" || ev.Headers["X-Who"] != "bar" ||
		ev.StageVariables["fn"] != "echo" || ev.RequestContext.Stage != "test-invoke-stage" ||
		ev.RequestContext.ResourceID != a.resource(t, "/items/{id}") || ev.RequestContext.Identity.APIKey != "test-invoke-api-key" {
		t.Errorf("the function's event: %s", out.Body)
	}
	for _, want := range []string{" : HTTP Method: POST, Resource Path: /items/7\n", " : Method request path: {id=7}\n",
		" : Method request query string: {color=red}\n", " : Method request headers: {X-Who=bar}\n",
		` : Method request body before transformations: {"n": 1}` + "\n",
		" : Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:echo/invocations\n",
		" : Endpoint request headers: {x-amzn-lambda-integration-tag=",
		` : Endpoint request body after transformations: {"resource":"/items/{id}"`,
		" : Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:echo/invocations\n",
		" : Received response. Status: 200, Integration latency: ",
		" : Endpoint response headers: {Content-Type=application/json, Content-Length=",
		` : Endpoint response body before transformations: {"body":`} {
		if !strings.Contains(out.Log, want) {
			t.Errorf("test-invoke-method log has no %q:\n%s", want, out.Log)
		}
	}
	c.fails("NotFoundException", "TestInvokeMethod", "Invalid Method identifier specified",
		"test-invoke-method", "--rest-api-id", a.ID, "--resource-id", a.resource(t, "/items/{id}"), "--http-method", "GET")
	c.fails("NotFoundException", "TestInvokeMethod", "Invalid Resource identifier specified",
		"test-invoke-method", "--rest-api-id", a.ID, "--resource-id", "nope", "--http-method", "GET")

	var auth struct {
		ClientStatus  int                 `json:"clientStatus"`
		PrincipalID   string              `json:"principalId"`
		Policy        string              `json:"policy"`
		Authorization map[string][]string `json:"authorization"`
		Log           string              `json:"log"`
		Latency       *int64              `json:"latency"`
	}
	c.ok(&auth, "test-invoke-authorizer", "--rest-api-id", a.ID, "--authorizer-id", authID, "--headers", "Authorization=allow",
		"--path-with-query-string", "/items/7")
	if auth.ClientStatus != 200 || auth.PrincipalID != "user-1" || !strings.Contains(auth.Policy, `"Allow"`) ||
		auth.Authorization["stringKey"][0] != "value" || auth.Latency == nil ||
		!strings.Contains(auth.Log, " : Starting authorizer: "+authID+" for request: ") ||
		!strings.HasSuffix(auth.Log, " : Successfully completed authorizer execution\n") {
		t.Errorf("test-invoke-authorizer: %+v", auth)
	}
	c.ok(&auth, "test-invoke-authorizer", "--rest-api-id", a.ID, "--authorizer-id", authID, "--headers", "Authorization=deny")
	if auth.ClientStatus != 403 {
		t.Errorf("test-invoke-authorizer deny: %+v", auth)
	}
	c.fails("NotFoundException", "TestInvokeAuthorizer", "Invalid Authorizer identifier specified",
		"test-invoke-authorizer", "--rest-api-id", a.ID, "--authorizer-id", "nope")
	checkGatewayLog(t, dp.Gateway)
}
