package mgmt_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// FuzzDispatch sends arbitrary methods, paths and bodies through request
// decoding and dispatch against a live store. Bad input must get an AWS
// error (4xx), never a 500 or a panic.
func FuzzDispatch(f *testing.F) {
	for _, st := range goldenScenario() {
		f.Add(uint8(indexOf(fuzzMethods, st.method)), strings.NewReplacer("{{api}}", "aaaaaaaaa1", "{{root}}", "aaaaaaaaa2").Replace(st.path), st.bodyText())
	}
	// apigatewayv2: the seeds aim at the quick-created API made below
	// (api aaaaaaaaa3, integration aaaaaa4, route aaaaaa5, deployment aaaaa6).
	v2ids := strings.NewReplacer("{{api}}", "aaaaaaaaa3", "{{quick}}", "aaaaaaaaa3", "{{quick2}}", "aaaaaaaaa3",
		"{{http}}", "aaaaaa4", "{{fn}}", "aaaaaa4", "{{pet}}", "aaaaaa5", "{{def}}", "aaaaaa5", "{{dep}}", "aaaaa6")
	for _, st := range goldenV2Scenario() {
		f.Add(uint8(indexOf(fuzzMethods, st.method)), v2ids.Replace(st.path), v2ids.Replace(st.bodyText()))
	}
	f.Add(uint8(3), "/v2/apis/aaaaaaaaa3/integrations/aaaaaa4", `{"responseParameters":{"200":null,"300":{"a":null}},"requestParameters":{"x":null}}`)
	f.Add(uint8(3), "/v2/apis/aaaaaaaaa3/stages/%24default", `{"routeSettings":{"$default":null},"defaultRouteSettings":null}`)
	f.Add(uint8(1), "/restapis", `{"name":"a","endpointConfiguration":{"types":[1,2]},"tags":{"x":null}}`)
	f.Add(uint8(3), "/restapis/aaaaaaaaa1", `{"patchOperations":[{"op":"copy","path":"/a/~1~0/b","from":null}]}`)
	f.Add(uint8(3), "/restapis/aaaaaaaaa1/stages/s", `{"patchOperations":[{"op":"remove","path":"/"}]}`)
	h := newHarness(f, "000000000000")
	// A fixed API to aim at: the seeds' ids resolve to it.
	if res := h.do("POST", "/restapis", `{"name":"fuzz"}`); res.Status != 201 {
		f.Fatalf("setup: %d %s", res.Status, res.Body)
	}
	if res := h.do("POST", "/v2/apis", `{"name":"fuzz","protocolType":"HTTP","target":"https://example.com"}`); res.Status != 201 {
		f.Fatalf("setup: %d %s", res.Status, res.Body)
	}
	// A WebSocket API with a document of every WebSocket kind; the
	// WebSocket scenario's steps aim at it.
	ws := fuzzWebSocketAPI(f, h)
	for _, st := range goldenWebSocketScenario() {
		f.Add(uint8(indexOf(fuzzMethods, st.method)), ws.Replace(st.path), ws.Replace(st.bodyText()))
	}
	f.Add(uint8(1), ws.Replace("/v2/apis/{{ws}}/integrations/{{mock}}/integrationresponses"), `{"integrationResponseKey":"/(?i)x/","responseTemplates":{"a":"#set($a = $b.c($d)#end"}}`)
	f.Add(uint8(1), ws.Replace("/v2/apis/{{ws}}/models"), `{"name":"N","schema":"{\"properties\":{\"a\":{\"$ref\":\"#/definitions/x\"}},\"definitions\":{\"x\":{\"items\":[{}]}}}"}`)
	f.Fuzz(func(t *testing.T, m uint8, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if _, err := url.ParseRequestURI(path); err != nil || strings.ContainsAny(path, " \t\r\n#") {
			return // not a request line a client could send
		}
		res := h.doT(t, fuzzMethods[int(m)%len(fuzzMethods)], path, body)
		if res.Status >= 500 {
			t.Fatalf("%s %q %q → %d %s %s\n%s", fuzzMethods[int(m)%len(fuzzMethods)], path, body, res.Status, res.ErrorType, res.Body, h.logs.String())
		}
		if strings.Contains(h.logs.String(), "panic") {
			t.Fatalf("handler panicked on %q %q:\n%s", path, body, h.logs.String())
		}
	})
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

// bodyText is a golden step's body as the text a client sends.
func (st goldenStep) bodyText() string {
	switch b := st.body.(type) {
	case string:
		return b
	case nil:
		return ""
	default:
		return mustJSON(b)
	}
}

// fuzzWebSocketAPI makes a WebSocket API with an integration, a route, a
// route response, an integration response and a model, and returns the
// replacer that points the WebSocket scenario's placeholders at them.
func fuzzWebSocketAPI(f *testing.F, h *harness) *strings.Replacer {
	f.Helper()
	ids := map[string]string{}
	create := func(name, path, body, field string) {
		res := h.do("POST", path, body)
		var out map[string]any
		if res.Status != 201 || json.Unmarshal(res.Body, &out) != nil {
			f.Fatalf("setup %s: %d %s", name, res.Status, res.Body)
		}
		ids[name], _ = out[field].(string)
	}
	create("ws", "/v2/apis", `{"name":"fuzz","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`, "apiId")
	base := "/v2/apis/" + ids["ws"]
	create("mock", base+"/integrations", `{"integrationType":"MOCK"}`, "integrationId")
	create("msg", base+"/routes", `{"routeKey":"sendMessage","target":"integrations/`+ids["mock"]+`","routeResponseSelectionExpression":"$default"}`, "routeId")
	create("rr", base+"/routes/"+ids["msg"]+"/routeresponses", `{"routeResponseKey":"$default"}`, "routeResponseId")
	create("ir", base+"/integrations/"+ids["mock"]+"/integrationresponses", `{"integrationResponseKey":"$default"}`, "integrationResponseId")
	create("model", base+"/models", `{"name":"Message","schema":"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"}`, "modelId")
	var pairs []string
	for _, name := range []string{"ws", "mock", "msg", "rr", "ir", "model"} {
		pairs = append(pairs, "{{"+name+"}}", ids[name])
	}
	for _, alias := range [][2]string{{"proxy", "mock"}, {"lambda", "mock"}, {"http", "mock"}, {"connect", "msg"}, {"say", "msg"}, {"ir4", "ir"}, {"user", "model"}} {
		pairs = append(pairs, "{{"+alias[0]+"}}", ids[alias[1]])
	}
	return strings.NewReplacer(pairs...)
}
