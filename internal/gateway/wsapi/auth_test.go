package wsapi_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

func policyAnswer(effect string, ctx map[string]any) map[string]any {
	return map[string]any{"principalId": "user-7", "context": ctx, "policyDocument": map[string]any{
		"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect,
			"Resource": "arn:aws:execute-api:us-east-1:000000000000:" + apiID + "/prod/$connect"}}}}
}

// TestLambdaAuthorizer: $connect's REQUEST authorizer runs before its
// integration; a missing identity source is 401 without invoking it, a
// Deny 403, "Unauthorized" 401; an Allow's principal and context reach
// every event of the connection, as strings [D][C].
func TestLambdaAuthorizer(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	snap := snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "$default": "default"},
		lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("default"))
	snap.Authorizers = []modelv2.Authorizer{{AuthorizerID: "auth01", Name: "a", AuthorizerType: modelv2.AuthorizerRequest,
		AuthorizerURI:                modelv2.Ptr("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"),
		IdentitySource:               []string{"route.request.querystring.token"},
		AuthorizerResultTTLInSeconds: modelv2.Ptr(int64(0))}}
	for i := range snap.Routes {
		if snap.Routes[i].RouteKey == "$connect" {
			snap.Routes[i].AuthorizationType = modelv2.AuthCustom
			snap.Routes[i].AuthorizerID = modelv2.Ptr("auth01")
		}
	}
	g.deploy(t, snap, nil)
	fl.on("auth", func(ev map[string]any) (any, string) {
		switch get(ev, "queryStringParameters.token") {
		case "deny":
			return policyAnswer("Deny", nil), ""
		case "bad":
			return nil, "Unauthorized"
		}
		return policyAnswer("Allow", map[string]any{"team": "blue", "level": 3, "admin": true}), ""
	})
	if _, resp, _ := g.dial(t, g.url(), nil); resp == nil || resp.StatusCode != 401 {
		t.Fatalf("no token: %v", resp)
	}
	for token, status := range map[string]int{"deny": 403, "bad": 401} {
		if _, resp, _ := g.dial(t, g.url()+"?token="+token, nil); resp == nil || resp.StatusCode != status {
			t.Fatalf("token %s: %v, want %d", token, resp, status)
		}
		ev := fl.next(t, "auth")
		if ev["type"] != "REQUEST" || ev["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+apiID+"/prod/$connect" ||
			get(ev, "requestContext.eventType") != "CONNECT" {
			t.Fatalf("authorizer event: %v", ev)
		}
	}
	c, _, err := g.dial(t, g.url()+"?token=good", nil)
	if err != nil {
		t.Fatal(err)
	}
	fl.next(t, "auth")
	check := func(what string, ev map[string]any) {
		t.Helper()
		a, _ := get(ev, "requestContext.authorizer").(map[string]any)
		if a["principalId"] != "user-7" || a["team"] != "blue" || a["level"] != "3" || a["admin"] != "true" {
			t.Errorf("%s authorizer: %v", what, a)
		}
	}
	check("CONNECT", fl.next(t, "connect"))
	write(t, c, "hi")
	check("MESSAGE", fl.next(t, "default"))
	c.CloseNow()
	check("DISCONNECT", fl.next(t, "disconnect"))
}
