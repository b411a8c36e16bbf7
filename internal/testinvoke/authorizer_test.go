package testinvoke_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/rest/access"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/testinvoke"
)

// authFn is a TOKEN authorizer: "allow" is allowed, "deny" denied,
// "bad" answers nonsense, anything else is Unauthorized. It counts its
// calls and keeps the last event.
type authFn struct {
	calls atomic.Int64
	last  atomic.Value
}

func (f *authFn) Invoke(_ context.Context, fn string, payload []byte) (invoker.Result, error) {
	f.calls.Add(1)
	f.last.Store(string(payload))
	var ev struct {
		Token     string `json:"authorizationToken"`
		MethodArn string `json:"methodArn"`
		Headers   map[string]string
	}
	_ = json.Unmarshal(payload, &ev)
	tok := ev.Token
	if tok == "" {
		tok = ev.Headers["Hash"]
	}
	effect := "Allow"
	switch tok {
	case "deny":
		effect = "Deny"
	case "bad":
		return invoker.Result{Payload: []byte(`{"nope":1}`)}, nil
	case "allow", "allow-request":
	default:
		return invoker.Result{Payload: []byte(`{"errorMessage":"Unauthorized"}`), FunctionError: "Unhandled"}, nil
	}
	out, _ := json.Marshal(map[string]any{
		"principalId": "user-123456789",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": ev.MethodArn}}},
		"context": map[string]any{"n": 7, "who": "bars"},
	})
	return invoker.Result{Payload: out}, nil
}

// TestInvokeAuthorizerOutcomes: TestInvokeAuthorizer calls a Lambda
// authorizer of an undeployed API every time (no cache) and answers the
// client status, principal, policy, context and the log for allow, deny,
// unauthorized and misbehaving authorizers.
func TestInvokeAuthorizerOutcomes(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	fn := &authFn{}
	c := &deploy.Compiler{Lambda: fn, Access: &access.Compiler{Region: "us-east-1", AccountID: "111111111111", Lambda: fn}}
	tester := &testinvoke.Tester{Watcher: &deploy.Watcher{Store: st, Compiler: c}}
	api := apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "111111111111", Tester: tester})
	s := &server{t: t, h: mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}})}

	apiID := s.ok("POST", "/restapis", map[string]any{"name": "bars"})["id"].(string)
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:auth/invocations"
	tok := s.ok("POST", "/restapis/"+apiID+"/authorizers", map[string]any{"name": "tok", "type": "TOKEN", "authorizerUri": uri,
		"identitySource": "method.request.header.Authorization"})["id"].(string)
	req := s.ok("POST", "/restapis/"+apiID+"/authorizers", map[string]any{"name": "req", "type": "REQUEST", "authorizerUri": uri,
		"identitySource": "method.request.header.Hash", "authorizerResultTtlInSeconds": 0})["id"].(string)

	invoke := func(id string, in map[string]any) map[string]any {
		t.Helper()
		return s.ok("POST", "/restapis/"+apiID+"/authorizers/"+id, in)
	}
	out := invoke(tok, map[string]any{"headers": map[string]string{"Authorization": "allow"}, "pathWithQueryString": "/bars/1"})
	if out["clientStatus"] != 200.0 || out["principalId"] != "user-123456789" ||
		!reflect.DeepEqual(out["authorization"], map[string]any{"n": []any{"7"}, "who": []any{"bars"}}) {
		t.Errorf("allow: %v", out)
	}
	var pol struct {
		Statement []struct{ Effect, Resource string }
	}
	if err := json.Unmarshal([]byte(out["policy"].(string)), &pol); err != nil || len(pol.Statement) != 1 ||
		pol.Statement[0].Resource != "arn:aws:execute-api:us-east-1:111111111111:"+apiID+"/test-invoke-stage/GET/bars/1" {
		t.Errorf("allow: policy %v (%v)", out["policy"], err)
	}
	log := out["log"].(string)
	for _, want := range []string{
		"Execution log for request ",
		" : Starting authorizer: " + tok + " for request: ",
		" : Incoming identity: *****\n", // no more than 6 characters: all masked
		" : Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:auth/invocations\n",
		` : Endpoint request body after transformations: {"type":"TOKEN","authorizationToken":"allow"`,
		" : Authorizer result body before parsing: {",
		" : Using valid authorizer policy for principal: ********456789\n",
		" : Successfully completed authorizer execution\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("allow: log has no %q:\n%s", want, log)
		}
	}
	if _, ok := out["latency"].(float64); !ok {
		t.Errorf("latency %v", out["latency"])
	}
	// No cache: a second call invokes the function again.
	before := fn.calls.Load()
	invoke(tok, map[string]any{"headers": map[string]string{"Authorization": "allow"}})
	if fn.calls.Load() != before+1 {
		t.Errorf("a second test invocation did not call the authorizer")
	}
	if out := invoke(tok, map[string]any{"headers": map[string]string{"Authorization": "deny"}}); out["clientStatus"] != 403.0 {
		t.Errorf("deny: %v", out)
	}
	out = invoke(tok, map[string]any{"headers": map[string]string{"Authorization": "who"}})
	if out["clientStatus"] != 401.0 || !strings.HasSuffix(out["log"].(string), " : Unauthorized\n") || out["principalId"] != nil {
		t.Errorf("unauthorized: %v", out)
	}
	out = invoke(tok, map[string]any{})
	if out["clientStatus"] != 401.0 || strings.Contains(out["log"].(string), "Endpoint request URI") {
		t.Errorf("no token: %v", out)
	}
	out = invoke(tok, map[string]any{"headers": map[string]string{"Authorization": "bad"}})
	if out["clientStatus"] != 500.0 || !strings.HasSuffix(out["log"].(string), " : AuthorizerConfigurationException\n") ||
		!strings.Contains(out["log"].(string), `Execution failed due to configuration error: Invalid JSON in response: {"nope":1}`) {
		t.Errorf("bad output: %v", out)
	}
	// REQUEST: identity from the headers, path and query from pathWithQueryString.
	out = invoke(req, map[string]any{"multiValueHeaders": map[string][]string{"Hash": {"allow-request"}}, "pathWithQueryString": "/bars?x=1",
		"stageVariables": map[string]string{"v": "1"}})
	if out["clientStatus"] != 200.0 || !strings.Contains(out["log"].(string), "Incoming identity: {method.request.header.Hash=*******equest}") {
		t.Errorf("request: %v", out)
	}
	var ev struct {
		Type, Resource, Path, HTTPMethod string
		QueryStringParameters            map[string]string
		StageVariables                   map[string]string
		RequestContext                   struct{ Stage, ResourceID string }
	}
	_ = json.Unmarshal([]byte(fn.last.Load().(string)), &ev)
	if ev.Type != "REQUEST" || ev.Path != "/bars" || ev.Resource != "/bars" || ev.HTTPMethod != "GET" || ev.QueryStringParameters["x"] != "1" ||
		ev.StageVariables["v"] != "1" || ev.RequestContext.Stage != "test-invoke-stage" {
		t.Errorf("request event: %s", fn.last.Load())
	}
	// additionalContext feeds context.* identity sources.
	ctxAuth := s.ok("POST", "/restapis/"+apiID+"/authorizers", map[string]any{"name": "ctx", "type": "REQUEST", "authorizerUri": uri,
		"identitySource": "context.tenant", "authorizerResultTtlInSeconds": 0})["id"].(string)
	out = invoke(ctxAuth, map[string]any{"additionalContext": map[string]string{"tenant": "acme"}})
	if !strings.Contains(out["log"].(string), "Incoming identity: {context.tenant=****}") {
		t.Errorf("additionalContext: %v", out)
	}
	// Unknown authorizer.
	code, got := s.call("POST", "/restapis/"+apiID+"/authorizers/nope", map[string]any{})
	if code != 404 || got["message"] != "Invalid Authorizer identifier specified" {
		t.Errorf("unknown authorizer: %d %v", code, got)
	}
}
