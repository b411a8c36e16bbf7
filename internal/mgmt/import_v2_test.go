package mgmt_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// v2Import imports body with ImportApi (query: "?basepath=...") and
// returns the API as answered; the call must succeed.
func v2Import(t *testing.T, h *harness, query, body string) map[string]any {
	t.Helper()
	res := h.do("PUT", "/v2/apis"+query, map[string]any{"body": body})
	if res.Status != 201 {
		t.Fatalf("ImportApi%s: %d %s", query, res.Status, res.Body)
	}
	var api map[string]any
	mustUnmarshal(t, res.Body, &api)
	return api
}

// v2Items lists a collection of an API.
func v2Items(t *testing.T, h *harness, apiID, what string) []map[string]any {
	t.Helper()
	res := h.do("GET", "/v2/apis/"+apiID+"/"+what, nil)
	if res.Status != 200 {
		t.Fatalf("GET %s: %d %s", what, res.Status, res.Body)
	}
	var out struct{ Items []map[string]any }
	mustUnmarshal(t, res.Body, &out)
	return out.Items
}

// apiRouteKeys lists an API's route keys, sorted.
func apiRouteKeys(t *testing.T, h *harness, apiID string) []string {
	t.Helper()
	var keys []string
	for _, rt := range v2Items(t, h, apiID, "routes") {
		keys = append(keys, rt["routeKey"].(string))
	}
	sort.Strings(keys)
	return keys
}

// byID indexes items by an id member.
func byID(items []map[string]any, member string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, it := range items {
		out[it[member].(string)] = it
	}
	return out
}

// TestImportApiFixtures imports the real-world definitions in
// testdata/openapi-http (see its README for their sources) and checks what
// each defines.
func TestImportApiFixtures(t *testing.T) {
	h := newHarness(t, "000000000000")
	t.Run("pets (developer guide example)", func(t *testing.T) {
		api := v2Import(t, h, "", readFile(t, "testdata/openapi-http/pets.json"))
		id := api["apiId"].(string)
		if api["name"] != "Example Pet Store" || api["description"] != "A Pet Store API." || api["version"] != "1.0" || api["protocolType"] != "HTTP" {
			t.Errorf("api: %v", api)
		}
		wantCors := map[string]any{"allowOrigins": []any{"*"}, "allowMethods": []any{"GET", "OPTIONS", "POST"},
			"allowHeaders": []any{"x-amzm-header", "x-apigateway-header", "x-api-key", "authorization", "x-amz-date", "content-type"}}
		if !reflect.DeepEqual(api["corsConfiguration"], wantCors) {
			t.Errorf("cors: %v", api["corsConfiguration"])
		}
		// requestBody and schemas are valid OpenAPI that HTTP APIs ignore:
		// info, not warnings [D].
		if info, _ := api["importInfo"].([]any); len(info) != 2 || api["warnings"] != nil {
			t.Errorf("importInfo %v, warnings %v", api["importInfo"], api["warnings"])
		}
		if got := apiRouteKeys(t, h, id); !reflect.DeepEqual(got, []string{"GET /pets", "GET /pets/{petId}", "POST /pets"}) {
			t.Errorf("routes %v", got)
		}
		igs := byID(v2Items(t, h, id, "integrations"), "integrationId")
		for _, rt := range v2Items(t, h, id, "routes") {
			ig := igs[strings.TrimPrefix(rt["target"].(string), "integrations/")]
			method, _, _ := strings.Cut(rt["routeKey"].(string), " ")
			// payloadFormatVersion: 1.0 is an unquoted number in the example.
			if ig["integrationType"] != "HTTP_PROXY" || ig["payloadFormatVersion"] != "1.0" || ig["integrationMethod"] != method {
				t.Errorf("%s: integration %v", rt["routeKey"], ig)
			}
		}
		if st := v2Items(t, h, id, "stages"); len(st) != 0 {
			t.Errorf("import made stages: %v", st)
		}
	})
	t.Run("shared integrations", func(t *testing.T) {
		body := readFile(t, "testdata/openapi-http/shared-integrations.json")
		for query, want := range map[string][]string{
			"":                   {"GET /", "GET /checkout", "GET /pets"},
			"?basepath=prepend":  {"GET /example/path", "GET /example/path/checkout", "GET /example/path/pets"},
			"?basepath=split":    {"GET /path", "GET /path/checkout", "GET /path/pets"},
			"?basepath=IGNORE":   {"GET /", "GET /checkout", "GET /pets"},
			"?failOnWarnings=no": {"GET /", "GET /checkout", "GET /pets"},
		} {
			id := v2Import(t, h, query, body)["apiId"].(string)
			if got := apiRouteKeys(t, h, id); !reflect.DeepEqual(got, want) {
				t.Errorf("%q: routes %v, want %v", query, got, want)
			}
			targets := map[string]string{}
			for _, rt := range v2Items(t, h, id, "routes") {
				targets[rt["routeKey"].(string)] = rt["target"].(string)
			}
			if igs := v2Items(t, h, id, "integrations"); len(igs) != 2 || targets[want[0]] != targets[want[2]] || targets[want[0]] == targets[want[1]] {
				t.Errorf("%q: %d integrations, targets %v: the routes referencing integration1 must share one", query, len(igs), targets)
			}
		}
	})
	t.Run("identitySource as a list (SAM's Lambda authorizers)", func(t *testing.T) {
		body := "openapi: 3.0.1\ninfo: {title: sam, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    Simple:\n      type: apiKey\n      name: Unused\n      in: header\n" +
			"      x-amazon-apigateway-authorizer: {type: request, authorizerPayloadFormatVersion: 2.0, enableSimpleResponses: true, identitySource: [$request.header.X-Token, $request.querystring.t],\n" +
			"        authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations'}\n"
		id := v2Import(t, h, "", body)["apiId"].(string)
		auths := v2Items(t, h, id, "authorizers")
		if len(auths) != 1 || !reflect.DeepEqual(auths[0]["identitySource"], []any{"$request.header.X-Token", "$request.querystring.t"}) ||
			auths[0]["authorizerPayloadFormatVersion"] != "2.0" {
			t.Fatalf("authorizers %v", auths)
		}
	})
	t.Run("real export: JWT, CORS, routes without integration", func(t *testing.T) {
		api := v2Import(t, h, "", readFile(t, "testdata/openapi-http/todo-export.yaml"))
		id := api["apiId"].(string)
		auths := v2Items(t, h, id, "authorizers")
		if len(auths) != 1 || auths[0]["name"] != "TodoJWTAuthorizer" || auths[0]["authorizerType"] != "JWT" ||
			!reflect.DeepEqual(auths[0]["identitySource"], []any{"$request.header.authorization"}) {
			t.Fatalf("authorizers %v", auths)
		}
		for _, rt := range v2Items(t, h, id, "routes") {
			key := rt["routeKey"].(string)
			options := strings.HasPrefix(key, "OPTIONS ")
			if options != (rt["target"] == nil) || options != (rt["authorizationType"] == "NONE") ||
				!options && (rt["authorizationType"] != "JWT" || rt["authorizerId"] != auths[0]["authorizerId"]) {
				t.Errorf("route %v", rt)
			}
		}
		if n := len(v2Items(t, h, id, "routes")); n != 7 {
			t.Errorf("%d routes, want 7", n)
		}
	})
	t.Run("AWS service integrations, AWS variables", func(t *testing.T) {
		id := v2Import(t, h, "", readFile(t, "testdata/openapi-http/direct-integrations.yaml"))["apiId"].(string)
		subtypes := map[string]map[string]any{}
		for _, ig := range v2Items(t, h, id, "integrations") {
			subtypes[ig["integrationSubtype"].(string)] = ig
		}
		sqs := subtypes["SQS-SendMessage"]
		if sqs["credentialsArn"] != "arn:aws:iam::000000000000:role/MyHttpApiRole" ||
			!reflect.DeepEqual(sqs["requestParameters"], map[string]any{"MessageBody": "$request.body.MessageBody", "QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/MyQueue"}) {
			t.Errorf("SQS integration %v", sqs)
		}
		if len(subtypes) != 3 || subtypes["EventBridge-PutEvents"] == nil || subtypes["Kinesis-PutRecord"] == nil {
			t.Errorf("integrations %v", subtypes)
		}
	})
	t.Run("extension pages", func(t *testing.T) {
		api := v2Import(t, h, "", readFile(t, "testdata/openapi-http/extensions.yaml"))
		id := api["apiId"].(string)
		if !reflect.DeepEqual(api["tags"], map[string]any{"Owner": "Admin", "Prod": ""}) {
			t.Errorf("tags %v", api["tags"])
		}
		auths := byID(v2Items(t, h, id, "authorizers"), "name")
		if a := auths["jwt-authorizer-autofind"]; a == nil || a["jwtConfiguration"].(map[string]any)["issuer"] != "https://cognito-idp.region.amazonaws.com/userPoolId" {
			t.Errorf("openIdConnectUrl gives the issuer: %v", a)
		}
		if a := auths["lambda-authorizer"]; a == nil || a["authorizerType"] != "REQUEST" || a["enableSimpleResponses"] != true || a["authorizerResultTtlInSeconds"] != 300.0 {
			t.Errorf("Lambda authorizer %v", a)
		}
		routes := byID(v2Items(t, h, id, "routes"), "routeKey")
		want := map[string][2]any{
			"$default":              {"CUSTOM", auths["lambda-authorizer"]["authorizerId"]},
			"GET /pets/{petId}":     {"JWT", auths["jwt-authorizer-oauth"]["authorizerId"]},
			"GET /orders":           {"JWT", auths["jwt-authorizer-autofind"]["authorizerId"]},
			"POST /admin":           {"AWS_IAM", nil},
			"ANY /private":          {"NONE", nil},
			"OPTIONS /pets/{petId}": {"NONE", nil},
		}
		for key, w := range want {
			rt := routes[key]
			if rt == nil || rt["authorizationType"] != w[0] || rt["authorizerId"] != w[1] {
				t.Errorf("%s: %v, want %v", key, rt, w)
			}
		}
		if len(routes) != len(want) || !reflect.DeepEqual(routes["GET /pets/{petId}"]["authorizationScopes"], []any{"pets.read"}) {
			t.Errorf("routes %v", routes)
		}
		igs := byID(v2Items(t, h, id, "integrations"), "integrationId")
		def := igs[strings.TrimPrefix(routes["$default"]["target"].(string), "integrations/")]
		if def["timeoutInMillis"] != 1000.0 || def["payloadFormatVersion"] != "1.0" {
			t.Errorf("$default integration %v", def)
		}
		private := igs[strings.TrimPrefix(routes["ANY /private"]["target"].(string), "integrations/")]
		if private["connectionType"] != "VPC_LINK" || !reflect.DeepEqual(private["tlsConfig"], map[string]any{"serverNameToVerify": "example.com"}) {
			t.Errorf("private integration %v", private)
		}
		pets := igs[strings.TrimPrefix(routes["GET /pets/{petId}"]["target"].(string), "integrations/")]
		if !reflect.DeepEqual(pets["responseParameters"], map[string]any{
			"404": map[string]any{"append:header.error": "$stageVariables.environmentId"},
			"500": map[string]any{"append:header.header1": "$context.requestId", "overwrite:statuscode": "403"}}) {
			t.Errorf("response mappings %v", pets["responseParameters"])
		}
	})
}

// TestImportApiFindings: what a document may get wrong, sorted as AWS
// sorts it (info, warnings, errors); errors (and, with failOnWarnings,
// warnings) create nothing.
func TestImportApiFindings(t *testing.T) {
	h := newHarness(t, "000000000000")
	doc := func(paths string, extra ...string) string {
		return "openapi: 3.0.1\ninfo: {title: findings, version: '1'}\n" + strings.Join(extra, "\n") + "\npaths:\n" + paths
	}
	lambda := "      x-amazon-apigateway-integration: {type: aws_proxy, uri: 'arn:aws:lambda:us-east-1:0:function:f', payloadFormatVersion: '2.0'}\n"
	schemes := "components:\n  securitySchemes:\n    jwt:\n      type: oauth2\n      x-amazon-apigateway-authorizer: {type: jwt, identitySource: $request.header.Authorization, jwtConfiguration: {issuer: 'https://issuer.example.com'}}\n" +
		"    iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}\n"
	before := routeKeysOfAll(t, h)
	rev := h.revision(t)
	for _, c := range []struct {
		name, query, body, want string
	}{
		{"swagger 2.0 [D]", "", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "Errors found during import:\n\tHTTP APIs import OpenAPI 3.0 definitions only; this document is swagger 2.0"},
		{"two security requirements [D]", "", doc("  /a:\n    get:\n      security: [{jwt: []}, {iam: []}]\n"+lambda, schemes), "has more than one security requirement"},
		{"two schemes in one requirement [D]", "", doc("  /a:\n    get:\n      security: [{jwt: [], iam: []}]\n"+lambda, schemes), "has more than one security requirement"},
		{"undefined scheme", "", doc("  /a:\n    get:\n      security: [{nosuch: []}]\n"+lambda, schemes), "names nosuch, which is not a security scheme"},
		{"integration type aws, failOnWarnings [D]", "?failOnWarnings=true", doc("  /a:\n    get:\n      x-amazon-apigateway-integration: {type: aws, httpMethod: POST, uri: 'arn:aws:lambda:us-east-1:0:function:f'}\n"), "Warnings found during import:\n\tThe integration of GET /a has type aws"},
		{"unresolved schema, failOnWarnings [C]", "?failOnWarnings=true", doc("  /a:\n    get:\n" + lambda + "      responses: {'200': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/ModelThatDoesNotExist'}}}}}\n"), "Unable to resolve the reference #/components/schemas/ModelThatDoesNotExist"},
		{"conflicting path variables", "", doc("  /a/{x}:\n    get:\n" + lambda + "  /a/{y}/b:\n    post:\n" + lambda), "Unable to create route POST /a/{y}/b: The provided route key \"POST /a/{y}/b\" has a conflicting variable"},
		{"reserved header mapping", "", doc("  /a:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://example.com', payloadFormatVersion: '1.0', requestParameters: {'overwrite:header.Authorization': x}}\n"), "[Operations on header Authorization are restricted]"},
		{"timeout", "", doc("  /a:\n    get:\n      x-amazon-apigateway-integration: {type: aws_proxy, uri: 'arn:aws:lambda:us-east-1:0:function:f', timeoutInMillis: 30001}\n"), "invalid timeoutInMillis"},
		{"CORS credentials with *", "", doc("  /a:\n    get:\n"+lambda, "x-amazon-apigateway-cors: {allowOrigins: ['*'], allowCredentials: true}"), "allow-credentials is not supported if 'allow-origin' is *"},
		{"unknown shared integration", "", doc("  /a:\n    get:\n      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/nope'}\n"), "Unable to resolve the integration reference"},
		{"JWT authorizer without issuer", "", doc("  /a:\n    get:\n"+lambda, "components: {securitySchemes: {j: {type: oauth2, x-amazon-apigateway-authorizer: {type: jwt, identitySource: $request.header.A}}}}"), "Unable to create authorizer j"},
		{"not a document", "", "[1, 2]", "Invalid OpenAPI input."},
		{"not YAML", "", "openapi: [", "Invalid OpenAPI input."},
		{"bad basepath", "?basepath=merge", doc("  /a: {}\n"), "Invalid basepath parameter. Valid options are ignore,prepend,split"},
	} {
		res := h.do("PUT", "/v2/apis"+c.query, map[string]any{"body": c.body})
		var e struct{ Message string }
		_ = json.Unmarshal(res.Body, &e)
		if res.Status != 400 || res.ErrorType != "BadRequestException" || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s: %d %s %q, want a BadRequestException containing %q", c.name, res.Status, res.ErrorType, e.Message, c.want)
		}
	}
	h.mustReject(t, []request{{"PUT", "/v2/apis", `{}`}, {"PUT", "/v2/apis", `{"body": 1}`}, {"PUT", "/v2/apis", `[`}})
	if after := h.revision(t); after != rev || !reflect.DeepEqual(routeKeysOfAll(t, h), before) {
		t.Errorf("refused imports changed the store (revision %d → %d)", rev, after)
	}

	// Without failOnWarnings, warnings are reported and the API is made.
	api := v2Import(t, h, "", doc("  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n  /b:\n    trace: {}\n"))
	warnings, _ := api["warnings"].([]any)
	if len(warnings) != 2 || !strings.Contains(warnings[0].(string), "type mock") || !strings.Contains(warnings[1].(string), "TRACE /b") {
		t.Errorf("warnings %v", api["warnings"])
	}
	if rts := v2Items(t, h, api["apiId"].(string), "routes"); len(rts) != 1 || rts[0]["target"] != nil {
		t.Errorf("a route whose integration is ignored has no target: %v", rts)
	}
	// No info.title: the API is named after the time of the import [U].
	api = v2Import(t, h, "", "openapi: 3.0.1\npaths: {}\n")
	if api["name"] != "Imported on 2026-11-24T12:00:00Z" {
		t.Errorf("untitled API named %v", api["name"])
	}
}

// routeKeysOfAll lists every API with its routes, for checking that
// nothing changed.
func routeKeysOfAll(t *testing.T, h *harness) map[string][]string {
	t.Helper()
	var apis struct{ Items []map[string]any }
	mustUnmarshal(t, h.do("GET", "/v2/apis", nil).Body, &apis)
	out := map[string][]string{}
	for _, a := range apis.Items {
		id := a["apiId"].(string)
		out[id] = apiRouteKeys(t, h, id)
	}
	return out
}

// TestReimportApi: ReimportApi replaces routes, integrations and
// authorizers with the document's, keeps stages and deployments,
// redeploys auto-deploying stages, and a refused document changes nothing.
func TestReimportApi(t *testing.T) {
	h := newHarness(t, "000000000000")
	api := v2Import(t, h, "", readFile(t, "testdata/openapi-http/extensions.yaml"))
	id := api["apiId"].(string)
	if res := h.do("POST", "/v2/apis/"+id+"/stages", map[string]any{"stageName": "$default", "autoDeploy": true}); res.Status != 201 {
		t.Fatalf("stage: %s", res.Body)
	}
	stage := func() map[string]any {
		var st map[string]any
		mustUnmarshal(t, h.do("GET", "/v2/apis/"+id+"/stages/%24default", nil).Body, &st)
		return st
	}
	first := stage()["deploymentId"]

	res := h.do("PUT", "/v2/apis/"+id, map[string]any{"body": readFile(t, "testdata/openapi-http/lambda-any.yaml")})
	if res.Status != 201 {
		t.Fatalf("ReimportApi: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	mustUnmarshal(t, res.Body, &out)
	// The document's title and version; no description, no CORS: the
	// document defines none. Tags it does not name stay.
	if out["apiId"] != id || out["name"] != "My Lambda API" || out["version"] != "v1.0" || out["description"] != nil ||
		out["corsConfiguration"] != nil || !reflect.DeepEqual(out["tags"], map[string]any{"Owner": "Admin", "Prod": ""}) || out["createdDate"] != api["createdDate"] {
		t.Errorf("reimported API %v", out)
	}
	if got := apiRouteKeys(t, h, id); !reflect.DeepEqual(got, []string{"ANY /hello"}) {
		t.Errorf("routes %v", got)
	}
	if n, m := len(v2Items(t, h, id, "integrations")), len(v2Items(t, h, id, "authorizers")); n != 1 || m != 0 {
		t.Errorf("%d integrations, %d authorizers", n, m)
	}
	if second := stage()["deploymentId"]; second == first || second == nil {
		t.Errorf("the auto-deploying stage was not redeployed: %v → %v", first, second)
	}

	// Refused reimports change nothing.
	before := v2State(t, h, id)
	rev := h.revision(t)
	for _, c := range []struct{ query, body string }{
		{"?failOnWarnings=true", "openapi: 3.0.1\ninfo: {title: other}\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: {type: http, uri: 'https://x'}\n"},
		{"", "openapi: 3.0.1\ninfo: {title: other}\npaths:\n  /x:\n    get:\n      security: [{a: []}, {b: []}]\n"},
		{"", "swagger: '2.0'\npaths: {}\n"},
		{"", "openapi: 3.0.1\ninfo: {title: other}\npaths:\n  /a/{x}: {get: {}}\n  /a/{y}/b: {get: {}}\n"},
	} {
		res := h.do("PUT", "/v2/apis/"+id+c.query, map[string]any{"body": c.body})
		if res.Status != 400 || res.ErrorType != "BadRequestException" {
			t.Errorf("%s %.60q: %d %s", c.query, c.body, res.Status, res.Body)
		}
	}
	if after := h.revision(t); after != rev {
		t.Errorf("refused reimports moved the store from revision %d to %d", rev, after)
	}
	if after := v2State(t, h, id); !reflect.DeepEqual(before, after) {
		t.Errorf("refused reimports changed the API")
	}
	if res := h.do("PUT", "/v2/apis/nosuchapi0", map[string]any{"body": "openapi: 3.0.1\npaths: {}\n"}); res.Status != 404 || res.ErrorType != "NotFoundException" {
		t.Errorf("unknown API: %d %s", res.Status, res.Body)
	}
	var ws map[string]any
	mustUnmarshal(t, h.do("POST", "/v2/apis", map[string]any{"name": "ws", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"}).Body, &ws)
	if res := h.do("PUT", "/v2/apis/"+ws["apiId"].(string), map[string]any{"body": "openapi: 3.0.1\npaths: {}\n"}); res.Status != 400 {
		t.Errorf("WebSocket API: %d %s", res.Status, res.Body)
	}
}

// apiShape is everything an HTTP API defines, without identifiers or
// dates: its OpenAPI-expressible fields, its routes with their
// integrations and authorizers (by name), unreferenced integrations, and
// its authorizers.
func apiShape(t *testing.T, h *harness, id string) map[string]any {
	t.Helper()
	var api map[string]any
	mustUnmarshal(t, h.do("GET", "/v2/apis/"+id, nil).Body, &api)
	shape := map[string]any{}
	for _, k := range []string{"name", "description", "version", "corsConfiguration", "tags", "disableExecuteApiEndpoint", "protocolType"} {
		shape[k] = api[k]
	}
	igs := byID(v2Items(t, h, id, "integrations"), "integrationId")
	auths := byID(v2Items(t, h, id, "authorizers"), "authorizerId")
	used := map[string]bool{}
	routes := map[string]any{}
	for _, rt := range v2Items(t, h, id, "routes") {
		r := map[string]any{}
		for k, v := range rt {
			r[k] = v
		}
		delete(r, "routeId")
		if target, ok := r["target"].(string); ok {
			igID := strings.TrimPrefix(target, "integrations/")
			used[igID] = true
			r["target"] = withoutMember(igs[igID], "integrationId")
		}
		if au, ok := r["authorizerId"].(string); ok {
			r["authorizerId"] = auths[au]["name"]
		}
		routes[rt["routeKey"].(string)] = r
	}
	shape["routes"] = routes
	var unused []string
	for igID, ig := range igs {
		if !used[igID] {
			b, _ := json.Marshal(withoutMember(ig, "integrationId"))
			unused = append(unused, string(b))
		}
	}
	sort.Strings(unused)
	shape["unusedIntegrations"] = unused
	byName := map[string]any{}
	for _, au := range auths {
		byName[au["name"].(string)] = withoutMember(au, "authorizerId")
	}
	shape["authorizers"] = byName
	shape["integrationCount"] = len(igs)
	return shape
}

func withoutMember(m map[string]any, k string) map[string]any {
	out := map[string]any{}
	for kk, v := range m {
		if kk != k {
			out[kk] = v
		}
	}
	return out
}

// TestExportRoundTrip: for every fixture, import → export (JSON and YAML)
// → reimport gives the same API, and importing the export as a new API
// gives an equal one.
func TestExportRoundTrip(t *testing.T) {
	h := newHarness(t, "000000000000")
	for _, f := range []string{"pets.json", "shared-integrations.json", "lambda-any.yaml", "todo-export.yaml", "direct-integrations.yaml", "extensions.yaml"} {
		id := v2Import(t, h, "", readFile(t, "testdata/openapi-http/"+f))["apiId"].(string)
		// An integration no route targets is exported too.
		if res := h.do("POST", "/v2/apis/"+id+"/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationMethod": "PUT",
			"integrationUri": "https://spare.example.com", "payloadFormatVersion": "1.0", "timeoutInMillis": 5000}); res.Status != 201 {
			t.Fatalf("%s: spare integration: %s", f, res.Body)
		}
		want := apiShape(t, h, id)
		if want["version"] == nil {
			// An API without a version is exported with the date as its
			// version (info.version is required), which a reimport keeps
			// [C: the exports in in28minutes/go-serverless].
			want["version"] = "2026-11-24 12:00:00UTC"
		}
		for _, typ := range []string{"JSON", "YAML"} {
			res := h.do("GET", "/v2/apis/"+id+"/exports/OAS30?outputType="+typ, nil)
			if res.Status != 200 {
				t.Fatalf("%s: ExportApi %s: %d %s", f, typ, res.Status, res.Body)
			}
			if re := h.do("PUT", "/v2/apis/"+id, map[string]any{"body": string(res.Body)}); re.Status != 201 {
				t.Fatalf("%s: reimport of the %s export: %d %s", f, typ, re.Status, re.Body)
			}
			if got := apiShape(t, h, id); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("%s: %s export → reimport changed the API:\n got %s\nwant %s\nexport:\n%s", f, typ, g, w, res.Body)
			}
			copyID := v2Import(t, h, "", string(res.Body))["apiId"].(string)
			if got := apiShape(t, h, copyID); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("%s: the %s export imported as a new API differs:\n got %s\nwant %s", f, typ, g, w)
			}
		}
	}
}

// TestExportStage: without stageName the latest configuration is
// exported; with it, what the stage's deployment froze [D].
func TestExportStage(t *testing.T) {
	h := newHarness(t, "000000000000")
	id := v2Import(t, h, "", readFile(t, "testdata/openapi-http/lambda-any.yaml"))["apiId"].(string)
	var dep map[string]any
	mustUnmarshal(t, h.do("POST", "/v2/apis/"+id+"/deployments", map[string]any{}).Body, &dep)
	if res := h.do("POST", "/v2/apis/"+id+"/stages", map[string]any{"stageName": "dev", "deploymentId": dep["deploymentId"]}); res.Status != 201 {
		t.Fatalf("stage: %s", res.Body)
	}
	if res := h.do("PUT", "/v2/apis/"+id, map[string]any{"body": readFile(t, "testdata/openapi-http/todo-export.yaml")}); res.Status != 201 {
		t.Fatalf("reimport: %s", res.Body)
	}
	paths := func(query string) []string {
		res := h.do("GET", "/v2/apis/"+id+"/exports/OAS30?outputType=JSON"+query, nil)
		if res.Status != 200 || res.Header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("export%s: %d %s %s", query, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		var doc struct {
			Info  struct{ Title string }
			Paths map[string]any
		}
		mustUnmarshal(t, res.Body, &doc)
		var ps []string
		for p := range doc.Paths {
			ps = append(ps, doc.Info.Title+" "+p)
		}
		sort.Strings(ps)
		return ps
	}
	if got := paths("&stageName=dev"); !reflect.DeepEqual(got, []string{"My Lambda API /hello"}) {
		t.Errorf("stage dev exports %v", got)
	}
	if got := paths(""); !reflect.DeepEqual(got, []string{"TodoApiHttp /todos", "TodoApiHttp /todos/{id}"}) {
		t.Errorf("the latest configuration exports %v", got)
	}
	res := h.do("GET", "/v2/apis/"+id+"/exports/OAS30?outputType=YAML&includeExtensions=false", nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/yaml" || strings.Contains(string(res.Body), "x-amazon-apigateway-integration") ||
		strings.Contains(string(res.Body), "x-amazon-apigateway-authorizer") || !strings.Contains(string(res.Body), "openapi: \"3.0.1\"") {
		t.Errorf("YAML without extensions: %d %s\n%s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	if res := h.do("POST", "/v2/apis/"+id+"/stages", map[string]any{"stageName": "empty"}); res.Status != 201 {
		t.Fatalf("stage: %s", res.Body)
	}
	h.mustReject(t, []request{
		{"GET", "/v2/apis/" + id + "/exports/OAS30?outputType=JSON&stageName=empty", ""},
		{"GET", "/v2/apis/" + id + "/exports/OAS30?outputType=XML", ""},
		{"GET", "/v2/apis/" + id + "/exports/OAS30?outputType=JSON&includeExtensions=maybe", ""},
	})
}

// TestImportApiLimits: tags the document names are checked once, as
// TagResource checks them, routes against the per-API quota [D], and a
// refusal creates nothing.
func TestImportApiLimits(t *testing.T) {
	h := newHarness(t, "000000000000")
	var many strings.Builder
	many.WriteString("openapi: 3.0.1\ninfo: {title: many}\npaths:\n")
	for i := 0; i < 301; i++ {
		fmt.Fprintf(&many, "  /r%d: {get: {}}\n", i)
	}
	if res := h.do("PUT", "/v2/apis", map[string]any{"body": many.String()}); res.Status != 400 ||
		!strings.Contains(string(res.Body), "Maximum number of routes (300) for this API has been reached") {
		t.Errorf("301 routes: %d %s", res.Status, res.Body)
	}
	res := h.do("PUT", "/v2/apis", map[string]any{"body": "openapi: 3.0.1\ninfo: {title: t}\ntags: [{name: 'aws:x', x-amazon-apigateway-tag-value: v}]\npaths: {}\n"})
	var e struct{ Message string }
	_ = json.Unmarshal(res.Body, &e)
	if res.Status != 400 || strings.Count(e.Message, "Invalid tags") != 1 {
		t.Errorf("reserved tag key: %d %q", res.Status, e.Message)
	}
	if apis := routeKeysOfAll(t, h); len(apis) != 0 {
		t.Errorf("a refused import made APIs: %v", apis)
	}
}
