package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// apiKey creates an API key (enabled as given) and returns its id and value.
func (dp *dataPlane) apiKey(t testing.TB, name string, enabled bool) (string, string) {
	t.Helper()
	out := dp.call(t, "POST", "/apikeys", map[string]any{"name": name, "enabled": enabled})
	return out["id"].(string), out["value"].(string)
}

// usagePlan creates a usage plan bound to the API stages ("apiId:stage")
// holding the keys.
func (dp *dataPlane) usagePlan(t testing.TB, name string, stages []string, keys ...string) string {
	t.Helper()
	var apiStages []map[string]any
	for _, s := range stages {
		api, stage, _ := strings.Cut(s, ":")
		apiStages = append(apiStages, map[string]any{"apiId": api, "stage": stage})
	}
	out := dp.call(t, "POST", "/usageplans", map[string]any{"name": name, "apiStages": apiStages})
	id := out["id"].(string)
	for _, k := range keys {
		dp.call(t, "POST", "/usageplans/"+id+"/keys", map[string]any{"keyId": k, "keyType": "API_KEY"})
	}
	return id
}

func withKey(v string) http.Header { return http.Header{"X-Api-Key": {v}} }

// TestAccessAPIKeys checks apiKeyRequired methods: the key must be enabled
// and in a usage plan bound to the stage, else 403 Forbidden.
func TestAccessAPIKeys(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "api-keys")
	a.mockWith(t, "/pets", "GET", map[string]any{"apiKeyRequired": true}, `{"keyId":"$context.identity.apiKeyId"}`)
	a.deploy(t, "dev")
	a.deploy(t, "prod")
	u := a.url("dev", "/pets")
	dp.waitFor(t, u, 403, `{"message":"Forbidden"}`)
	r := dp.do(t, "GET", u, nil, nil)
	if r.Header.Get("x-amzn-ErrorType") != "ForbiddenException" {
		t.Errorf("no key: x-amzn-ErrorType %q", r.Header.Get("x-amzn-ErrorType"))
	}
	expect(t, "an unknown key", dp.do(t, "GET", u, withKey("no-such-key-value-0000000000"), nil), 403, `{"message":"Forbidden"}`)

	id, value := dp.apiKey(t, "k1", false)
	if len(value) != 40 {
		t.Errorf("generated key value %q: want 40 characters", value)
	}
	plan := dp.usagePlan(t, "p1", []string{a.ID + ":dev"}, id)
	time.Sleep(50 * time.Millisecond)
	expect(t, "a disabled key", dp.do(t, "GET", u, withKey(value), nil), 403, `{"message":"Forbidden"}`)

	dp.call(t, "PATCH", "/apikeys/"+id, map[string]any{"patchOperations": []map[string]any{replaceOp("/enabled", "true")}})
	eventually(t, "the enabled key", func() error {
		if r := dp.do(t, "GET", u, withKey(value), nil); r.Status != 200 || r.Body != `{"keyId":"`+id+`"}` {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	expect(t, "a stage the plan is not bound to", dp.do(t, "GET", a.url("prod", "/pets"), withKey(value), nil), 403, `{"message":"Forbidden"}`)

	// Removing the key from the plan revokes it.
	dp.call(t, "DELETE", "/usageplans/"+plan+"/keys/"+id, nil)
	dp.waitFor(t, u, 403, `{"message":"Forbidden"}`)
	eventually(t, "the key removed from its plan", func() error {
		if r := dp.do(t, "GET", u, withKey(value), nil); r.Status != 403 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}

// TestAccessAPIKeyFromAuthorizer checks apiKeySource AUTHORIZER: the key is
// the Lambda authorizer's usageIdentifierKey.
func TestAccessAPIKeyFromAuthorizer(t *testing.T) {
	flags := append(functionFlag(t, "auth", "authorizer"), functionFlag(t, "echo", "echo")...)
	dp := startDataPlane(t, "", flags...)
	a := dp.newAPIWith(t, map[string]any{"name": "key-from-authorizer", "apiKeySource": "AUTHORIZER"})
	authID := a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization"})
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	dp.call(t, "PATCH", a.methodPath(t, "/echo", "GET"), map[string]any{"patchOperations": []map[string]any{
		replaceOp("/authorizationType", "CUSTOM"), replaceOp("/authorizerId", authID), replaceOp("/apiKeyRequired", "true"),
	}})
	a.deploy(t, "dev")
	id, value := dp.apiKey(t, "k", true)
	dp.usagePlan(t, "p", []string{a.ID + ":dev"}, id)
	u := a.url("dev", "/echo")
	dp.waitFor(t, u, 401, `{"message":"Unauthorized"}`)

	expect(t, "an authorizer returning no key", dp.do(t, "GET", u, withToken("allow"), nil), 403, `{"message":"Forbidden"}`)
	eventually(t, "the authorizer's key", func() error {
		r := dp.do(t, "GET", u, withToken("allow-key:"+value), nil)
		if r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		ident := decodeBody(t, r)["requestContext"].(map[string]any)["identity"].(map[string]any)
		if ident["apiKey"] != value || ident["apiKeyId"] != id {
			return fmt.Errorf("requestContext.identity = %v", ident)
		}
		return nil
	})
	// An x-api-key header is ignored when the source is AUTHORIZER.
	expect(t, "x-api-key with source AUTHORIZER", dp.do(t, "GET", u, http.Header{"Authorization": {"allow"}, "X-Api-Key": {value}}, nil),
		403, `{"message":"Forbidden"}`)
}
