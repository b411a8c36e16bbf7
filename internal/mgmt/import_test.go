package mgmt_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// importAPI imports body and returns the new API's id.
func importAPI(t *testing.T, h *harness, query, body string) string {
	t.Helper()
	res := h.do("POST", "/restapis?mode=import"+query, body)
	if res.Status != 201 {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	var api struct{ ID string }
	mustUnmarshal(t, res.Body, &api)
	return api.ID
}

// getJSON GETs path and decodes the body.
func getJSON(t *testing.T, h *harness, path string) map[string]any {
	t.Helper()
	res := h.do("GET", path, nil)
	if res.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
	}
	var out map[string]any
	mustUnmarshal(t, res.Body, &out)
	return out
}

// methodsByPath reads every method of an API keyed by "VERB path", with
// identifiers removed so that two APIs compare equal.
func methodsByPath(t *testing.T, h *harness, id string) map[string]any {
	t.Helper()
	res := getJSON(t, h, "/restapis/"+id+"/resources?embed=methods")
	out := map[string]any{}
	for _, it := range res["item"].([]any) {
		r := it.(map[string]any)
		ms, _ := r["resourceMethods"].(map[string]any)
		for verb, m := range ms {
			mm := m.(map[string]any)
			delete(mm, "authorizerId")
			delete(mm, "requestValidatorId")
			if in, ok := mm["methodIntegration"].(map[string]any); ok {
				delete(in, "cacheNamespace")
			}
			out[verb+" "+r["path"].(string)] = mm
		}
	}
	return out
}

func TestImportEveryExtension(t *testing.T) {
	h := newHarness(t, "111111111111")
	id := importAPI(t, h, "&basepath=prepend&failonwarnings=true", readFile(t, "testdata/openapi/extensions.yaml"))
	api := getJSON(t, h, "/restapis/"+id)
	for k, want := range map[string]any{"name": "every-extension", "version": "7", "apiKeySource": "AUTHORIZER",
		"minimumCompressionSize": 1024.0, "disableExecuteApiEndpoint": true} {
		if api[k] != want {
			t.Errorf("api.%s = %v, want %v", k, api[k], want)
		}
	}
	if !strings.Contains(api["policy"].(string), "arn:aws:execute-api:us-east-1:111111111111:"+id+"/*") {
		t.Errorf("policy not expanded: %v", api["policy"])
	}
	ms := methodsByPath(t, h, id)
	get, _ := ms["GET /v1/pets/{id}"].(map[string]any)
	if get == nil {
		t.Fatalf("no GET /v1/pets/{id}: %v", ms)
	}
	b, _ := json.Marshal(get)
	for _, want := range []string{`"authorizationType":"CUSTOM"`, `"apiKeyRequired":true`, `"operationName":"getPet"`,
		`"method.request.querystring.q":true`, `"method.request.header.X-H":false`, `"method.request.path.id":true`,
		`"passthroughBehavior":"WHEN_NO_TEMPLATES"`, `"timeoutInMillis":5000`, `"contentHandling":"CONVERT_TO_TEXT"`,
		`"insecureSkipVerification":true`, `"selectionPattern":"4\\d{2}"`, `"responseModels":{"application/json":"Pet"}`,
		`"method.response.header.X-Out":false`, `"cacheKeyParameters":["method.request.path.id"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GET method lacks %s: %s", want, b)
		}
	}
	post, _ := json.Marshal(ms["POST /v1/pets/{id}"])
	for _, want := range []string{`"authorizationType":"AWS_IAM"`, `"requestModels":{"application/json":"Pet"}`, `"type":"AWS_PROXY"`} {
		if !strings.Contains(string(post), want) {
			t.Errorf("POST method lacks %s: %s", want, post)
		}
	}
	anyM, _ := json.Marshal(ms["ANY /v1/pets/{id}"])
	if !strings.Contains(string(anyM), `"authorizationType":"NONE"`) {
		t.Errorf("x-amazon-apigateway-auth NONE not applied: %s", anyM)
	}
	pet := getJSON(t, h, "/restapis/"+id+"/models/Pet")
	if !strings.Contains(pet["schema"].(string), "https://apigateway.amazonaws.com/restapis/"+id+"/models/Tag") {
		t.Errorf("model $ref not rewritten: %v", pet["schema"])
	}
	vals, _ := json.Marshal(getJSON(t, h, "/restapis/"+id+"/requestvalidators"))
	auths, _ := json.Marshal(getJSON(t, h, "/restapis/"+id+"/authorizers"))
	grs, _ := json.Marshal(getJSON(t, h, "/restapis/"+id+"/gatewayresponses/DEFAULT_4XX"))
	docs, _ := json.Marshal(getJSON(t, h, "/restapis/"+id+"/documentation/parts"))
	for what, pair := range map[string][2]string{
		"validators": {string(vals), `"name":"params"`}, "authorizers": {string(auths), `"COGNITO_USER_POOLS"`},
		"gateway response": {string(grs), `"statusCode":"418"`}, "docs": {string(docs), `the API`},
	} {
		if !strings.Contains(pair[0], pair[1]) {
			t.Errorf("%s lacks %s: %s", what, pair[1], pair[0])
		}
	}
}

// TestImportExportRoundTrip imports each file, deploys it, exports it
// with every extension (JSON and YAML, Swagger and OAS 3) and imports the
// export: the methods, models and API settings must come back unchanged.
func TestImportExportRoundTrip(t *testing.T) {
	files := []string{"testdata/openapi/extensions.yaml",
		"testdata/recorded/aws/files/petstore-authorizer.swagger.json",
		"testdata/recorded/aws/files/openapi.cognito-auth.json",
		"testdata/recorded/aws/files/swagger-mock-cors.json"}
	for _, f := range files {
		for _, typ := range []string{"swagger", "oas30"} {
			for _, accept := range []string{"application/json", "application/yaml"} {
				t.Run(filepath.Base(f)+"/"+typ+"/"+accept, func(t *testing.T) {
					h := newHarness(t, "111111111111")
					body := strings.ReplaceAll(readFile(t, f), "${uri}", "http://example.com/pets")
					body = strings.ReplaceAll(body, "${cognito_pool_arn}", "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_A")
					body = strings.ReplaceAll(body, "account-id", "000000000000")
					id := importAPI(t, h, "", body)
					if res := h.do("POST", "/restapis/"+id+"/deployments", map[string]any{"stageName": "dev"}); res.Status != 201 {
						t.Fatalf("deploy: %s", res.Body)
					}
					res := h.doHeader("GET", "/restapis/"+id+"/stages/dev/exports/"+typ+"?extensions=apigateway", accept)
					if res.Status != 200 {
						t.Fatalf("export: %d %s", res.Status, res.Body)
					}
					id2 := importAPI(t, h, "&failonwarnings=true", string(res.Body))
					a, b := methodsByPath(t, h, id), methodsByPath(t, h, id2)
					ab, _ := json.Marshal(a)
					bb, _ := json.Marshal(b)
					if string(ab) != string(bb) {
						t.Errorf("round trip changed methods\n first %s\nsecond %s\nexport %s", ab, bb, res.Body)
					}
					for _, k := range []string{"name", "description", "version", "binaryMediaTypes", "apiKeySource", "minimumCompressionSize", "policy"} {
						x, y := getJSON(t, h, "/restapis/"+id)[k], getJSON(t, h, "/restapis/"+id2)[k]
						xb, _ := json.Marshal(x)
						yb, _ := json.Marshal(y)
						// The exported policy carries full ARNs, which an import keeps.
						if string(xb) != string(yb) {
							t.Errorf("api.%s: %s then %s", k, xb, yb)
						}
					}
				})
			}
		}
	}
}

// TestImportBadInput checks that rejected documents leave nothing behind:
// the store revision does not move.
func TestImportBadInput(t *testing.T) {
	h := newHarness(t, "111111111111")
	id := importAPI(t, h, "", `{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{}}}}}`)
	bad := map[string]string{
		"not yaml":              "openapi: [",
		"not openapi":           `{"hello":"world"}`,
		"scalar":                "just text",
		"bad integration":       `{"swagger":"2.0","info":{"title":"t"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"nope"}}}}}`,
		"bad ref":               `{"swagger":"2.0","info":{"title":"t"},"paths":{"/a":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/Missing"}}}}}}}`,
		"half path parameter":   `{"swagger":"2.0","info":{"title":"t"},"paths":{"/a/x{b}":{"get":{}}}}`,
		"bad gateway response":  `{"swagger":"2.0","info":{"title":"t"},"paths":{},"x-amazon-apigateway-gateway-responses":{"NOPE":{}}}`,
		"warnings fail":         `{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"mock","requestParameters":{"integration.request.header.x":true}}}}}}`,
		"unknown validator":     `{"swagger":"2.0","info":{"title":"t"},"paths":{"/a":{"get":{"x-amazon-apigateway-request-validator":"v"}}}}`,
		"bad compression size":  `{"swagger":"2.0","info":{"title":"t"},"paths":{},"x-amazon-apigateway-minimum-compression-size":-1}`,
		"second resource fails": `{"swagger":"2.0","info":{"title":"t"},"paths":{"/a":{"get":{}},"/b":{"get":{"x-amazon-apigateway-integration":{"type":"http","uri":"not a url","httpMethod":"GET"}}}}}`,
	}
	for name, body := range bad {
		before, err := h.store.Revision(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range [][2]string{{"POST", "/restapis?mode=import&failonwarnings=true"}, {"PUT", "/restapis/" + id + "?mode=overwrite&failonwarnings=true"}} {
			res := h.do(req[0], req[1], body)
			if res.Status != 400 || res.ErrorType != "BadRequestException" {
				t.Errorf("%s: %s: got %d %s %s, want 400", name, req[0], res.Status, res.ErrorType, res.Body)
			}
		}
		after, _ := h.store.Revision(context.Background())
		if after != before {
			t.Errorf("%s: store revision moved from %d to %d", name, before, after)
		}
	}
	if res := h.do("POST", "/restapis?mode=import", "openapi: ["); !strings.Contains(string(res.Body), "Invalid OpenAPI input.") {
		t.Errorf("bad YAML message: %s", res.Body)
	}
}

// doHeader is a GET-style call with an Accept header.
func (h *harness) doHeader(method, path, accept string) response {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	res := rec.Result()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, ErrorType: headerFold(res.Header, "x-amzn-ErrorType"), Header: res.Header, Body: out}
}
