package mgmt_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestExportKeyOrder checks that GetExport writes members in AWS's order
// (test_apigateway_extended's recorded exports of petstore-swagger.json).
func TestExportKeyOrder(t *testing.T) {
	want := map[string][][]string{
		"swagger": {
			{"swagger", "info", "host", "basePath", "schemes", "paths", "definitions"},
			{"description", "version", "title"},
			{"operationId", "consumes", "produces", "parameters", "responses", "x-amazon-apigateway-integration"},
		},
		"oas30": {
			{"openapi", "info", "servers", "paths", "components"},
			{"title", "description", "version"},
			{"operationId", "requestBody", "responses", "x-amazon-apigateway-integration"},
		},
	}
	for typ, w := range want {
		h := newHarness(t, "111111111111")
		body := strings.ReplaceAll(readFile(t, "testdata/recorded/aws/files/petstore-swagger.json"), "${uri}", "http://example.com/pets")
		id := importAPI(t, h, "", body)
		h.do("POST", "/restapis/"+id+"/deployments", map[string]any{"stageName": "local"})
		res := h.do("GET", "/restapis/"+id+"/stages/local/exports/"+typ+"?extensions=apigateway", nil)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		var paths map[string]map[string]json.RawMessage
		_ = json.Unmarshal(doc["paths"], &paths)
		for i, raw := range [][]byte{res.Body, doc["info"], paths["/pets"]["post"]} {
			if got := memberOrder(t, raw); !slices.Equal(got, w[i]) {
				t.Errorf("%s: member order %v, AWS %v", typ, got, w[i])
			}
		}
	}
}

// memberOrder lists the members of a JSON object in document order.
func memberOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestExportContentType checks GetExport's Content-Type for each Accept:
// application/octet-stream for JSON, as AWS answers the SDKs' Accept:
// application/json (see the recorded export scenarios), and YAML when
// asked for.
func TestExportContentType(t *testing.T) {
	h := newHarness(t, "123456789012")
	id, _ := importWarnings(t, h, "", readFile(t, "testdata/openapi/no-title.yaml"))
	if res := h.do("POST", "/restapis/"+id+"/deployments", map[string]any{"stageName": "dev"}); res.Status != 201 {
		t.Fatalf("deploy: %s", res.Body)
	}
	for accept, want := range map[string]string{"application/json": "application/octet-stream", "": "application/octet-stream",
		"*/*": "application/octet-stream", "application/yaml": "application/yaml"} {
		res := h.doHeader("GET", "/restapis/"+id+"/stages/dev/exports/swagger", accept)
		if ct := res.Header.Get("Content-Type"); res.Status != 200 || ct != want {
			t.Errorf("Accept %q: %d %s, want %s", accept, res.Status, ct, want)
		}
		var doc map[string]any
		isJSON := json.Unmarshal(res.Body, &doc) == nil
		if isJSON == (want == "application/yaml") {
			t.Errorf("Accept %q: body %.60s", accept, res.Body)
		}
	}
}
