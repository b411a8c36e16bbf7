package e2e

// Mapping templates (VTL) through the data plane: MOCK, HTTP and non-proxy
// Lambda integrations with request and response templates, $input,
// $util, $context, request/response overrides, passthrough behaviours and
// template failures (reference §6).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// postJSON sends body with Content-Type ct (none when "").
func postJSON(t *testing.T, dp *dataPlane, u, ct, body string, extra ...string) result {
	t.Helper()
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return dp.do(t, "POST", u, h, strings.NewReader(body))
}

// backendEcho is an HTTP backend answering with what it received as JSON:
// method, path, query, the X-* headers and the body.
func backendEcho(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hs := map[string]string{}
		for k := range r.Header {
			if strings.HasPrefix(k, "X-") && !strings.HasPrefix(k, "X-Amzn") {
				hs[k] = r.Header.Get(k)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.Path,
			"query": r.URL.RawQuery, "headers": hs, "body": string(b), "ct": r.Header.Get("Content-Type")})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDataplaneVTLTemplates(t *testing.T) {
	dp := startDataPlane(t, "", functionFlag(t, "echo", "echo")...)
	backend := backendEcho(t)
	a := dp.newAPI(t, "vtl")

	// MOCK: the request template loops over the payload to choose the
	// status and sets response overrides; the response template uses
	// $input.params, $util and $context.
	a.method(t, "/orders/{id}", "POST", nil)
	a.integration(t, "/orders/{id}", "POST", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{
		"application/json": `#set($total = 0)
#foreach($it in $input.path('$.items'))#set($total = $total + $it.qty)#end
#set($context.responseOverride.header.X-Total = "$total")
#set($context.responseOverride.header.X-Skus = $input.json('$.items[*].sku'))
#if($total > 10)
#set($context.responseOverride.status = 299)
#end
{"statusCode": #if($input.path('$.items').size() == 0)404#{else}200#end}`}})
	a.methodResponse(t, "/orders/{id}", "POST", "200", nil)
	a.integrationResponse(t, "/orders/{id}", "POST", "200", map[string]any{"responseTemplates": map[string]any{
		"application/json": `{"id": "$input.params('id')", "q": "$util.urlEncode($input.params('q'))",` +
			` "name": "$util.escapeJavaScript($input.params('X-Name')).replaceAll("\\'","'")", "b64": "$util.base64Encode($input.params().path.id)",` +
			` "stage": "$context.stage", "resource": "$context.resourcePath", "ip": "$context.identity.sourceIp", "env": "$stageVariables.env"}`}})
	a.methodResponse(t, "/orders/{id}", "POST", "404", nil)
	a.integrationResponse(t, "/orders/{id}", "POST", "404", map[string]any{"selectionPattern": "404",
		"responseTemplates": map[string]any{"application/json": `{"message": "no items"}`}})

	// HTTP: the request template builds the backend body and overrides
	// the backend request's header, query and path parameter; the
	// response template reads the backend answer and overrides status.
	a.method(t, "/relay/{name}", "POST", map[string]any{"requestParameters": map[string]any{"method.request.path.name": true}})
	a.integration(t, "/relay/{name}", "POST", map[string]any{"type": "HTTP", "httpMethod": "POST",
		"uri":               backend.URL + "/up/{name}",
		"requestParameters": map[string]any{"integration.request.path.name": "method.request.path.name"},
		"requestTemplates": map[string]any{"application/json": `#set($context.requestOverride.header.X-Override = "hdr-$input.params('name')")
#set($context.requestOverride.querystring.page = "7")
#set($context.requestOverride.path.name = "renamed")
{"skus": [#foreach($it in $input.path('$.items'))"$it.sku"#if($foreach.hasNext),#end#end], "first": $input.json('$.items[0]')}`}})
	a.methodResponse(t, "/relay/{name}", "POST", "200", nil)
	a.integrationResponse(t, "/relay/{name}", "POST", "200", map[string]any{"responseTemplates": map[string]any{
		"application/json": `#set($b = $input.path('$'))#set($context.responseOverride.status = 201)
{"path": "$b.path", "query": "$b.query", "hdr": "$b.headers.X-Override", "sent": $b.body, "ct": "$b.ct"}`}})

	// Passthrough behaviours (HTTP to the echo backend).
	for _, pb := range []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"} {
		for _, withTpl := range []bool{true, false} {
			p := "/pass/" + strings.ToLower(pb)
			if !withTpl {
				p += "-none"
			}
			a.method(t, p, "POST", nil)
			in := map[string]any{"type": "HTTP", "httpMethod": "POST", "uri": backend.URL + "/p", "passthroughBehavior": pb}
			if withTpl {
				in["requestTemplates"] = map[string]any{"application/json": `{"templated": $input.json('$')}`}
			}
			a.integration(t, p, "POST", in)
			a.methodResponse(t, p, "POST", "200", nil)
			a.integrationResponse(t, p, "POST", "200", map[string]any{"responseTemplates": map[string]any{
				"application/json": `$input.path('$.body')`}})
		}
	}

	// Non-proxy Lambda: the echo function returns its event.
	a.method(t, "/fn", "GET", nil)
	a.integration(t, "/fn", "GET", map[string]any{"type": "AWS", "httpMethod": "POST", "uri": lambdaURI("echo"),
		"requestTemplates": map[string]any{"application/json": `{"param1": "$input.params('param1')", "stage": "$context.stage", "list": $util.parseJson('[1,2]')}`}})
	a.methodResponse(t, "/fn", "GET", "200", nil)
	a.integrationResponse(t, "/fn", "GET", "200", map[string]any{"responseTemplates": map[string]any{
		"application/json": `{"fromLambda": "$input.path('$.param1')", "stage": "$input.path('$.stage')", "n": $input.path('$.list').size(), "raw": $input.json('$')}`}})

	// Template failures: a runtime error and a syntax error.
	a.method(t, "/broken/runtime", "GET", nil)
	a.integration(t, "/broken/runtime", "GET", map[string]any{"type": "MOCK",
		"requestTemplates": map[string]any{"application/json": `{"statusCode": 200, "x": $util.parseJson("{oops")}`}})
	a.methodResponse(t, "/broken/runtime", "GET", "200", nil)
	a.integrationResponse(t, "/broken/runtime", "GET", "200", nil)
	a.mock(t, "/broken/syntax", "GET", `#if($x) never closed`)

	a.deploy(t, "prod")
	a.patchStage(t, "prod", replaceOp("/variables/env", "production"))
	dp.waitFor(t, a.url("prod", "/broken/runtime"), 500, `{"message": "Internal server error"}`)
	eventually(t, "stage variable", func() error {
		r, err := dp.send(t, "POST", a.url("prod", "/orders/1"), http.Header{"Content-Type": {"application/json"}}, strings.NewReader(`{"items":[{"sku":"x","qty":1}]}`))
		if err != nil {
			return err
		}
		if !strings.Contains(r.Body, `"production"`) {
			return fmt.Errorf("got %s", r)
		}
		return nil
	})

	t.Run("mock", func(t *testing.T) {
		r := postJSON(t, dp, a.url("prod", "/orders/o%201?q=a+b&q=c/d"), "application/json",
			`{"items":[{"sku":"x1","qty":2},{"sku":"y2","qty":3}]}`, "X-Name", `Ann "the" O'Neil`)
		expectJSON(t, "MOCK response template", r, 200, map[string]any{"id": "o 1", "q": "c%2Fd", "name": `Ann "the" O'Neil`,
			"b64": "byAx", "stage": "prod", "resource": "/orders/{id}", "ip": "127.0.0.1", "env": "production"})
		if r.Header.Get("X-Total") != "5" || r.Header.Get("X-Skus") != `["x1","y2"]` {
			t.Errorf("response override headers: %v", r.Header)
		}
		r = postJSON(t, dp, a.url("prod", "/orders/1"), "application/json", `{"items":[{"sku":"x1","qty":20}]}`)
		if r.Status != 299 || r.Header.Get("X-Total") != "20" {
			t.Errorf("responseOverride.status: %s", r)
		}
		expect(t, "status from the request template", postJSON(t, dp, a.url("prod", "/orders/1"), "", `{"items":[]}`),
			404, `{"message": "no items"}`)
	})

	t.Run("http", func(t *testing.T) {
		r := postJSON(t, dp, a.url("prod", "/relay/bob"), "application/json; charset=utf-8",
			`{"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}`)
		expectJSON(t, "HTTP with overrides", r, 201, map[string]any{"path": "/up/renamed", "query": "page=7", "hdr": "hdr-bob",
			"sent": map[string]any{"skus": []any{"a", "b"}, "first": map[string]any{"sku": "a", "qty": 1}}, "ct": "application/json"})
	})

	t.Run("passthrough", func(t *testing.T) {
		for _, c := range []struct {
			path, ct string
			status   int
			body     string
		}{
			{"/pass/when_no_match", "application/json", 200, `{"templated": {"k":1}}`},
			{"/pass/when_no_match", "text/plain", 200, `{"k":1}`},
			{"/pass/when_no_match-none", "text/plain", 200, `{"k":1}`},
			{"/pass/when_no_templates", "application/json", 200, `{"templated": {"k":1}}`},
			{"/pass/when_no_templates", "text/plain", 415, `{"message":"Unsupported Media Type"}`},
			{"/pass/when_no_templates-none", "text/plain", 200, `{"k":1}`},
			{"/pass/never", "application/json", 200, `{"templated": {"k":1}}`},
			{"/pass/never", "text/plain", 415, `{"message":"Unsupported Media Type"}`},
			{"/pass/never-none", "application/json", 415, `{"message":"Unsupported Media Type"}`},
		} {
			r := postJSON(t, dp, a.url("prod", c.path), c.ct, `{"k":1}`)
			expect(t, c.path+" "+c.ct, r, c.status, c.body)
			if c.status == 415 && r.Header.Get("x-amzn-ErrorType") == "" {
				t.Errorf("%s: no x-amzn-ErrorType", c.path)
			}
		}
	})

	t.Run("lambda", func(t *testing.T) {
		r := dp.do(t, "GET", a.url("prod", "/fn?param1=foobar"), nil, nil)
		expectJSON(t, "non-proxy Lambda", r, 200, map[string]any{"fromLambda": "foobar", "stage": "prod", "n": 2,
			"raw": map[string]any{"param1": "foobar", "stage": "prod", "list": []any{1, 2}}})
	})

	t.Run("errors", func(t *testing.T) {
		expect(t, "runtime error", dp.do(t, "GET", a.url("prod", "/broken/runtime"), nil, nil), 500, `{"message": "Internal server error"}`)
		expect(t, "syntax error", dp.do(t, "GET", a.url("prod", "/broken/syntax"), nil, nil), 500, `{"message": "Internal server error"}`)
	})
}
