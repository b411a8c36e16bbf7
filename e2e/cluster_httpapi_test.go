package e2e

import (
	"fmt"
	"net/http"
	"testing"
)

// TestClusterHTTPAPIAuthorizerCache: two `tollgate serve` nodes on one
// PostgreSQL store and one Redis serve an HTTP API (made with the AWS CLI
// v2 through node A) whose Lambda REQUEST authorizer (payload 2.0, simple
// answers, aws-lambda-go) caches by two identity sources. A result cached
// by A is a hit on B (the context carries the invocation count of the
// function process that answered, with its JSON type), and
// `aws apigatewayv2 reset-authorizers-cache` through B empties it for both.
func TestClusterHTTPAPIAuthorizerCache(t *testing.T) {
	requireAWSCLI(t)
	spec := newClusterSpec(t)
	flags := append(functionFlag(t, "fn", "httpv2"), functionFlag(t, "auth", "httpauth")...)
	nodes := spec.startNodes(t, 2, flags...)
	a, b := nodes[0], nodes[1]
	c := newCLI(t, a.Gateway).v2()
	api := a.newHTTPAPI(t, c, "shared-authorizer")
	fn := api.lambdaIntegration(t, "fn", "2.0")
	authID := c.obj("create-authorizer", "--api-id", api.ID, "--name", "simple", "--authorizer-type", "REQUEST",
		"--authorizer-uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations",
		"--authorizer-payload-format-version", "2.0", "--enable-simple-responses",
		"--identity-source", "$request.header.X-Token", "$request.querystring.q",
		"--authorizer-result-ttl-in-seconds", "300")["AuthorizerId"].(string)
	api.route(t, "GET /me", fn, "--authorization-type", "CUSTOM", "--authorizer-id", authID)
	api.autoDeploy(t)
	onB := &httpAPI{dp: b, cli: newCLI(t, b.Gateway).v2(), ID: api.ID}
	for _, h := range []*httpAPI{api, onB} {
		h.waitFor(t, "/me", nil, 401)
	}
	calls := func(h *httpAPI, q string) any {
		t.Helper()
		ev := event(t, h.send(t, "GET", "/me?q="+q, http.Header{"X-Token": {"allow"}}, ""))
		return authorizerOf(ev)["lambda"].(map[string]any)["calls"]
	}
	// A's function process answers twice: calls 1, then 2.
	if got := calls(api, "1"); got != float64(1) {
		t.Fatalf("first call on A: calls %v", got)
	}
	if got := calls(api, "2"); got != float64(2) {
		t.Fatalf("second call on A: calls %v", got)
	}
	// B's own process would answer calls 1: B reads A's cached answer.
	if got := calls(onB, "2"); got != float64(2) {
		t.Errorf("B: calls %v, want 2 (A's cached answer); B invoked its own authorizer", got)
	}
	onB.cli.ok(nil, "reset-authorizers-cache", "--api-id", api.ID, "--stage-name", "$default")
	eventually(t, "the reset through B", func() error {
		if got := calls(onB, "2"); got != float64(1) {
			return fmt.Errorf("B answers calls %v, want its own first invocation", got)
		}
		return nil
	})
	checkGatewayLog(t, a.Gateway)
	checkGatewayLog(t, b.Gateway)
}
