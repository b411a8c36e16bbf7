package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

const bodyInternal = `{"message": "Internal server error"}`

// TestDataplaneHTTPIntegration: a non-proxy HTTP integration sends only
// what its request parameters map, chooses the integration response by
// selectionPattern against the backend status and returns only mapped
// headers.
func TestDataplaneHTTPIntegration(t *testing.T) {
	dp := startDataPlane(t, "")
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Backend", "b1")
		w.Header().Set("X-Not-Mapped", "secret")
		w.Header().Set("Content-Type", "application/json")
		status := 200
		if i := strings.LastIndexByte(r.URL.Path, '/'); i >= 0 {
			if n, err := strconv.Atoi(r.URL.Path[i+1:]); err == nil && n >= 200 {
				status = n
			}
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery, "header": r.Header, "body": string(body),
		})
	}))
	defer backend.Close()

	a := dp.newAPI(t, "http")
	const res = "/items/{id}"
	a.method(t, res, "GET", map[string]any{"requestParameters": map[string]bool{
		"method.request.header.y":      false,
		"method.request.querystring.q": false,
		"method.request.path.id":       true,
	}})
	a.integration(t, res, "GET", map[string]any{
		"type": "HTTP", "httpMethod": "POST", "uri": backend.URL + "/backend/{itemId}",
		"requestParameters": map[string]string{
			"integration.request.header.x":       "method.request.header.y",
			"integration.request.querystring.qq": "method.request.querystring.q",
			"integration.request.path.itemId":    "method.request.path.id",
			"integration.request.header.static":  "'static-value'",
			"integration.request.header.color":   "stageVariables.color",
			"integration.request.header.rid":     "context.requestId",
			"integration.request.header.absent":  "stageVariables.nope",
		},
	})
	a.methodResponse(t, res, "GET", "200", map[string]any{"responseParameters": map[string]bool{
		"method.response.header.X-Out": false, "method.response.header.X-Lit": false,
	}})
	a.methodResponse(t, res, "GET", "400", nil)
	a.integrationResponse(t, res, "GET", "200", map[string]any{"responseParameters": map[string]string{
		"method.response.header.X-Out": "integration.response.header.X-Backend",
		"method.response.header.X-Lit": "'lit'",
	}})
	a.integrationResponse(t, res, "GET", "400", map[string]any{
		"selectionPattern":  `4\d{2}`,
		"responseTemplates": map[string]any{"application/json": `{"error":"client","stage":"$context.stage"}`},
	})

	// A method whose only integration response has a pattern.
	a.method(t, "/strict/{code}", "GET", map[string]any{"requestParameters": map[string]bool{"method.request.path.code": true}})
	a.integration(t, "/strict/{code}", "GET", map[string]any{
		"type": "HTTP", "httpMethod": "GET", "uri": backend.URL + "/strict/{code}",
		"requestParameters": map[string]string{"integration.request.path.code": "method.request.path.code"},
	})
	a.methodResponse(t, "/strict/{code}", "GET", "400", nil)
	a.integrationResponse(t, "/strict/{code}", "GET", "400", map[string]any{"selectionPattern": `4\d{2}`})
	a.deploy(t, "s")
	a.patchStage(t, "s", replaceOp("/variables/color", "blue"))

	var got struct {
		Method, Path, Query, Body string
		Header                    http.Header
	}
	eventually(t, "HTTP integration with stage variable", func() error {
		r, err := dp.send(t, "GET", a.url("s", "/items/42?q=hello%20world&other=1"), http.Header{"Y": {"why"}, "Z": {"zed"}}, nil)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Header.Get("Color") != "blue" {
			return errorf("got %s", r)
		}
		if r.Status != 200 || r.Header.Get("X-Out") != "b1" || r.Header.Get("X-Lit") != "lit" {
			t.Errorf("method response: %s %v", r, r.Header)
		}
		if r.Header.Get("X-Not-Mapped") != "" || r.Header.Get("X-Backend") != "" {
			t.Errorf("unmapped backend headers passed through: %v", r.Header)
		}
		if got.Header.Get("Rid") != r.Header.Get("x-amzn-RequestId") {
			t.Errorf("context.requestId %q, response x-amzn-RequestId %q", got.Header.Get("Rid"), r.Header.Get("x-amzn-RequestId"))
		}
		return nil
	})
	if got.Method != "POST" || got.Path != "/backend/42" {
		t.Errorf("backend request: %s %s", got.Method, got.Path)
	}
	if got.Query != "qq=hello+world" && got.Query != "qq=hello%20world" {
		t.Errorf("query %q", got.Query)
	}
	if got.Header.Get("X") != "why" || got.Header.Get("Static") != "static-value" {
		t.Errorf("mapped headers: %v", got.Header)
	}
	if got.Header.Get("Y") != "" || got.Header.Get("Z") != "" || got.Header.Get("Absent") != "" {
		t.Errorf("unmapped method request headers reached the backend: %v", got.Header)
	}

	// Backend status → integration response → method status.
	r := dp.do(t, "GET", a.url("s", "/items/404"), nil, nil)
	expect(t, "backend 404 → 4\\d{2} → 400", r, 400, `{"error":"client","stage":"s"}`)
	if r.Header.Get("X-Out") != "" || r.Header.Get("X-Not-Mapped") != "" {
		t.Errorf("400 response carries headers it does not map: %v", r.Header)
	}
	r = dp.do(t, "GET", a.url("s", "/items/503"), nil, nil)
	if r.Status != 200 || !strings.Contains(r.Body, `"path":"/backend/503"`) {
		t.Errorf("backend 503 with no matching pattern → default 200: %s", r)
	}
	// Path parameters are substituted as sent (not decoded twice).
	r = dp.do(t, "GET", a.url("s", "/items/a%2Fb"), nil, nil)
	if r.Status != 200 || !strings.Contains(r.Body, `"path":"/backend/a%2Fb"`) {
		t.Errorf("escaped path parameter: %s", r)
	}

	r = dp.do(t, "GET", a.url("s", "/strict/418"), nil, nil)
	if r.Status != 400 {
		t.Errorf("strict 418: %s", r)
	}
	r = dp.do(t, "GET", a.url("s", "/strict/200"), nil, nil)
	expect(t, "no matching integration response, no default", r, 500, bodyInternal)
	if r.Header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("x-amzn-ErrorType %q", r.Header.Get("x-amzn-ErrorType"))
	}
	checkIDs(t, "500", r)
}

var errorf = fmt.Errorf

// TestDataplaneMock: MOCK status from the request template, response
// templates chosen by Accept, passthrough behaviours.
func TestDataplaneMock(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "mock")
	mockWith := func(path string, integ map[string]any, responses map[string]map[string]any) {
		a.method(t, path, "POST", nil)
		body := map[string]any{"type": "MOCK"}
		for k, v := range integ {
			body[k] = v
		}
		a.integration(t, path, "POST", body)
		for code, ir := range responses {
			a.methodResponse(t, path, "POST", code, nil)
			a.integrationResponse(t, path, "POST", code, ir)
		}
	}
	jsonOnly := func(s string) map[string]any { return map[string]any{"application/json": s} }
	ok := map[string]map[string]any{"200": {"responseTemplates": jsonOnly(`{"ok":true}`)}}

	mockWith("/strict", map[string]any{"requestTemplates": jsonOnly(`{"statusCode": 200}`)}, ok)
	mockWith("/cdk", map[string]any{"requestTemplates": jsonOnly(`{ statusCode: 200 }`)}, ok)
	mockWith("/status", map[string]any{"requestTemplates": jsonOnly(`{"statusCode": 404}`)}, map[string]map[string]any{
		"200": {"responseTemplates": jsonOnly(`{"ok":true}`)},
		"404": {"selectionPattern": "404", "responseTemplates": jsonOnly(`{"found":false}`)},
	})
	mockWith("/nostatus", map[string]any{"requestTemplates": jsonOnly(`{"hello": "world"}`)}, ok)
	mockWith("/accept", map[string]any{"requestTemplates": jsonOnly(`{"statusCode": 200}`)}, map[string]map[string]any{
		"200": {"responseTemplates": map[string]any{
			"application/json": `{"t":"json"}`,
			"application/xml":  `<t>xml</t>`,
			"text/plain":       `plain`,
		}},
	})
	mockWith("/never", map[string]any{"requestTemplates": jsonOnly(`{"statusCode": 200}`), "passthroughBehavior": "NEVER"}, ok)
	mockWith("/notemplates", map[string]any{"requestTemplates": jsonOnly(`{"statusCode": 200}`), "passthroughBehavior": "WHEN_NO_TEMPLATES"}, ok)
	a.method(t, "/nevernone", "POST", nil)
	a.integration(t, "/nevernone", "POST", map[string]any{"type": "MOCK", "passthroughBehavior": "NEVER"})
	a.deploy(t, "s")

	ct := func(v string) http.Header { return http.Header{"Content-Type": {v}} }
	post := func(path string, h http.Header) result {
		return dp.do(t, "POST", a.url("s", path), h, strings.NewReader(`{"statusCode": 201}`))
	}
	eventually(t, "mock deployed", func() error {
		if r := post("/strict", nil); r.Status != 200 {
			return errorf("%s", r)
		}
		return nil
	})
	expect(t, `{"statusCode": 200}`, post("/strict", ct("application/json")), 200, `{"ok":true}`)
	expect(t, `{ statusCode: 200 }`, post("/cdk", ct("application/json")), 200, `{"ok":true}`)
	expect(t, `statusCode 404`, post("/status", nil), 404, `{"found":false}`)
	r := post("/nostatus", nil)
	expect(t, "no statusCode", r, 500, bodyInternal)

	for accept, want := range map[string][2]string{
		"":                                    {`{"t":"json"}`, "application/json"},
		"application/xml":                     {`<t>xml</t>`, "application/xml"},
		"text/plain":                          {`plain`, "text/plain"},
		"application/xml;q=0.9, text/plain":   {`<t>xml</t>`, "application/xml"},
		"text/html":                           {`{"t":"json"}`, "application/json"},
		"application/json, application/xml":   {`{"t":"json"}`, "application/json"},
		"text/plain; charset=utf-8, text/csv": {`plain`, "text/plain"},
	} {
		h := http.Header{}
		if accept != "" {
			h.Set("Accept", accept)
		}
		r := post("/accept", h)
		expect(t, "Accept "+accept, r, 200, want[0])
		if got := r.Header.Get("Content-Type"); got != want[1] {
			t.Errorf("Accept %q: Content-Type %q, want %q", accept, got, want[1])
		}
	}

	const bodyUMT = `{"message":"Unsupported Media Type"}`
	expect(t, "NEVER, matching type", post("/never", ct("application/json")), 200, `{"ok":true}`)
	expect(t, "NEVER, no Content-Type (= application/json)", post("/never", nil), 200, `{"ok":true}`)
	r = post("/never", ct("text/plain"))
	expect(t, "NEVER, unmatched type", r, 415, bodyUMT)
	checkIDs(t, "415", r)
	if r.Header.Get("x-amzn-ErrorType") == "" {
		t.Error("415 without x-amzn-ErrorType")
	}
	expect(t, "WHEN_NO_TEMPLATES, unmatched type", post("/notemplates", ct("application/xml")), 415, bodyUMT)
	expect(t, "WHEN_NO_TEMPLATES, matching type", post("/notemplates", ct("application/json")), 200, `{"ok":true}`)
	expect(t, "NEVER without templates", post("/nevernone", ct("application/json")), 415, bodyUMT)
}
