package mgmt_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestResponseTransferMode imports the developer guide's streaming
// example (STREAM, 900000 ms), exports it, and checks the member on
// PutIntegration, UpdateIntegration and GetIntegration.
func TestResponseTransferMode(t *testing.T) {
	h := newHarness(t, "123456789012")
	id, _ := importWarnings(t, h, "&failonwarnings=true", readFile(t, "testdata/openapi/response-streaming.yaml"))
	in := integration(t, h, id, "/streaming", "GET")
	if in["responseTransferMode"] != "STREAM" || in["timeoutInMillis"] != 900000.0 {
		t.Fatalf("imported integration: %v", in)
	}
	if res := h.do("POST", "/restapis/"+id+"/deployments", map[string]any{"stageName": "prod"}); res.Status != 201 {
		t.Fatalf("deploy: %s", res.Body)
	}
	for _, accept := range []string{"application/json", "application/yaml"} {
		res := h.doHeader("GET", "/restapis/"+id+"/stages/prod/exports/oas30?extensions=integrations", accept)
		var doc map[string]any
		if err := yaml.Unmarshal(res.Body, &doc); err != nil {
			t.Fatalf("export %s: %v", accept, err)
		}
		x := doc["paths"].(map[string]any)["/streaming"].(map[string]any)["get"].(map[string]any)["x-amazon-apigateway-integration"].(map[string]any)
		if x["responseTransferMode"] != "STREAM" || x["timeoutInMillis"] != 900000 {
			t.Errorf("export %s: %v", accept, x)
		}
		// The export imports again, unchanged.
		id2, _ := importWarnings(t, h, "&failonwarnings=true", string(res.Body))
		if in2 := integration(t, h, id2, "/streaming", "GET"); in2["responseTransferMode"] != "STREAM" {
			t.Errorf("re-import of the %s export: %v", accept, in2)
		}
	}

	var resID string
	for _, it := range getJSON(t, h, "/restapis/"+id+"/resources")["item"].([]any) {
		if r := it.(map[string]any); r["path"] == "/streaming" {
			resID = r["id"].(string)
		}
	}
	path := "/restapis/" + id + "/resources/" + resID + "/methods/GET/integration"
	// In order: the last accepted one leaves STREAM with 15 minutes.
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		errMsg string
	}{
		{"buffered", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "responseTransferMode": "BUFFERED"}, 201, ""},
		{"stream too long", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "responseTransferMode": "STREAM", "timeoutInMillis": 900001}, 400, "Timeout should be between 50 ms and 900000 ms"},
		{"buffered too long", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "timeoutInMillis": 30000}, 400, "Timeout should be between 50 ms and 29000 ms"},
		{"stream not a proxy", map[string]any{"type": "MOCK", "responseTransferMode": "STREAM"}, 400, "only supported for HTTP_PROXY and AWS_PROXY"},
		{"not a mode", map[string]any{"type": "MOCK", "responseTransferMode": "CHUNKED"}, 400, "Member must satisfy enum value set: [BUFFERED, STREAM]"},
		{"stream 15 minutes", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": "https://example.com", "responseTransferMode": "STREAM", "timeoutInMillis": 900000}, 201, ""},
	} {
		res := h.do("PUT", path, c.body)
		if res.Status != c.status || !strings.Contains(string(res.Body), c.errMsg) {
			t.Errorf("%s: %d %s", c.name, res.Status, res.Body)
		}
		if c.status == 201 && !strings.Contains(string(res.Body), `"responseTransferMode":"`+c.body["responseTransferMode"].(string)+`"`) {
			t.Errorf("%s: answer lacks the mode: %s", c.name, res.Body)
		}
	}
	patch := func(value string) response {
		return h.do("PATCH", path, map[string]any{"patchOperations": []any{map[string]any{"op": "replace", "path": "/responseTransferMode", "value": value}}})
	}
	var res response
	if res = patch("BUFFERED"); res.Status != 400 || !strings.Contains(string(res.Body), "Timeout should be between 50 ms and 29000 ms") {
		t.Errorf("BUFFERED with a 15-minute timeout: %d %s", res.Status, res.Body)
	}
	if res := patch("SOMETIMES"); res.Status != 400 || !strings.Contains(string(res.Body), "Invalid response transfer mode") {
		t.Errorf("bad mode: %d %s", res.Status, res.Body)
	}
	if in := integration(t, h, id, "/streaming", "GET"); in["responseTransferMode"] != "STREAM" {
		t.Errorf("a refused update changed the integration: %v", in)
	}
	res = h.do("PATCH", path, map[string]any{"patchOperations": []any{
		map[string]any{"op": "replace", "path": "/timeoutInMillis", "value": "29000"},
		map[string]any{"op": "replace", "path": "/responseTransferMode", "value": "BUFFERED"}}})
	if res.Status != 200 || !strings.Contains(string(res.Body), `"responseTransferMode":"BUFFERED"`) {
		t.Errorf("update to BUFFERED: %d %s", res.Status, res.Body)
	}
	if res := patch("STREAM"); res.Status != 200 || !strings.Contains(string(res.Body), `"responseTransferMode":"STREAM"`) {
		t.Errorf("update to STREAM: %d %s", res.Status, res.Body)
	}
	bad := strings.Replace(readFile(t, "testdata/openapi/response-streaming.yaml"), `"http_proxy"`, `"http"`, 1)
	if res := h.do("POST", "/restapis?mode=import", bad); res.Status != 400 || !strings.Contains(string(res.Body), "STREAM is only supported") {
		t.Errorf("import STREAM on http: %d %s", res.Status, res.Body)
	}
}
