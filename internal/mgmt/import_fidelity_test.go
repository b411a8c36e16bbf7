package mgmt_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// importWarnings imports body and returns the new API with its warnings.
func importWarnings(t *testing.T, h *harness, query, body string) (id string, api map[string]any) {
	t.Helper()
	res := h.do("POST", "/restapis?mode=import"+query, body)
	if res.Status != 201 {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	mustUnmarshal(t, res.Body, &api)
	return api["id"].(string), api
}

// integration reads the integration of verb at path.
func integration(t *testing.T, h *harness, id, path, verb string) map[string]any {
	t.Helper()
	for _, it := range getJSON(t, h, "/restapis/"+id+"/resources?embed=methods")["item"].([]any) {
		r := it.(map[string]any)
		if r["path"] == path {
			return getJSON(t, h, "/restapis/"+id+"/resources/"+r["id"].(string)+"/methods/"+verb+"/integration")
		}
	}
	t.Fatalf("no resource %s", path)
	return nil
}

// TestImportResolvesAWSVariables imports the developer guide's "AWS
// variables for OpenAPI import" example (plus the variables in
// credentials, a template, an authorizer and the policy): every
// ${AWS::…} becomes the gateway's account, region and partition.
func TestImportResolvesAWSVariables(t *testing.T) {
	h := newHarness(t, "123456789012")
	id, _ := importWarnings(t, h, "&failonwarnings=true", readFile(t, "testdata/openapi/aws-variables.yaml"))
	get := integration(t, h, id, "/", "GET")
	if want := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:LambdaFunctionName/invocations"; get["uri"] != want {
		t.Errorf("GET / uri = %v, want %s", get["uri"], want)
	}
	post := integration(t, h, id, "/tasks", "POST")
	if post["credentials"] != "arn:aws:iam::123456789012:role/tasks-api-states" || post["uri"] != "arn:aws:apigateway:us-east-1:states:action/StartExecution" {
		t.Errorf("POST /tasks: credentials %v, uri %v", post["credentials"], post["uri"])
	}
	tpl, _ := post["requestTemplates"].(map[string]any)["application/json"].(string)
	if !strings.Contains(tpl, `"arn:aws:states:us-east-1:123456789012:stateMachine:tasks"`) {
		t.Errorf("request template not resolved: %s", tpl)
	}
	auths := getJSON(t, h, "/restapis/"+id+"/authorizers")["item"].([]any)
	au := auths[0].(map[string]any)
	if au["authorizerUri"] != "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tasks-authorizer/invocations" ||
		au["authorizerCredentials"] != "arn:aws:iam::123456789012:role/tasks-api-authorizer" {
		t.Errorf("authorizer: %v", au)
	}
	if p := getJSON(t, h, "/restapis/"+id)["policy"].(string); !strings.Contains(p, `arn:aws:iam::123456789012:root`) || strings.Contains(p, "${") {
		t.Errorf("policy: %s", p)
	}
	// put-rest-api resolves them too.
	res := h.do("PUT", "/restapis/"+id+"?mode=overwrite", readFile(t, "testdata/openapi/aws-variables.yaml"))
	if res.Status != 200 || strings.Contains(string(res.Body), "${AWS::") {
		t.Errorf("put-rest-api: %d %s", res.Status, res.Body)
	}
	if got := integration(t, h, id, "/tasks", "POST")["credentials"]; got != "arn:aws:iam::123456789012:role/tasks-api-states" {
		t.Errorf("after put-rest-api: credentials %v", got)
	}
}

// TestImportUnquotedSwaggerVersion imports a SAM DefinitionBody whose
// swagger: 2.0 and version: 1.0 are numbers, in YAML and in JSON.
func TestImportUnquotedSwaggerVersion(t *testing.T) {
	for _, f := range []string{"sam-swagger-number.yaml", "sam-swagger-number.json"} {
		t.Run(f, func(t *testing.T) {
			h := newHarness(t, "123456789012")
			id, api := importWarnings(t, h, "&failonwarnings=true", readFile(t, "testdata/openapi/"+f))
			// Read as AWS's Java importer reads a number where text is due.
			if api["name"] != "sam-hello" || api["version"] != "1.0" {
				t.Errorf("api: %v", api)
			}
			if in := integration(t, h, id, "/hello", "GET"); in["type"] != "AWS_PROXY" {
				t.Errorf("integration: %v", in)
			}
		})
	}
	h := newHarness(t, "123456789012")
	for _, body := range []string{`{"swagger": 3.0, "info": {"title": "t"}, "paths": {}}`, "openapi: 2.0\ninfo: {title: t}\npaths: {}\n"} {
		if res := h.do("POST", "/restapis?mode=import", body); res.Status != 400 || !strings.Contains(string(res.Body), "Invalid OpenAPI input.") {
			t.Errorf("%s: %d %s", body, res.Status, res.Body)
		}
	}
}

// TestImportRepeatedKeysKeepLast imports a YAML file with two top-level
// paths: keys (as AWS's step-functions XML sample has) and a JSON body
// with a repeated member: the last value wins, with a warning, and
// failonwarnings refuses them.
func TestImportRepeatedKeysKeepLast(t *testing.T) {
	h := newHarness(t, "123456789012")
	body := readFile(t, "testdata/openapi/sfn-xml-two-paths.yaml")
	id, api := importWarnings(t, h, "", body)
	ms := methodsByPath(t, h, id)
	if _, ok := ms["POST /orders"]; !ok || len(ms) != 1 {
		t.Errorf("methods: want only the last paths' POST /orders, got %v", ms)
	}
	ws, _ := json.Marshal(api["warnings"])
	if want := `Duplicate key 'paths' at line 9: the value at line 19 is used`; !strings.Contains(string(ws), want) {
		t.Errorf("warnings = %s, want %q", ws, want)
	}
	in := integration(t, h, id, "/orders", "POST")
	if tpl := in["requestTemplates"].(map[string]any)["application/xml"].(string); !strings.Contains(tpl, "arn:aws:states:us-east-1:123456789012:stateMachine:xml-orders") {
		t.Errorf("template: %s", tpl)
	}
	if res := h.do("POST", "/restapis?mode=import&failonwarnings=true", body); res.Status != 400 || !strings.Contains(string(res.Body), "Duplicate key 'paths'") {
		t.Errorf("failonwarnings: %d %s", res.Status, res.Body)
	}

	js := `{"swagger": "2.0", "info": {"title": "first", "title": "second", "version": "1"},
"paths": {"/a": {"get": {"responses": {}}}, "/a": {"post": {"responses": {}}}}}`
	id, api = importWarnings(t, h, "", js)
	if api["name"] != "second" {
		t.Errorf("name = %v, want the last title", api["name"])
	}
	if ms := methodsByPath(t, h, id); len(ms) != 1 || ms["POST /a"] == nil {
		t.Errorf("methods: %v", ms)
	}
	ws, _ = json.Marshal(api["warnings"])
	for _, want := range []string{"Duplicate key 'info.title' at line 1", "Duplicate key 'paths./a' at line 2"} {
		if !strings.Contains(string(ws), want) {
			t.Errorf("warnings %s lack %q", ws, want)
		}
	}
	// Anchors, aliases and merge keys still work.
	yml := "swagger: '2.0'\ninfo: {title: merged}\nx-base: &base {in: query, required: true}\npaths:\n  /a:\n    get:\n      parameters:\n        - <<: *base\n          name: q\n      responses: {}\n"
	id, api = importWarnings(t, h, "&failonwarnings=true", yml)
	if b, _ := json.Marshal(methodsByPath(t, h, id)); !strings.Contains(string(b), `"method.request.querystring.q":true`) {
		t.Errorf("merge keys: %s", b)
	}
}

// TestImportWithoutTitle names an API whose document has no info.title
// (or no info at all) after the time of the import.
func TestImportWithoutTitle(t *testing.T) {
	h := newHarness(t, "123456789012")
	want := "Imported on 2026-11-24T12:00:00Z" // the harness's clock
	_, api := importWarnings(t, h, "&failonwarnings=true", readFile(t, "testdata/openapi/no-title.yaml"))
	if api["name"] != want || api["description"] != "Health check of the orders service" {
		t.Errorf("api: %v", api)
	}
	_, api = importWarnings(t, h, "", `{"openapi": "3.0.1", "paths": {}}`)
	if api["name"] != want {
		t.Errorf("no info: name %v", api["name"])
	}
	// put-rest-api keeps the API's name.
	id, _ := importWarnings(t, h, "", `{"openapi": "3.0.1", "info": {"title": "named"}, "paths": {}}`)
	res := h.do("PUT", "/restapis/"+id+"?mode=overwrite", readFile(t, "testdata/openapi/no-title.yaml"))
	if res.Status != 200 || !strings.Contains(string(res.Body), `"name":"named"`) {
		t.Errorf("put-rest-api: %d %s", res.Status, res.Body)
	}
	if res := h.do("POST", "/restapis?mode=import", `{"openapi": "3.0.1", "info": "x", "paths": {}}`); res.Status != 400 {
		t.Errorf("info not an object: %d %s", res.Status, res.Body)
	}
}

// TestImportIgnoreDocumentation imports a documented API with
// ignore=documentation (as the CLI sends --parameters
// ignore=documentation, and as parameters[ignore]): no documentation
// parts; put-rest-api with it leaves the existing parts alone.
func TestImportIgnoreDocumentation(t *testing.T) {
	h := newHarness(t, "123456789012")
	body := readFile(t, "testdata/openapi/documented-pets.json")
	parts := func(id string) int {
		l, _ := getJSON(t, h, "/restapis/"+id+"/documentation/parts")["item"].([]any)
		return len(l)
	}
	for _, q := range []string{"&ignore=documentation", "&parameters%5Bignore%5D=documentation"} {
		if id, _ := importWarnings(t, h, q, body); parts(id) != 0 {
			t.Errorf("%s: %d documentation parts imported", q, parts(id))
		}
	}
	id, _ := importWarnings(t, h, "", body)
	if parts(id) != 4 {
		t.Fatalf("without ignore: %d parts, want 4", parts(id))
	}
	undocumented := strings.Replace(body, `"x-amazon-apigateway-documentation"`, `"x-unused"`, 1)
	if res := h.do("PUT", "/restapis/"+id+"?mode=overwrite&ignore=documentation", undocumented); res.Status != 200 {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	if parts(id) != 4 {
		t.Errorf("put-rest-api overwrite with ignore=documentation: %d parts, want the 4 kept", parts(id))
	}
	if res := h.do("PUT", "/restapis/"+id+"?mode=overwrite", undocumented); res.Status != 200 || parts(id) != 0 {
		t.Errorf("put-rest-api overwrite: %d parts, want 0", parts(id))
	}
}
