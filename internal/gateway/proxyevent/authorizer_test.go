package proxyevent

import (
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const routeARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/7"

func TestAuthorizerV2Event(t *testing.T) {
	r := baseRequest()
	r.RawQuery = "p=1&p=2"
	r.Headers = hdrs{{"Authorization", "Bearer x"}, {"Cookie", "c=1"}, {"Content-Type", "text/plain"}}
	r.Body = []byte("ignored")
	r.StageVariables = map[string]string{"s": "v"}
	r.Authorizer = &Authorizer{JWT: &JWTAuth{}} // ignored: not authorized yet
	out := AppendAuthorizerV2(nil, r, routeARN, []string{"Bearer x", "1"})
	m := decode(t, out)
	for path, want := range map[string]any{
		"version":                          "2.0",
		"type":                             "REQUEST",
		"routeArn":                         routeARN,
		"identitySource":                   []any{"Bearer x", "1"},
		"routeKey":                         "GET /pets/{id}",
		"rawPath":                          "/dev/pets/7",
		"rawQueryString":                   "p=1&p=2",
		"cookies":                          []any{"c=1"},
		"headers.authorization":            "Bearer x",
		"queryStringParameters":            map[string]any{"p": "1,2"},
		"pathParameters":                   map[string]any{"id": "7"},
		"stageVariables":                   map[string]any{"s": "v"},
		"requestContext.http.method":       "GET",
		"requestContext.requestId":         "JKJaXmPLvHcESHA=",
		"requestContext.routeKey":          "GET /pets/{id}",
		"requestContext.stage":             "dev",
		"requestContext.timeEpoch":         float64(1583348638390),
		"requestContext.http.sourceIp":     "192.0.2.1",
		"requestContext.domainPrefix":      "abc123",
		"requestContext.accountId":         "123456789012",
		"requestContext.apiId":             "abc123",
		"requestContext.http.userAgent":    "",
		"requestContext.http.protocol":     "HTTP/1.1",
		"requestContext.time":              "04/Mar/2020:19:03:58 +0000",
		"requestContext.http.path":         "/dev/pets/7",
		"headers.content-length":           "7",
		"requestContext.domainName":        "abc123.execute-api.us-east-1.amazonaws.com",
		"headers.x-forwarded-for":          "192.0.2.1",
		"headers.content-type":             "text/plain",
		"headers.x-forwarded-proto":        "https",
		"headers.x-forwarded-port":         "443",
		"headers.x-amzn-trace-id":          "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
		"requestContext.authorizer":        nil, // checked absent below
		"body":                             nil,
		"isBase64Encoded":                  nil,
		"requestContext.authentication":    nil,
		"requestContext.http.nonexistent":  nil,
		"requestContext.operationName":     nil,
		"requestContext.extendedRequestId": nil,
	} {
		got, ok := at(m, path)
		if want == nil {
			if ok {
				t.Errorf("%s present (%v), want absent", path, got)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	var ev events.APIGatewayV2CustomAuthorizerV2Request
	strict(t, out, &ev)
	if ev.RouteArn != routeARN || len(ev.IdentitySource) != 2 || ev.RequestContext.Authorizer != nil {
		t.Fatalf("aws-lambda-go view: %+v", ev)
	}
	if m := decode(t, AppendAuthorizerV2(nil, r, routeARN, nil)); !reflect.DeepEqual(m["identitySource"], []any{}) {
		t.Errorf("identitySource without sources = %#v, want []", m["identitySource"])
	}
}

// TestAuthorizerV2ShapeOfTestdata: the members of the documented 2.0
// authorizer event (aws-lambda-go testdata) are the members we send.
func TestAuthorizerV2ShapeOfTestdata(t *testing.T) {
	want := decode(t, testdata(t, "apigw-v2-custom-authorizer-v2-request.json"))
	r := baseRequest()
	r.RawQuery = "parameter1=value1"
	r.Headers = hdrs{{"Cookie", "cookie1"}, {"Header1", "value1"}}
	r.StageVariables = map[string]string{"stageVariable1": "value1"}
	r.ClientCert = &ClientCert{}
	got := decode(t, AppendAuthorizerV2(nil, r, routeARN, []string{"user1"}))
	data := map[string]bool{"headers": true, "queryStringParameters": true, "pathParameters": true, "stageVariables": true}
	gk, wk := map[string]bool{}, map[string]bool{}
	keyPaths(got, "", data, gk)
	keyPaths(want, "", data, wk)
	if !reflect.DeepEqual(gk, wk) {
		t.Fatalf("members differ\n got: %v\nwant: %v", sortedKeys(gk), sortedKeys(wk))
	}
}

func TestAuthorizerV1Event(t *testing.T) {
	r := baseRequest()
	r.RawQuery = "QueryString1=queryValue1"
	r.Headers = hdrs{{"HeaderAuth1", "headerValue1"}, {"User-Agent", "ua"}}
	r.StageVariables = map[string]string{"StageVar1": "stageValue1"}
	r.ClientCert = &ClientCert{SerialNumber: "a1"}
	out := AppendAuthorizerV1(nil, r, routeARN, []string{"user1", `1"23`})
	var ev events.APIGatewayV2CustomAuthorizerV1Request
	if err := jsonUnmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "1.0" || ev.Type != "REQUEST" || ev.MethodArn != routeARN ||
		ev.IdentitySource != `user1,1"23` || ev.AuthorizationToken != `user1,1"23` ||
		ev.Resource != "/pets/{id}" || ev.Path != "/dev/pets/7" || ev.HTTPMethod != "GET" ||
		ev.Headers["HeaderAuth1"] != "headerValue1" || ev.QueryStringParameters["QueryString1"] != "queryValue1" ||
		ev.PathParameters["id"] != "7" || ev.StageVariables["StageVar1"] != "stageValue1" ||
		ev.RequestContext.Path != "/dev/pets/7" || ev.RequestContext.ResourcePath != "/pets/{id}" ||
		ev.RequestContext.Stage != "dev" || ev.RequestContext.APIID != "abc123" ||
		ev.RequestContext.Identity.SourceIP != "192.0.2.1" || ev.RequestContext.Identity.ClientCert.SerialNumber != "a1" ||
		ev.RequestContext.HTTPMethod != "GET" || ev.RequestContext.AccountID != "123456789012" {
		t.Fatalf("event: %+v", ev)
	}
	m := decode(t, out)
	if _, ok := at(m, "requestContext.authorizer"); ok {
		t.Error("requestContext.authorizer present in an authorizer event")
	}
	// Every member of the documented example is there.
	want := decode(t, testdata(t, "apigw-v2-custom-authorizer-v1-request.json"))
	data := map[string]bool{"headers": true, "queryStringParameters": true, "pathParameters": true, "stageVariables": true}
	gk, wk := map[string]bool{}, map[string]bool{}
	keyPaths(m, "", data, gk)
	keyPaths(want, "", data, wk)
	for k := range wk {
		if !gk[k] && k != "requestContext.identity.apiKey" { // HTTP APIs have no API keys
			t.Errorf("member %s of the documented event missing", k)
		}
	}
	if m := decode(t, AppendAuthorizerV1(nil, r, routeARN, nil)); m["identitySource"] != "" || m["authorizationToken"] != "" {
		t.Errorf("empty identity: %v %v", m["identitySource"], m["authorizationToken"])
	}
}

func TestDecodeSimpleResponse(t *testing.T) {
	for _, tc := range []struct {
		in       string
		ok, auth bool
		ctx      string
	}{
		{`{"isAuthorized":true}`, true, true, "null"},
		{`{"isAuthorized":false,"context":{"a":1}}`, true, false, `{"a":1}`},
		{`{"isAuthorized":true,"context":{"s":"x","n":1.5,"b":false,"o":{"k":"v"},"l":[1]}}`, true, true,
			`{"s":"x","n":1.5,"b":false,"o":{"k":"v"},"l":[1]}`},
		{`{"isAuthorized":true,"context":null}`, true, true, "null"},
		{`{"isAuthorized":"true"}`, false, false, ""},
		{`{"context":{}}`, false, false, ""},
		{`{"isAuthorized":null}`, false, false, ""},
		{`{"isAuthorized":true,"context":[]}`, false, false, ""},
		{`{"isAuthorized":true,"context":{"claims":"x"}}`, false, false, ""},
		{`true`, false, false, ""},
		{`not json`, false, false, ""},
		{``, false, false, ""},
	} {
		res, err := DecodeSimpleResponse([]byte(tc.in))
		if tc.ok != (err == nil) {
			t.Errorf("%s: err = %v", tc.in, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedAuthorizerResponse) {
				t.Errorf("%s: %v does not wrap ErrMalformedAuthorizerResponse", tc.in, err)
			}
			continue
		}
		if res.Authorized != tc.auth || string(res.Context.AppendJSON(nil)) != tc.ctx {
			t.Errorf("%s: got %v %s", tc.in, res.Authorized, res.Context.AppendJSON(nil))
		}
	}
}

func TestDecodePolicyResponse(t *testing.T) {
	allow := func(res string) string {
		return `{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + res + `"}]}`
	}
	for _, tc := range []struct {
		name, in  string
		ok        bool
		principal string
		allows    map[string]bool
	}{
		{"allow exact", `{"principalId":"u","policyDocument":` + allow(routeARN) + `}`, true, "u",
			map[string]bool{routeARN: true, routeARN + "/x": false}},
		{"allow wildcard", `{"principalId":"u","policyDocument":` + allow("arn:aws:execute-api:us-east-1:123456789012:abc123/*") + `,"context":{"k":"v"}}`,
			true, "u", map[string]bool{routeARN: true, "arn:aws:execute-api:us-east-1:123456789012:other/dev/GET/": false}},
		{"deny beats allow", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
			`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},` +
			`{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"` + routeARN + `"}]}}`, true, "u",
			map[string]bool{routeARN: false, routeARN + "x": true}},
		{"other action", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
			`{"Action":"execute-api:ManageConnections","Effect":"Allow","Resource":"*"}]}}`, true, "u",
			map[string]bool{routeARN: false}},
		{"document as a string", `{"principalId":"u","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":\"execute-api:Invoke\",\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"}`,
			true, "u", map[string]bool{routeARN: true}},
		{"numeric principal", `{"principalId":42,"policyDocument":` + allow("*") + `}`, true, "42", nil},
		{"no principal", `{"policyDocument":` + allow("*") + `}`, false, "", nil},
		{"no policy", `{"principalId":"u"}`, false, "", nil},
		{"invalid policy", `{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Maybe"}]}}`, false, "", nil},
		{"policy not an object", `{"principalId":"u","policyDocument":[1]}`, false, "", nil},
		{"principal not a string", `{"principalId":{},"policyDocument":` + allow("*") + `}`, false, "", nil},
		{"bad context", `{"principalId":"u","policyDocument":` + allow("*") + `,"context":"x"}`, false, "", nil},
		{"not an object", `[]`, false, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := DecodePolicyResponse([]byte(tc.in))
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if !errors.Is(err, ErrMalformedAuthorizerResponse) {
					t.Fatalf("%v does not wrap ErrMalformedAuthorizerResponse", err)
				}
				return
			}
			if res.PrincipalID != tc.principal {
				t.Errorf("principalId = %q", res.PrincipalID)
			}
			for arn, want := range tc.allows {
				if got := res.Allows(arn); got != want {
					t.Errorf("Allows(%s) = %v, want %v", arn, got, want)
				}
			}
		})
	}
}

func TestIsUnauthorizedError(t *testing.T) {
	for in, want := range map[string]bool{
		`{"errorMessage":"Unauthorized","errorType":"Error"}`: true,
		`{"errorMessage":"unauthorized"}`:                     false,
		`{"errorMessage":"Forbidden"}`:                        false,
		`{}`:                                                  false,
		`not json`:                                            false,
	} {
		if got := IsUnauthorizedError([]byte(in)); got != want {
			t.Errorf("IsUnauthorizedError(%s) = %v", in, got)
		}
	}
}

func TestContext(t *testing.T) {
	c, err := NewContext([]byte(`{"s":"a\"b","n":1,"b":true,"z":null,"o":{"x":[1,2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"s": `a"b`, "n": "1", "b": "true", "z": "null", "o": `{"x":[1,2]}`} {
		if got, ok := c.Text(key); !ok || got != want {
			t.Errorf("Text(%s) = %q %v, want %q", key, got, ok, want)
		}
	}
	if _, ok := c.Text("missing"); ok {
		t.Error("missing key found")
	}
	if v, ok := c.Lookup("s"); !ok || string(v) != `"a\"b"` {
		t.Errorf("Lookup(s) = %s", v)
	}
	if c.Len() != 5 {
		t.Errorf("Len = %d", c.Len())
	}
	var nilCtx *Context
	if nilCtx.Len() != 0 || string(nilCtx.AppendJSON(nil)) != "null" {
		t.Error("nil context")
	}
	if _, ok := nilCtx.Lookup("x"); ok {
		t.Error("nil context lookup")
	}
	for _, bad := range []string{`[]`, `"x"`, `{`} {
		if _, err := NewContext([]byte(bad)); !errors.Is(err, ErrContext) {
			t.Errorf("NewContext(%s) err = %v", bad, err)
		}
	}
}
