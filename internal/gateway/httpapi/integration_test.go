package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// seen is what the test backend received.
type seen struct {
	Method, URI, Host, Body string
	Header                  http.Header
}

// echoBackend answers every request with what it received (JSON), status
// from the "status" query parameter (default 200).
func echoBackend(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if d := r.URL.Query().Get("sleep"); d != "" {
			if dur, err := time.ParseDuration(d); err == nil {
				time.Sleep(dur)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Access-Control-Allow-Origin", "https://backend.example")
		if r.URL.Query().Get("status") == "201" {
			w.WriteHeader(201)
		}
		_ = json.NewEncoder(w).Encode(seen{Method: r.Method, URI: r.RequestURI, Host: r.Host, Body: string(b), Header: r.Header})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodeSeen(t *testing.T, b []byte) seen {
	t.Helper()
	var s seen
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("backend answer: %v\n%s", err, b)
	}
	return s
}

// TestHTTPProxy: the $default route appends the whole request path (a
// named stage's prefix included) to the integration URI; other routes use
// the URI's {placeholders} and ${stageVariables}; the query string always
// goes along; integrationMethod overrides the client's; the backend's
// status, headers and body come back [D].
func TestHTTPProxy(t *testing.T) {
	srv := echoBackend(t)
	env := &Env{Region: region, AccountID: account, Clients: upstream.NewClients()}
	a := newAPI()
	a.route("$default", a.httpProxy(srv.URL+"/base/"))
	a.route("GET /pets/{id}", a.httpProxy(srv.URL+"/animals/{id}?kind=pet"))
	a.route("ANY /files/{proxy+}", a.httpProxy("http://${stageVariables.backend}/store/{proxy}"))
	a.route("GET /fixed", a.httpProxy(srv.URL+"/post", func(in *modelv2.Integration) { in.IntegrationMethod = model.Ptr("POST") }))
	door := a.stage(t, env, "dev", func(s *modelv2.Stage) {
		s.StageVariables = map[string]string{"backend": strings.TrimPrefix(srv.URL, "http://")}
	})

	for _, c := range []struct {
		method, target, wantMethod, wantURI string
	}{
		{"POST", "/dev/orders/1?a=1&a=2", "POST", "/base/dev/orders/1?a=1&a=2"},
		{"GET", "/dev/pets/7?x=%20y", "GET", "/animals/7?kind=pet&x=%20y"},
		{"PUT", "/dev/files/a/b%2Fc", "PUT", "/store/a/b%2Fc"},
		{"GET", "/dev/fixed", "POST", "/post"},
	} {
		r := do(door, c.method, c.target, []byte("payload"), "Content-Type", "text/plain", "X-Client", "1")
		if r.Code != 200 {
			t.Fatalf("%s %s: %d %s", c.method, c.target, r.Code, r.BodyBuf)
		}
		s := decodeSeen(t, r.BodyBuf)
		if s.Method != c.wantMethod || s.URI != c.wantURI || s.Body != "payload" || s.Header.Get("X-Client") != "1" {
			t.Errorf("%s %s: backend saw %s %s body %q headers %v", c.method, c.target, s.Method, s.URI, s.Body, s.Header)
		}
		if !strings.HasPrefix(s.Host, "127.0.0.1:") {
			t.Errorf("%s %s: Host %q, want the backend's", c.method, c.target, s.Host)
		}
		if s.Header.Get("Via") != "HTTP/1.1 AmazonAPIGateway" || !strings.HasPrefix(s.Header.Get("Forwarded"), "for=203.0.113.7;host="+testHost+";proto=http") ||
			!strings.HasPrefix(s.Header.Get("X-Amzn-Trace-Id"), "Root=1-") {
			t.Errorf("%s %s: forwarded headers %v", c.method, c.target, s.Header)
		}
		if r.Headers.Get("X-Backend") != "yes" || r.Headers.Get("apigw-requestid") == "" {
			t.Errorf("%s %s: response headers %v", c.method, c.target, r.Headers)
		}
	}
	r := do(door, "GET", "/dev/x?status=201", nil)
	if r.Code != 201 {
		t.Errorf("backend status: %d", r.Code)
	}
}

// TestHTTPProxyTimeout: a backend slower than timeoutInMillis is 503
// {"message":"Service Unavailable"}; one that cannot be reached is 500
// [C][U].
func TestHTTPProxyTimeout(t *testing.T) {
	srv := echoBackend(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	env := &Env{Clients: upstream.NewClients()}
	a := newAPI()
	a.route("GET /slow", a.httpProxy(srv.URL+"/slow", func(in *modelv2.Integration) { in.TimeoutInMillis = 50 }))
	a.route("GET /dead", a.httpProxy(dead.URL+"/x"))
	door := a.stage(t, env, "$default")
	expect(t, "slow backend", do(door, "GET", "/slow?sleep=500ms", nil), 503, `{"message":"Service Unavailable"}`)
	expect(t, "unreachable backend", do(door, "GET", "/dead", nil), 500, `{"message":"Internal Server Error"}`)
}

// TestLambdaV2Event: the 2.0 event a function receives (the full wire
// shape is pinned by the golden files of package proxyevent and by e2e).
func TestLambdaV2Event(t *testing.T) {
	env, fl := echoEnv()
	a := routedAPI("POST /pets/{id}")
	door := a.stage(t, env, "dev", func(s *modelv2.Stage) { s.StageVariables = map[string]string{"v": "1"} })
	r := do(door, "POST", "/dev/pets/7?a=1&a=2", []byte(`{"x":1}`), "Content-Type", "application/json",
		"Cookie", "s=1; t=2", "X-Multi", "a", "X-Multi", "b")
	if r.Code != 200 || r.Headers.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v %s", r.Code, r.Headers, r.BodyBuf)
	}
	ev := fl.lastEvent(t, "arn:aws:lambda:us-east-1:"+account+":function:echo")
	rc := ev["requestContext"].(map[string]any)
	hdrs := ev["headers"].(map[string]any)
	for what, ok := range map[string]bool{
		"version":        ev["version"] == "2.0",
		"routeKey":       ev["routeKey"] == "POST /pets/{id}",
		"rawPath":        ev["rawPath"] == "/dev/pets/7",
		"rawQueryString": ev["rawQueryString"] == "a=1&a=2",
		"query":          ev["queryStringParameters"].(map[string]any)["a"] == "1,2",
		"cookies":        len(ev["cookies"].([]any)) == 2,
		"headers":        hdrs["x-multi"] == "a,b" && hdrs["cookie"] == nil && hdrs["host"] == testHost,
		"body":           ev["body"] == `{"x":1}` && ev["isBase64Encoded"] == false,
		"stageVariables": ev["stageVariables"].(map[string]any)["v"] == "1",
		"context":        rc["stage"] == "dev" && rc["apiId"] == testAPI && rc["accountId"] == account && rc["domainPrefix"] == testAPI,
		"requestId":      rc["requestId"] == r.Headers.Get("apigw-requestid"),
		"http":           rc["http"].(map[string]any)["path"] == "/dev/pets/7" && rc["http"].(map[string]any)["sourceIp"] == "203.0.113.7",
		"no authorizer":  rc["authorizer"] == nil,
	} {
		if !ok {
			t.Errorf("%s: %v", what, ev)
		}
	}
}

// TestLambdaResponses: 2.0 answers are inferred without statusCode,
// structured otherwise (cookies become set-cookie headers); 1.0 answers
// need a statusCode; function errors, unreadable answers and failed
// invocations are 500, the integration's timeout 503 [D].
func TestLambdaResponses(t *testing.T) {
	fl := newFakeLambda()
	env := &Env{Lambda: fl}
	fn := func(name string) string { return "arn:aws:lambda:us-east-1:" + account + ":function:" + name }
	fl.answer(fn("inferred"), `{"message":"hi"}`)
	fl.answer(fn("string"), `"Hello"`)
	fl.answer(fn("structured"), `{"statusCode":201,"headers":{"x-a":"1"},"cookies":["c=1","d=2"],"body":"aGk=","isBase64Encoded":true}`)
	fl.answer(fn("plain"), `{"statusCode":200,"body":"text"}`)
	fl.answer(fn("notjson"), `<html>`)
	fl.answer(fn("v1"), `{"statusCode":202,"headers":{"a":"1"},"multiValueHeaders":{"b":["1","2"]},"body":"v1"}`)
	fl.answer(fn("v1nostatus"), `{"body":"x"}`)
	fl.handle(fn("fails"), func([]byte) (invoker.Result, error) {
		return invoker.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"Error"}`), FunctionError: "Unhandled"}, nil
	})
	fl.handle(fn("slow"), func([]byte) (invoker.Result, error) {
		return invoker.Result{}, context.DeadlineExceeded
	})
	a := newAPI()
	for _, name := range []string{"inferred", "string", "structured", "plain", "notjson", "fails", "slow"} {
		a.route("GET /"+name, a.lambda(name, "2.0"))
	}
	a.route("GET /v1", a.lambda("v1", "1.0"))
	a.route("GET /v1nostatus", a.lambda("v1nostatus", "1.0"))
	a.route("GET /missing", a.lambda("missing", "2.0"))
	door := a.stage(t, env, "$default")

	r := do(door, "GET", "/inferred", nil)
	expect(t, "inferred", r, 200, `{"message":"hi"}`)
	if r.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("inferred content-type %q", r.Headers.Get("Content-Type"))
	}
	expect(t, "string", do(door, "GET", "/string", nil), 200, "Hello")
	r = do(door, "GET", "/structured", nil)
	expect(t, "structured", r, 201, "hi")
	if r.Headers.Get("x-a") != "1" || len(r.Headers.Values("set-cookie")) != 2 {
		t.Errorf("structured headers %v", r.Headers)
	}
	r = do(door, "GET", "/plain", nil)
	if r.Headers.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("structured without content-type: %q", r.Headers.Get("Content-Type"))
	}
	r = do(door, "GET", "/v1", nil)
	expect(t, "v1", r, 202, "v1")
	if r.Headers.Get("a") != "1" || len(r.Headers.Values("b")) != 2 {
		t.Errorf("v1 headers %v", r.Headers)
	}
	for _, p := range []string{"/notjson", "/fails", "/v1nostatus", "/missing"} {
		expect(t, p, do(door, "GET", p, nil), 500, `{"message":"Internal Server Error"}`)
	}
	expect(t, "timeout", do(door, "GET", "/slow", nil), 503, `{"message":"Service Unavailable"}`)
}

// TestUnsupportedIntegrations: a private integration (VPC_LINK) answers
// 503 {"message":"Service Unavailable"} and an AWS service integration
// (integrationSubtype) 500 {"message":"Internal Server Error"}, as AWS
// answers when it cannot reach them; the deploy and every such request
// log what Tollgate does not serve, and $context.integrationErrorMessage
// says it too.
func TestUnsupportedIntegrations(t *testing.T) {
	var logs bytes.Buffer
	var access bytes.Buffer
	env := &Env{Log: slog.New(slog.NewTextHandler(&logs, nil)), Logs: &observe.LogSinks{Stdout: &access}}
	a := newAPI()
	vpc := a.integration(modelv2.Integration{IntegrationType: modelv2.IntegrationHTTPProxy, ConnectionType: modelv2.ConnectionVPCLink,
		ConnectionID: model.Ptr("vl123"), IntegrationURI: model.Ptr("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2"),
		IntegrationMethod: model.Ptr("ANY")})
	sqs := a.integration(modelv2.Integration{IntegrationType: modelv2.IntegrationAWSProxy, IntegrationSubtype: model.Ptr("SQS-SendMessage"),
		CredentialsArn: model.Ptr("arn:aws:iam::123456789012:role/r"), RequestParameters: map[string]string{"QueueUrl": "q", "MessageBody": "$request.body"}})
	a.route("ANY /private", vpc)
	a.route("POST /queue", sqs)
	door := a.stage(t, env, "$default", func(s *modelv2.Stage) {
		s.AccessLogSettings = &modelv2.AccessLogSettings{Format: model.Ptr(`$context.status $context.error.responseType "$context.integrationErrorMessage"`)}
	})
	if !strings.Contains(logs.String(), "does not serve") || !strings.Contains(logs.String(), "VPC_LINK") ||
		!strings.Contains(logs.String(), "SQS-SendMessage") {
		t.Errorf("deploy log:\n%s", logs.String())
	}
	logs.Reset()
	r := do(door, "GET", "/private", nil)
	expect(t, "VPC_LINK", r, 503, `{"message":"Service Unavailable"}`)
	if r.Headers.Get("apigw-requestid") == "" {
		t.Errorf("503 headers: %v", r.Headers)
	}
	expect(t, "integrationSubtype", do(door, "POST", "/queue", []byte(`{}`)), 500, `{"message":"Internal Server Error"}`)
	if l := logs.String(); strings.Count(l, "integration not served") != 2 || !strings.Contains(l, "connectionId vl123") ||
		!strings.Contains(l, "integrationSubtype SQS-SendMessage") {
		t.Errorf("request log:\n%s", l)
	}
	_ = env.Logs.Close()
	lines := strings.Split(strings.TrimSpace(access.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `503 INTEGRATION_FAILURE "integration `) || !strings.Contains(lines[1], "are not served by Tollgate") {
		t.Errorf("access log:\n%s", access.String())
	}
}

// TestKeepBuffer: the URI buffer goes back to its pool whole, not as the
// tail the $default route's path was built in, and a grown one replaces
// it.
func TestKeepBuffer(t *testing.T) {
	b := make([]byte, 0, 512)
	bp := &b
	keepBuffer(bp, b[40:60])
	if cap(*bp) != 512 {
		t.Errorf("a tail replaced the buffer: cap %d", cap(*bp))
	}
	grown := make([]byte, 900, 1024)
	keepBuffer(bp, grown)
	if cap(*bp) != 1024 || len(*bp) != 0 {
		t.Errorf("a grown buffer was not kept: len %d cap %d", len(*bp), cap(*bp))
	}
}
