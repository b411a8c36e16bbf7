package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// proxyEvent sends a request to the gateway's plain-HTTP listener with the
// API's host name (so that the path after the host is exactly rawPath),
// headers with their casing as given, and decodes the event the echo
// function answers with.
func (a *restAPI) proxyEvent(t *testing.T, method, rawPath string, header map[string]string, body string) map[string]any {
	t.Helper()
	r := a.rawSend(t, method, rawPath, header, body)
	if r.Status != 200 {
		t.Fatalf("%s %s: %s", method, rawPath, r)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.Body), &ev); err != nil {
		t.Fatalf("%s %s: the echo is not JSON: %v\n%s", method, rawPath, err, r.Body)
	}
	return ev
}

// rawSend issues a request to the API by host name; header keys keep their
// casing (Go would canonicalise them through Header.Set).
func (a *restAPI) rawSend(t *testing.T, method, rawPath string, header map[string]string, body string) result {
	t.Helper()
	if strings.HasPrefix(rawPath, "//") {
		// Go's client would send "//x" as the absolute URL "http://x".
		return a.rawConnSend(t, method, rawPath, header, body)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.dp.HTTP+"/", rd)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = rawPath // sent verbatim: double slashes, %2B…
	req.Host = a.ID + ".execute-api.localhost"
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	res, err := a.dp.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawPath, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// rawConnSend writes the request line itself on a new connection.
func (a *restAPI) rawConnSend(t *testing.T, method, rawPath string, header map[string]string, body string) result {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s.execute-api.localhost\r\nConnection: close\r\nContent-Length: %d\r\n", method, rawPath, a.ID, len(body))
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n" + body)
	raw := rawRequest(t, hostOf(a.dp.HTTP), b.String(), 10*time.Second)
	res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, rawPath, err, raw)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(out)}
}

func jsonEq(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestLambdaProxyEvent: the payload 1.0 event an AWS_PROXY integration
// hands a real aws-lambda-go function matches, member by member, the events
// AWS built for the same requests (test_lambda_aws_proxy_integration in
// test_apigateway_lambda.snapshot.json), for a function registered with
// --function and for one created through CreateFunction.
func TestLambdaProxyEvent(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", functionFlag(t, "echo-local", "echo")...)
	dp.createFunction(t, "echo-created", "echo", withRealCode(t, "echo"))

	a := dp.newAPI(t, "proxy-event")
	a.lambdaProxy(t, "/{proxy+}", "ANY", "echo-local", nil)
	a.lambdaProxy(t, "/hardcoded", "GET", "arn:aws:lambda:us-east-1:000000000000:function:echo-created", nil)
	a.deploy(t, "stage")
	eventually(t, "deployment", func() error {
		if r := a.rawSend(t, "GET", "/stage/hardcoded", nil, ""); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	headers := map[string]string{"User-Agent": "python-requests/testing", "tEsT-HEADeR": "aValUE", "authorization": "random-value"}

	type want struct {
		resource, path, ctxPath string
		pathParams              any
		query                   any
		multiQuery              any
	}
	proxy := func(p string) map[string]any { return map[string]any{"proxy": p} }
	cases := []struct {
		name    string
		rawPath string
		want    want
	}{
		{"without-trailing-slash", "/stage/proxy-value", want{"/{proxy+}", "/proxy-value", "/stage/proxy-value", proxy("proxy-value"), nil, nil}},
		{"with-trailing-slash", "/stage/proxy-value/", want{"/{proxy+}", "/proxy-value/", "/stage/proxy-value/", proxy("proxy-value"), nil, nil}},
		{"with-double-slash", "/stage/proxy-value//double-slash", want{"/{proxy+}", "/proxy-value//double-slash", "/stage/proxy-value//double-slash", proxy("proxy-value//double-slash"), nil, nil}},
		{"with-prepended-slash-to-stage", "//stage/proxy-value", want{"/{proxy+}", "/proxy-value", "/stage/proxy-value", proxy("proxy-value"), nil, nil}},
		{"with-prepended-slash", "/stage//proxy-value", want{"/{proxy+}", "/proxy-value", "/stage//proxy-value", proxy("proxy-value"), nil, nil}},
		{"without-trailing-slash-and-query-params", "/stage/proxy-value?urlparam=test", want{"/{proxy+}", "/proxy-value", "/stage/proxy-value", proxy("proxy-value"),
			map[string]any{"urlparam": "test"}, map[string]any{"urlparam": []any{"test"}}}},
		{"with-trailing-slash-and-query-params", "/stage/proxy-value/?urlparam=test", want{"/{proxy+}", "/proxy-value/", "/stage/proxy-value/", proxy("proxy-value"),
			map[string]any{"urlparam": "test"}, map[string]any{"urlparam": []any{"test"}}}},
		{"with-path-encoded-email", "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", want{"/{proxy+}",
			"/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
			proxy("proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"), nil, nil}},
		{"with-params-encoding", "/stage/proxy-value/api?dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/",
			want{"/{proxy+}", "/proxy-value/api", "/stage/proxy-value/api", proxy("proxy-value/api"),
				map[string]any{"dateTimeOffset": "2023-06-12T18:05:10.123456 00:00", "email": "test+alias@gmail.com", "plus": "test alias@gmail.com", "url": "https://www.google.com/", "whitespace": "foo bar", "zhash": "abort/"},
				map[string]any{"dateTimeOffset": []any{"2023-06-12T18:05:10.123456 00:00"}, "email": []any{"test+alias@gmail.com"}, "plus": []any{"test alias@gmail.com"}, "url": []any{"https://www.google.com/"}, "whitespace": []any{"foo bar"}, "zhash": []any{"abort/"}}}},
		{"hardcoded", "/stage//hardcoded", want{"/hardcoded", "/hardcoded", "/stage//hardcoded", nil, nil, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := a.proxyEvent(t, "GET", c.rawPath, headers, "")
			check := func(member string, got, want any) {
				t.Helper()
				if !jsonEq(got, want) {
					t.Errorf("%s = %v, want %v", member, mustMarshal(got), mustMarshal(want))
				}
			}
			rc, _ := ev["requestContext"].(map[string]any)
			check("resource", ev["resource"], c.want.resource)
			check("path", ev["path"], c.want.path)
			check("httpMethod", ev["httpMethod"], "GET")
			check("pathParameters", ev["pathParameters"], c.want.pathParams)
			check("queryStringParameters", ev["queryStringParameters"], c.want.query)
			check("multiValueQueryStringParameters", ev["multiValueQueryStringParameters"], c.want.multiQuery)
			check("stageVariables", ev["stageVariables"], nil)
			check("body", ev["body"], nil)
			check("isBase64Encoded", ev["isBase64Encoded"], false)
			check("requestContext.path", rc["path"], c.want.ctxPath)
			check("requestContext.resourcePath", rc["resourcePath"], c.want.resource)
			check("requestContext.stage", rc["stage"], "stage")
			check("requestContext.httpMethod", rc["httpMethod"], "GET")
			check("requestContext.protocol", rc["protocol"], "HTTP/1.1")
			check("requestContext.accountId", rc["accountId"], "000000000000")
			check("requestContext.apiId", rc["apiId"], a.ID)
			check("requestContext.domainPrefix", rc["domainPrefix"], a.ID)
			check("requestContext.domainName", rc["domainName"], a.ID+".execute-api.localhost")
			for _, k := range []string{"deploymentId", "extendedRequestId", "requestId", "requestTime", "resourceId"} {
				if s, _ := rc[k].(string); s == "" {
					t.Errorf("requestContext.%s is empty", k)
				}
			}
			if n, _ := rc["requestTimeEpoch"].(float64); time.Since(time.UnixMilli(int64(n))) > time.Minute {
				t.Errorf("requestContext.requestTimeEpoch = %v", rc["requestTimeEpoch"])
			}
			if _, ok := rc["authorizer"]; ok {
				t.Errorf("requestContext.authorizer present without an authorizer: %v", rc["authorizer"])
			}
			// identity: the members AWS sends for an anonymous caller.
			id, _ := rc["identity"].(map[string]any)
			wantNull := []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
				"cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user", "userArn"}
			for _, k := range wantNull {
				if v, ok := id[k]; !ok || v != nil {
					t.Errorf("requestContext.identity.%s = %v (present %v), want null", k, v, ok)
				}
			}
			check("identity.userAgent", id["userAgent"], "python-requests/testing")
			check("identity.sourceIp", id["sourceIp"], "127.0.0.1")
			if len(id) != len(wantNull)+2 {
				t.Errorf("identity has members %v", mustMarshal(id))
			}
			// Headers: the client's casing, except Authorization and
			// User-Agent, which AWS canonicalises.
			h, _ := ev["headers"].(map[string]any)
			mh, _ := ev["multiValueHeaders"].(map[string]any)
			check("headers.tEsT-HEADeR", h["tEsT-HEADeR"], "aValUE")
			check("headers.Authorization", h["Authorization"], "random-value")
			check("headers.User-Agent", h["User-Agent"], "python-requests/testing")
			check("multiValueHeaders.tEsT-HEADeR", mh["tEsT-HEADeR"], []any{"aValUE"})
			check("multiValueHeaders.Authorization", mh["Authorization"], []any{"random-value"})
			for _, k := range []string{"authorization", "Test-Header", "Content-Length", "Connection"} {
				if _, ok := h[k]; ok {
					t.Errorf("headers has %q: %v", k, mustMarshal(h))
				}
			}
		})
	}

	// invocation-payload-with-params-encoding-multi: a POST with a JSON
	// body, repeated query parameters and a mis-cased Authorization.
	t.Run("with-params-encoding-multi", func(t *testing.T) {
		ev := a.proxyEvent(t, "POST", "/stage/proxy-value?category=electronics&category=books&price=10&price=20&price=30",
			map[string]string{"Content-Type": "application/json;charset=utf-8", "aUThorization": "Bearer token123;API key456", "User-Agent": "python-requests/testing"},
			`{"message": "hello world"}`)
		want := map[string]any{
			"httpMethod":                      "POST",
			"body":                            `{"message": "hello world"}`,
			"isBase64Encoded":                 false,
			"queryStringParameters":           map[string]any{"category": "books", "price": "30"},
			"multiValueQueryStringParameters": map[string]any{"category": []any{"electronics", "books"}, "price": []any{"10", "20", "30"}},
			"path":                            "/proxy-value",
			"pathParameters":                  map[string]any{"proxy": "proxy-value"},
		}
		for k, v := range want {
			if !jsonEq(ev[k], v) {
				t.Errorf("%s = %s, want %s", k, mustMarshal(ev[k]), mustMarshal(v))
			}
		}
		h, _ := ev["headers"].(map[string]any)
		if h["Authorization"] != "Bearer token123;API key456" || h["Content-Type"] != "application/json;charset=utf-8" {
			t.Errorf("headers = %s", mustMarshal(h))
		}
	})

	// Stage variables and a binary body.
	t.Run("stage-variables-and-binary-body", func(t *testing.T) {
		b := dp.newAPI(t, "proxy-event-binary")
		dp.call(t, "PATCH", "/restapis/"+b.ID, map[string]any{"patchOperations": []map[string]any{
			{"op": "add", "path": "/binaryMediaTypes/image~1png"}}})
		b.lambdaProxy(t, "/{id}", "POST", "echo-created", nil)
		dp.call(t, "POST", "/restapis/"+b.ID+"/deployments", map[string]any{"stageName": "v1", "variables": map[string]string{"color": "blue"}})
		eventually(t, "deployment", func() error {
			if r := b.rawSend(t, "POST", "/v1/x", nil, "{}"); r.Status != 200 {
				return fmt.Errorf("%s", r)
			}
			return nil
		})
		ev := b.proxyEvent(t, "POST", "/v1/a%20b", map[string]string{"Content-Type": "image/png"}, "\x89PNG\x00\x01")
		want := map[string]any{
			"stageVariables":  map[string]any{"color": "blue"},
			"pathParameters":  map[string]any{"id": "a%20b"},
			"body":            "iVBORwAB",
			"isBase64Encoded": true,
			"resource":        "/{id}",
		}
		for k, v := range want {
			if !jsonEq(ev[k], v) {
				t.Errorf("%s = %s, want %s", k, mustMarshal(ev[k]), mustMarshal(v))
			}
		}
		// Text that is not a binary media type stays text.
		ev = b.proxyEvent(t, "POST", "/v1/t", map[string]string{"Content-Type": "text/plain"}, "héllo")
		if ev["body"] != "héllo" || ev["isBase64Encoded"] != false {
			t.Errorf("text body: %v %v", ev["body"], ev["isBase64Encoded"])
		}
	})
	checkGatewayLog(t, dp.Gateway)
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
