package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// mockWith is mock with method settings (authorizationType, authorizerId,
// apiKeyRequired…).
func (a *restAPI) mockWith(t testing.TB, path, verb string, methodExtra map[string]any, tpl string) {
	t.Helper()
	a.method(t, path, verb, methodExtra)
	a.integration(t, path, verb, map[string]any{
		"type":             "MOCK",
		"requestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
	})
	a.methodResponse(t, path, verb, "200", nil)
	a.integrationResponse(t, path, verb, "200", map[string]any{
		"responseTemplates": map[string]any{"application/json": tpl},
	})
}

// authorizer creates a Lambda authorizer running the test function
// "authorizer" (registered as fn) and returns its id.
func (a *restAPI) authorizer(t testing.TB, name, typ, fn string, extra map[string]any) string {
	t.Helper()
	body := map[string]any{"name": name, "type": typ, "authorizerUri": lambdaURI(fn)}
	for k, v := range extra {
		body[k] = v
	}
	out := a.dp.call(t, "POST", "/restapis/"+a.ID+"/authorizers", body)
	return out["id"].(string)
}

// authorizerTemplate shows what the integration learns from an authorizer.
const authorizerTemplate = `{"principal":"$context.authorizer.principalId","n":"$context.authorizer.n",` +
	`"stringKey":"$context.authorizer.stringKey","numberKey":"$context.authorizer.numberKey",` +
	`"booleanKey":"$context.authorizer.booleanKey","methodArn":"$context.authorizer.methodArn",` +
	`"path":"$context.authorizer.path","resource":"$context.authorizer.resource"}`

func withToken(token string) http.Header {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", token)
	}
	return h
}

func decodeBody(t testing.TB, r result) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, r)
	}
	return m
}

// TestAccessTokenAuthorizer drives a TOKEN authorizer (a real aws-lambda-go
// function) through every outcome of reference §4.1/§4.3.
func TestAccessTokenAuthorizer(t *testing.T) {
	dp := startDataPlane(t, "", functionFlag(t, "auth", "authorizer")...)
	a := dp.newAPI(t, "token-authorizer")
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{
		"identitySource":               "method.request.header.Authorization",
		"identityValidationExpression": "^[a-z:-]+$",
		"authorizerResultTtlInSeconds": 0,
	})
	custom := map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID}
	a.mockWith(t, "/pets", "GET", custom, authorizerTemplate)
	a.mockWith(t, "/pets/{id}", "ANY", custom, authorizerTemplate)
	a.deploy(t, "dev")
	u := a.url("dev", "/pets")
	dp.waitFor(t, u, 401, `{"message":"Unauthorized"}`)

	for _, c := range []struct {
		name, token string
		status      int
		body        string
		errorType   string
	}{
		{"missing token: 401 without invoking", "", 401, `{"message":"Unauthorized"}`, "UnauthorizedException"},
		{"token failing identityValidationExpression", "Bearer 123", 401, `{"message":"Unauthorized"}`, "UnauthorizedException"},
		{"function says Unauthorized", "unauthorized", 401, `{"message":"Unauthorized"}`, "UnauthorizedException"},
		{"explicit deny", "deny", 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException"},
		{"no statement matches", "other", 403, `{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException"},
		{"function error", "error", 500, `{"message": null}`, "AuthorizerConfigurationException"},
		{"output without principalId", "malformed", 500, `{"message": null}`, "AuthorizerConfigurationException"},
		{"object in context", "badcontext", 500, `{"message": null}`, "AuthorizerConfigurationException"},
	} {
		r := dp.do(t, "GET", u, withToken(c.token), nil)
		expect(t, c.name, r, c.status, c.body)
		if got := r.Header.Get("x-amzn-ErrorType"); got != c.errorType {
			t.Errorf("%s: x-amzn-ErrorType %q, want %q", c.name, got, c.errorType)
		}
	}

	// Allowed: principalId and context reach $context.authorizer.*, values
	// as strings; the methodArn has the real verb and path.
	r := dp.do(t, "GET", u, withToken("allow"), nil)
	got := decodeBody(t, r)
	if r.Status != 200 || got["principal"] != "user-1" || got["stringKey"] != "value" || got["numberKey"] != "1" || got["booleanKey"] != "true" {
		t.Fatalf("allowed call: %s", r)
	}
	wantARN := "arn:aws:execute-api:us-east-1:000000000000:" + a.ID + "/dev/GET/pets"
	if got["methodArn"] != wantARN {
		t.Errorf("methodArn %v, want %s", got["methodArn"], wantARN)
	}
	r = dp.do(t, "DELETE", a.url("dev", "/pets/42"), withToken("allow"), nil)
	if m := decodeBody(t, r); r.Status != 200 || m["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+a.ID+"/dev/DELETE/pets/42" {
		t.Errorf("ANY method: the methodArn must carry the real verb and path: %s", r)
	}
	// TTL 0: every call invokes the function.
	n1 := decodeBody(t, dp.do(t, "GET", u, withToken("allow"), nil))["n"]
	n2 := decodeBody(t, dp.do(t, "GET", u, withToken("allow"), nil))["n"]
	if n1 == n2 {
		t.Errorf("with TTL 0 the authorizer must run on every call (n %v, %v)", n1, n2)
	}
}

// TestAccessAuthorizerCache checks the result cache: keyed by the token,
// re-evaluated against each request's ARN, flushed by
// FlushStageAuthorizersCache.
func TestAccessAuthorizerCache(t *testing.T) {
	dp := startDataPlane(t, "", functionFlag(t, "auth", "authorizer")...)
	a := dp.newAPI(t, "authorizer-cache")
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{
		"identitySource": "method.request.header.Authorization",
	}) // default TTL: 300 s
	custom := map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID}
	a.mockWith(t, "/pets", "GET", custom, authorizerTemplate)
	a.mockWith(t, "/toys", "GET", custom, authorizerTemplate)
	a.deploy(t, "dev")
	u := a.url("dev", "/pets")
	dp.waitFor(t, u, 401, `{"message":"Unauthorized"}`)

	first := decodeBody(t, dp.do(t, "GET", u, withToken("allow"), nil))
	second := decodeBody(t, dp.do(t, "GET", u, withToken("allow"), nil))
	if first["n"] == nil || first["n"] != second["n"] {
		t.Fatalf("a cached result must be reused: %v then %v", first, second)
	}
	// The cached policy allowed only GET /pets: GET /toys is denied until
	// the entry expires (reference §4.3's pitfall).
	expect(t, "cached policy against another ARN", dp.do(t, "GET", a.url("dev", "/toys"), withToken("allow"), nil),
		403, `{"Message":"User is not authorized to access this resource"}`)
	// A different token is a different cache entry.
	other := decodeBody(t, dp.do(t, "GET", u, withToken("allow-all"), nil))
	if other["n"] == first["n"] {
		t.Errorf("another token must invoke the authorizer again")
	}
	dp.call(t, "DELETE", "/restapis/"+a.ID+"/stages/dev/cache/authorizers", nil)
	eventually(t, "the flushed cache to invoke the authorizer again", func() error {
		if got := decodeBody(t, dp.do(t, "GET", u, withToken("allow"), nil)); got["n"] == first["n"] {
			return fmt.Errorf("n still %v", got["n"])
		}
		return nil
	})
}

// TestAccessRequestAuthorizer drives a REQUEST authorizer with a header and
// a query string as identity sources.
func TestAccessRequestAuthorizer(t *testing.T) {
	dp := startDataPlane(t, "", functionFlag(t, "auth", "authorizer")...)
	a := dp.newAPI(t, "request-authorizer")
	authID := a.authorizer(t, "req", "REQUEST", "auth", map[string]any{
		"identitySource":               "method.request.header.x-token, method.request.querystring.tenant",
		"authorizerResultTtlInSeconds": 60,
	})
	custom := map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID}
	a.mockWith(t, "/pets/{id}", "GET", custom, authorizerTemplate)
	a.deploy(t, "dev")
	u := a.url("dev", "/pets/7?tenant=t1")
	dp.waitFor(t, a.url("dev", "/pets/7"), 401, `{"message":"Unauthorized"}`)

	h := http.Header{"X-Token": {"allow"}}
	expect(t, "a missing identity source (query) with caching on", dp.do(t, "GET", a.url("dev", "/pets/7"), h, nil), 401, `{"message":"Unauthorized"}`)
	expect(t, "a missing identity source (header)", dp.do(t, "GET", u, nil, nil), 401, `{"message":"Unauthorized"}`)
	r := dp.do(t, "GET", u, h, nil)
	got := decodeBody(t, r)
	if r.Status != 200 || got["principal"] != "user-1" || got["path"] != "/pets/7" || got["resource"] != "/pets/{id}" {
		t.Fatalf("REQUEST authorizer: %s", r)
	}
	expect(t, "deny", dp.do(t, "GET", a.url("dev", "/pets/7?tenant=t2"), http.Header{"X-Token": {"deny"}}, nil),
		403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
}

// TestAccessAuthorizerContextInProxyEvent checks requestContext.authorizer
// in the Lambda proxy event behind a Lambda authorizer.
func TestAccessAuthorizerContextInProxyEvent(t *testing.T) {
	flags := append(functionFlag(t, "auth", "authorizer"), functionFlag(t, "echo", "echo")...)
	dp := startDataPlane(t, "", flags...)
	a := dp.newAPI(t, "authorizer-event")
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization"})
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	dp.call(t, "PATCH", a.methodPath(t, "/echo", "GET"), map[string]any{"patchOperations": []map[string]any{
		replaceOp("/authorizationType", "CUSTOM"), replaceOp("/authorizerId", authID),
	}})
	a.deploy(t, "dev")
	u := a.url("dev", "/echo")
	dp.waitFor(t, u, 401, `{"message":"Unauthorized"}`)
	r := dp.do(t, "GET", u, withToken("allow"), nil)
	if r.Status != 200 {
		t.Fatalf("%s", r)
	}
	ev := decodeBody(t, r)
	rc := ev["requestContext"].(map[string]any)
	auth, _ := rc["authorizer"].(map[string]any)
	if auth == nil || auth["principalId"] != "user-1" || auth["stringKey"] != "value" || auth["numberKey"] != "1" || auth["booleanKey"] != "true" {
		t.Fatalf("requestContext.authorizer = %v", rc["authorizer"])
	}
	if _, ok := auth["integrationLatency"].(float64); !ok {
		t.Errorf("requestContext.authorizer.integrationLatency missing: %v", auth)
	}
	if !strings.Contains(ev["headers"].(map[string]any)["Authorization"].(string), "allow") {
		t.Errorf("the Authorization header must reach the function")
	}
}
