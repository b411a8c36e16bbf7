package proxyevent

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestV1(t *testing.T) {
	r := baseRequest()
	r.Method = "POST"
	r.RawQuery = "a=1&a=2&b=%20"
	r.Headers = hdrs{{"host", "abc123.execute-api.us-east-1.amazonaws.com"}, {"user-agent", "curl/8"},
		{"X-Multi", "1"}, {"X-Multi", "2"}, {"cookie", "a=1; b=2"}, {"Content-Type", "application/json"},
		{"Content-Length", "7"}, {"Connection", "close"}}
	r.Body = []byte(`{"x":1}`)
	out := AppendV1(nil, r)
	m := decode(t, out)
	want := map[string]any{
		"version":    "1.0",
		"resource":   "/pets/{id}",
		"path":       "/dev/pets/7",
		"httpMethod": "POST",
		"headers": map[string]any{"Host": "abc123.execute-api.us-east-1.amazonaws.com", "User-Agent": "curl/8",
			"X-Multi": "2", "cookie": "a=1; b=2", "Content-Type": "application/json", "Content-Length": "7",
			"X-Forwarded-For": "192.0.2.1", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https",
			"X-Amzn-Trace-Id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"},
		"multiValueHeaders": map[string]any{"Host": []any{"abc123.execute-api.us-east-1.amazonaws.com"},
			"User-Agent": []any{"curl/8"}, "X-Multi": []any{"1", "2"}, "cookie": []any{"a=1; b=2"},
			"Content-Type": []any{"application/json"}, "Content-Length": []any{"7"},
			"X-Forwarded-For": []any{"192.0.2.1"}, "X-Forwarded-Port": []any{"443"},
			"X-Forwarded-Proto": []any{"https"}, "X-Amzn-Trace-Id": []any{"Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"}},
		"queryStringParameters":           map[string]any{"a": "2", "b": " "},
		"multiValueQueryStringParameters": map[string]any{"a": []any{"1", "2"}, "b": []any{" "}},
		"requestContext": map[string]any{
			"accountId":         "123456789012",
			"apiId":             "abc123",
			"authorizer":        map[string]any{"claims": nil, "scopes": nil},
			"domainName":        "abc123.execute-api.us-east-1.amazonaws.com",
			"domainPrefix":      "abc123",
			"extendedRequestId": "JKJaXmPLvHcESHA=",
			"httpMethod":        "POST",
			"identity": map[string]any{"accessKey": nil, "accountId": nil, "caller": nil,
				"cognitoAuthenticationProvider": nil, "cognitoAuthenticationType": nil, "cognitoIdentityId": nil,
				"cognitoIdentityPoolId": nil, "principalOrgId": nil, "sourceIp": "192.0.2.1", "user": nil,
				"userAgent": "curl/8", "userArn": nil},
			"path":             "/dev/pets/7",
			"protocol":         "HTTP/1.1",
			"requestId":        "JKJaXmPLvHcESHA=",
			"requestTime":      "04/Mar/2020:19:03:58 +0000",
			"requestTimeEpoch": float64(1583348638390),
			"resourceId":       nil,
			"resourcePath":     "/pets/{id}",
			"stage":            "dev",
		},
		"pathParameters":  map[string]any{"id": "7"},
		"stageVariables":  nil,
		"body":            `{"x":1}`,
		"isBase64Encoded": false,
	}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("event\n got: %v\nwant: %v", m, want)
	}
	var ev events.APIGatewayProxyRequest
	if err := jsonUnmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Resource != "/pets/{id}" || ev.Path != "/dev/pets/7" || ev.MultiValueHeaders["X-Multi"][1] != "2" ||
		ev.RequestContext.ResourcePath != "/pets/{id}" || ev.RequestContext.Identity.SourceIP != "192.0.2.1" ||
		ev.RequestContext.Authorizer["claims"] != nil || ev.Body != `{"x":1}` {
		t.Fatalf("aws-lambda-go view: %+v", ev)
	}
}

func TestV1Variants(t *testing.T) {
	absent := struct{}{}
	ctx, _ := NewContext([]byte(`{"tenant":"acme","n":2,"principalId":"ignored"}`))
	for _, tc := range []struct {
		name   string
		mod    func(r *Request)
		checks map[string]any
	}{
		{"default route, no query, no params, no body", func(r *Request) {
			r.RouteKey, r.PathParams, r.Stage, r.RawPath = "$default", nil, "$default", "/"
		}, map[string]any{
			"resource": "$default", "requestContext.resourcePath": "$default", "path": "/",
			"queryStringParameters": nil, "multiValueQueryStringParameters": nil, "pathParameters": nil,
			"stageVariables": nil, "body": nil, "isBase64Encoded": false, "requestContext.stage": "$default",
			"requestContext.operationName": absent,
		}},
		{"jwt claims", func(r *Request) {
			r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: map[string]string{"sub": "u", "exp": "1612061676"}}}
		}, map[string]any{"requestContext.authorizer": map[string]any{
			"claims": map[string]any{"sub": "u", "exp": "1612061676"}, "scopes": nil}}},
		{"jwt scopes", func(r *Request) {
			r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: map[string]string{}, Scopes: []string{"a"}}}
		}, map[string]any{"requestContext.authorizer.scopes": []any{"a"}}},
		{"lambda context", func(r *Request) {
			r.Authorizer = &Authorizer{Lambda: &LambdaAuth{PrincipalID: "user", Context: ctx, Latency: 42 * time.Millisecond}}
		}, map[string]any{"requestContext.authorizer": map[string]any{
			"principalId": "user", "integrationLatency": float64(42), "tenant": "acme", "n": float64(2)}}},
		{"iam identity", func(r *Request) {
			r.Authorizer = &Authorizer{IAM: &IAMAuth{AccessKey: "AKIA", AccountID: "111122223333", CallerID: "AIDA:s",
				UserARN: "arn:aws:sts::111122223333:assumed-role/R/s", UserID: "AIDA:s",
				CognitoIdentity: &CognitoIdentity{IdentityID: "id", IdentityPoolID: "pool"}}}
		}, map[string]any{
			"requestContext.authorizer":                     map[string]any{"claims": nil, "scopes": nil},
			"requestContext.identity.accessKey":             "AKIA",
			"requestContext.identity.accountId":             "111122223333",
			"requestContext.identity.caller":                "AIDA:s",
			"requestContext.identity.user":                  "AIDA:s",
			"requestContext.identity.userArn":               "arn:aws:sts::111122223333:assumed-role/R/s",
			"requestContext.identity.cognitoIdentityId":     "id",
			"requestContext.identity.cognitoIdentityPoolId": "pool",
		}},
		{"client certificate in identity", func(r *Request) {
			r.ClientCert = &ClientCert{SerialNumber: "1"}
		}, map[string]any{"requestContext.identity.clientCert.serialNumber": "1"}},
		{"binary body", func(r *Request) { r.Body = []byte{0, 1} }, map[string]any{"body": "AAE=", "isBase64Encoded": true}},
		{"stage variables", func(r *Request) { r.StageVariables = map[string]string{"a": "b"} }, map[string]any{
			"stageVariables": map[string]any{"a": "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRequest()
			tc.mod(r)
			out := AppendV1(nil, r)
			m := decode(t, out)
			for path, want := range tc.checks {
				got, ok := at(m, path)
				if want == absent {
					if ok {
						t.Errorf("%s present", path)
					}
					continue
				}
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v (present %v), want %#v", path, got, ok, want)
				}
			}
			var ev events.APIGatewayProxyRequest
			if err := jsonUnmarshal(out, &ev); err != nil {
				t.Fatal(err)
			}
		})
	}
}
