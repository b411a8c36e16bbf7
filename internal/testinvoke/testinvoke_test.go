package testinvoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/store/sqlite"
	"github.com/tollgate/tollgate/internal/testinvoke"
)

// server is an in-process management API whose test invocations run on
// the data plane's compiler.
type server struct {
	t *testing.T
	h http.Handler
}

func newServer(t *testing.T) *server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	tester := &testinvoke.Tester{Watcher: &deploy.Watcher{Store: st, Compiler: &deploy.Compiler{Clients: upstream.NewClients()}}}
	api := apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "111111111111", Tester: tester})
	return &server{t: t, h: mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}})}
}

// call sends one management request and decodes its JSON answer.
func (s *server) call(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	var out map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			s.t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
	if w.Code >= 300 && w.Code != 404 {
		s.t.Logf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
	if et := errorType(w.Header()); et != "" {
		out["__type"] = strings.SplitN(et, ":", 2)[0]
	}
	return w.Code, out
}

func (s *server) ok(method, path string, body any) map[string]any {
	s.t.Helper()
	code, out := s.call(method, path, body)
	if code >= 300 {
		s.t.Fatalf("%s %s: %d %v", method, path, code, out)
	}
	return out
}

// mockMethod adds a MOCK method answering 200 with responseTemplate.
func (s *server) mockMethod(api, res, verb, responseTemplate string) {
	m := "/restapis/" + api + "/resources/" + res + "/methods/" + verb
	s.ok("PUT", m, map[string]any{"authorizationType": "NONE", "requestParameters": map[string]bool{"method.request.path.petId": true}})
	s.ok("PUT", m+"/responses/200", map[string]any{})
	s.ok("PUT", m+"/integration", map[string]any{"type": "MOCK", "requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}})
	s.ok("PUT", m+"/integration/responses/200", map[string]any{"responseTemplates": map[string]string{"application/json": responseTemplate}})
}

// TestInvokeMethodMatchesAWS replays the TestInvokeMethod calls recorded
// against AWS (test_apigateway_api TestApigatewayTestInvoke) on an API that
// was never deployed: status, headers, body and every log line, dates and
// request ids aside.
func TestInvokeMethodMatchesAWS(t *testing.T) {
	recorded := recordedTestInvoke(t)
	s := newServer(t)
	api := s.ok("POST", "/restapis", map[string]any{"name": "aws lambda api"})
	apiID, root := api["id"].(string), api["rootResourceId"].(string)
	pets := s.ok("POST", "/restapis/"+apiID+"/resources/"+root, map[string]any{"pathPart": "pets"})["id"].(string)
	pet := s.ok("POST", "/restapis/"+apiID+"/resources/"+pets, map[string]any{"pathPart": "{petId}"})["id"].(string)
	s.mockMethod(apiID, pets, "GET", `{"pets": "all the pets"}`)
	s.mockMethod(apiID, pet, "GET", `{"petId": "$input.params('petId')"}`)
	s.mockMethod(apiID, pet, "POST", `{"petId": "$input.params('petId')"}`)

	cases := []struct {
		record, resource, verb string
		in                     map[string]any
	}{
		{"test-invoke-method-get-pets", pets, "GET", map[string]any{"pathWithQueryString": "/pets"}},
		{"test-invoke-method-get-pets-bad-path", pets, "GET", map[string]any{"pathWithQueryString": "/random/test"}},
		{"test-invoke-method-get-pets-id", pet, "GET", map[string]any{"pathWithQueryString": "/pets/123"}},
		{"test-invoke-method-get-pets-id-no-path", pet, "GET", map[string]any{}},
		{"test-invoke-method-get-pets-id-bad-path", pet, "GET", map[string]any{"pathWithQueryString": "/random/test"}},
		{"test-invoke-method-get-with-qs", pet, "GET", map[string]any{"pathWithQueryString": "/pets/123?foo=bar"}},
		{"test-invoke-method-post-with-body", pet, "POST", map[string]any{"pathWithQueryString": "/pets/123", "body": `{"foo": "bar"}`}},
		{"resource-method-not-found", pet, "PUT", map[string]any{"pathWithQueryString": "/pets/123"}},
		{"resource-id-not-found", "invalid_res", "POST", map[string]any{"pathWithQueryString": "/pets/123"}},
	}
	for _, c := range cases {
		want := recorded[c.record]
		code, got := s.call("POST", "/restapis/"+apiID+"/resources/"+c.resource+"/methods/"+c.verb, c.in)
		if e, ok := want["Error"].(map[string]any); ok {
			if code != 404 || got["__type"] != e["Code"] || got["message"] != e["Message"] {
				t.Errorf("%s: %d %v, AWS %v", c.record, code, got, e)
			}
			continue
		}
		if code != 200 {
			t.Fatalf("%s: %d %v", c.record, code, got)
		}
		compareInvoke(t, c.record, want, got)
	}
	// An unknown API.
	code, got := s.call("POST", "/restapis/nope/resources/"+pet+"/methods/GET", map[string]any{})
	if code != 404 || got["message"] != "Invalid API identifier specified 111111111111:nope" {
		t.Errorf("unknown API: %d %v", code, got)
	}
}

// compareInvoke compares a TestInvokeMethod answer with AWS's recording.
func compareInvoke(t *testing.T, name string, want, got map[string]any) {
	t.Helper()
	var body any
	if err := json.Unmarshal([]byte(got["body"].(string)), &body); err != nil {
		t.Errorf("%s: body %q is not JSON", name, got["body"])
	}
	for _, k := range []string{"headers", "multiValueHeaders"} {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s: %s %v, AWS %v", name, k, got[k], want[k])
		}
	}
	if !reflect.DeepEqual(body, want["body"]) || got["status"] != want["status"] {
		t.Errorf("%s: status %v body %v, AWS %v %v", name, got["status"], body, want["status"], want["body"])
	}
	if _, ok := got["latency"].(float64); !ok {
		t.Errorf("%s: latency %v is not a number", name, got["latency"])
	}
	lines := normaliseLog(got["log"].(string))
	wantLog := want["log"].(map[string]any)
	if len(lines) != len(wantLog) {
		t.Errorf("%s: %d log lines, AWS %d:\n%s", name, len(lines), len(wantLog), strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		w, _ := wantLog[lineKey(i)].(string)
		w = regexp.MustCompile(`<request-id-\d+>`).ReplaceAllString(w, "<request-id>")
		if l != w {
			t.Errorf("%s: log line %d\n got %q\n AWS %q", name, i, l, w)
		}
	}
}

var (
	dateRE = regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4} : `)
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// normaliseLog splits a log into lines with AWS's recording placeholders
// for dates and request ids.
func normaliseLog(log string) []string {
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		l = dateRE.ReplaceAllString(l, "DDD MMM dd hh:mm:ss UTC yyyy : ")
		lines[i] = uuidRE.ReplaceAllString(l, "<request-id>")
	}
	return lines
}

func lineKey(i int) string {
	k := "line0" + string(rune('0'+i%10))
	if i >= 10 {
		k = "line" + string(rune('0'+i/10)) + string(rune('0'+i%10))
	}
	return k
}

// recordedTestInvoke reads AWS's recorded TestInvokeMethod answers.
func recordedTestInvoke(t *testing.T) map[string]map[string]any {
	t.Helper()
	return recordedTest(t, "test_invoke_test_method")
}

// recordedTest reads the answers AWS gave in one recorded test of
// TestApigatewayTestInvoke.
func recordedTest(t *testing.T, name string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mgmt", "testdata", "recorded", "aws", "test_apigateway_api.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]json.RawMessage
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	var entry struct {
		Content map[string]map[string]any `json:"recorded-content"`
	}
	if err := json.Unmarshal(snap["tests/aws/services/apigateway/test_apigateway_api.py::TestApigatewayTestInvoke::"+name], &entry); err != nil {
		t.Fatal(err)
	}
	out := entry.Content
	if len(out) == 0 {
		t.Fatal("no recorded TestInvokeMethod answers")
	}
	return out
}

// errorType is the x-amzn-ErrorType header, however it is spelt.
func errorType(h http.Header) string {
	for k, v := range h {
		if strings.EqualFold(k, "x-amzn-ErrorType") && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// TestInvokeMethodEndpointLines: an HTTP integration's test invocation
// logs its endpoint request and response between the method request and
// the method response, in AWS's order, secrets masked.
func TestInvokeMethodEndpointLines(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"got":"` + r.URL.Query().Get("q") + `"}`))
	}))
	defer backend.Close()
	s := newServer(t)
	api := s.ok("POST", "/restapis", map[string]any{"name": "http"})
	apiID, root := api["id"].(string), api["rootResourceId"].(string)
	m := "/restapis/" + apiID + "/resources/" + root + "/methods/POST"
	s.ok("PUT", m, map[string]any{"authorizationType": "NONE", "requestParameters": map[string]bool{"method.request.querystring.q": false, "method.request.header.Authorization": false}})
	s.ok("PUT", m+"/responses/200", map[string]any{})
	s.ok("PUT", m+"/integration", map[string]any{"type": "HTTP", "httpMethod": "POST", "uri": backend.URL + "/x",
		"requestParameters": map[string]string{"integration.request.querystring.q": "method.request.querystring.q",
			"integration.request.header.Authorization": "method.request.header.Authorization"}})
	s.ok("PUT", m+"/integration/responses/200", map[string]any{"selectionPattern": ""})
	out := s.ok("POST", m, map[string]any{"pathWithQueryString": "/?q=z", "body": `{"a":1}`,
		"headers": map[string]string{"Authorization": "Bearer secret-123456"}})
	var got []string
	for _, l := range normaliseLog(out["log"].(string)) {
		got = append(got, strings.TrimPrefix(l, "DDD MMM dd hh:mm:ss UTC yyyy : "))
	}
	want := []string{
		"Method request body before transformations: {\"a\":1}",
		"Endpoint request URI: " + backend.URL + "/x?q=z",
		"Endpoint request headers: {",
		"Endpoint request body after transformations: {\"a\":1}",
		"Sending request to " + backend.URL + "/x?q=z",
		"Received response. Status: 200, Integration latency: ",
		"Endpoint response headers: {",
		"Endpoint response body before transformations: {\"got\":\"z\"}",
		"Method response body after transformations: {\"got\":\"z\"}",
	}
	start := -1
	for i, l := range got {
		if strings.HasPrefix(l, "Method request body") {
			start = i
		}
	}
	if start < 0 || len(got) < start+len(want) {
		t.Fatalf("log:\n%s", strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[start+i], w) {
			t.Errorf("line %d: %q, want %q…", start+i, got[start+i], w)
		}
	}
	if !strings.Contains(out["log"].(string), "Authorization=**************123456") || strings.Contains(out["log"].(string), "secret-123456") {
		t.Errorf("the Authorization header is not masked:\n%s", out["log"])
	}
}

// TestInvokeMethodFailureMatchesAWS: a method whose integration cannot be
// built answers inside a 200 TestInvokeMethod response as AWS's recorded
// one does: status 500, the gateway response's body, only
// x-amzn-ErrorType in the headers, and the log's failure lines: an
// endpoint address that a missing stage variable leaves without a host.
func TestInvokeMethodFailureMatchesAWS(t *testing.T) {
	want := recordedTest(t, "test_failed_invoke_test_method")["test-invoke-failure"]
	s := newServer(t)
	api := s.ok("POST", "/restapis", map[string]any{"name": "failing"})
	apiID, root := api["id"].(string), api["rootResourceId"].(string)
	m := "/restapis/" + apiID + "/resources/" + root + "/methods/GET"
	s.ok("PUT", m, map[string]any{"authorizationType": "NONE"})
	s.ok("PUT", m+"/integration", map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": "http://${stageVariables.backend}/pets"})
	got := s.ok("POST", m, map[string]any{"pathWithQueryString": "/"})
	compareInvoke(t, "test-invoke-failure", want, got)
}

// TestInvokeMethodSkipsAccess: a test invocation runs the method's request
// validation, but not its API key or authorizer checks (an apiKeyRequired
// CUSTOM method answers without a key or token) [L; AWS's choice is U].
func TestInvokeMethodSkipsAccess(t *testing.T) {
	s := newServer(t)
	api := s.ok("POST", "/restapis", map[string]any{"name": "guarded"})
	apiID, root := api["id"].(string), api["rootResourceId"].(string)
	auth := s.ok("POST", "/restapis/"+apiID+"/authorizers", map[string]any{"name": "tok", "type": "TOKEN",
		"identitySource": "method.request.header.Authorization",
		"authorizerUri":  "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:auth/invocations"})
	val := s.ok("POST", "/restapis/"+apiID+"/requestvalidators", map[string]any{"name": "params", "validateRequestParameters": true})
	m := "/restapis/" + apiID + "/resources/" + root + "/methods/GET"
	s.ok("PUT", m, map[string]any{"authorizationType": "CUSTOM", "authorizerId": auth["id"], "apiKeyRequired": true,
		"requestValidatorId": val["id"], "requestParameters": map[string]bool{"method.request.querystring.q": true}})
	s.ok("PUT", m+"/responses/200", map[string]any{})
	s.ok("PUT", m+"/integration", map[string]any{"type": "MOCK", "requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}})
	s.ok("PUT", m+"/integration/responses/200", map[string]any{"responseTemplates": map[string]string{"application/json": `{"q": "$input.params('q')"}`}})

	out := s.ok("POST", m, map[string]any{"pathWithQueryString": "/?q=1"})
	if out["status"] != 200.0 || out["body"] != `{"q": "1"}` {
		t.Errorf("without key or token: %v", out)
	}
	out = s.ok("POST", m, map[string]any{"pathWithQueryString": "/"})
	if out["status"] != 400.0 || out["body"] != `{"message":"Missing required request parameters: [q]"}` ||
		!strings.HasSuffix(out["log"].(string), " : Method completed with status: 400\n") {
		t.Errorf("without the required parameter: %v", out)
	}
}
