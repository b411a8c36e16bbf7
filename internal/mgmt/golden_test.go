package mgmt_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenStep is one call of the golden scenario.
type goldenStep struct {
	name    string // golden file name; also the operation it pins
	method  string
	path    string
	body    any
	capture map[string]string
}

// goldenScenario calls every operation once (and the main error shapes),
// in an order that builds a complete API. Deterministic ids and a fixed
// clock make every response byte-for-byte reproducible.
func goldenScenario() []goldenStep {
	api := "/restapis/{{api}}"
	res := api + "/resources/{{pets}}"
	meth := res + "/methods/GET"
	integ := meth + "/integration"
	return []goldenStep{
		{"GetAccount", "GET", "/account", nil, nil},
		{"UpdateAccount", "PATCH", "/account", patchOps("replace", "/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/logs"), nil},
		{"CreateRestApi", "POST", "/restapis", map[string]any{"name": "pets", "description": "Pet store", "binaryMediaTypes": []string{"image/png"}, "tags": map[string]string{"team": "a"}}, map[string]string{"api": "id", "root": "rootResourceId"}},
		{"CreateRestApi-private", "POST", "/restapis", map[string]any{"name": "internal", "endpointConfiguration": map[string]any{"types": []string{"PRIVATE"}}, "policy": `{"Version":"2012-10-17","Statement":[]}`}, map[string]string{"api2": "id"}},
		{"GetRestApis", "GET", "/restapis?limit=1", nil, nil},
		{"GetRestApi", "GET", api, nil, nil},
		{"UpdateRestApi", "PATCH", api, patchOps("replace", "/description", "Pets!", "add", "/binaryMediaTypes/image~1jpeg", "", "replace", "/minimumCompressionSize", "1024"), nil},
		{"CreateResource", "POST", api + "/resources/{{root}}", map[string]any{"pathPart": "pets"}, map[string]string{"pets": "id"}},
		{"CreateResource-variable", "POST", res, map[string]any{"pathPart": "{petId}"}, map[string]string{"pet": "id"}},
		{"CreateResource-greedy", "POST", api + "/resources/{{root}}", map[string]any{"pathPart": "{proxy+}"}, map[string]string{"proxy": "id"}},
		{"UpdateResource", "PATCH", api + "/resources/{{proxy}}", patchOps("replace", "/pathPart", "{any+}"), nil},
		{"GetResource", "GET", res, nil, nil},
		{"CreateModel", "POST", api + "/models", map[string]any{"name": "Pet", "contentType": "application/json", "schema": `{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}}}`}, nil},
		{"GetModels", "GET", api + "/models", nil, nil},
		{"GetModel", "GET", api + "/models/Pet", nil, nil},
		{"UpdateModel", "PATCH", api + "/models/Pet", patchOps("replace", "/description", "A pet"), nil},
		{"GetModelTemplate", "GET", api + "/models/Pet/default_template", nil, nil},
		{"CreateRequestValidator", "POST", api + "/requestvalidators", map[string]any{"name": "body", "validateRequestBody": true}, map[string]string{"val": "id"}},
		{"GetRequestValidators", "GET", api + "/requestvalidators", nil, nil},
		{"GetRequestValidator", "GET", api + "/requestvalidators/{{val}}", nil, nil},
		{"UpdateRequestValidator", "PATCH", api + "/requestvalidators/{{val}}", patchOps("replace", "/validateRequestParameters", "true"), nil},
		{"CreateAuthorizer", "POST", api + "/authorizers", map[string]any{"name": "tok", "type": "TOKEN", "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations", "identitySource": "method.request.header.Authorization"}, map[string]string{"auth": "id"}},
		{"GetAuthorizers", "GET", api + "/authorizers", nil, nil},
		{"GetAuthorizer", "GET", api + "/authorizers/{{auth}}", nil, nil},
		{"UpdateAuthorizer", "PATCH", api + "/authorizers/{{auth}}", patchOps("replace", "/authorizerResultTtlInSeconds", "60"), nil},
		{"PutMethod", "PUT", meth, map[string]any{"authorizationType": "CUSTOM", "authorizerId": "{{auth}}", "requestParameters": map[string]bool{"method.request.querystring.type": false}, "requestValidatorId": "{{val}}", "requestModels": map[string]string{"application/json": "Pet"}}, nil},
		{"UpdateMethod", "PATCH", meth, patchOps("replace", "/apiKeyRequired", "true", "add", "/requestParameters/method.request.header.x-trace", "false"), nil},
		{"PutMethodResponse", "PUT", meth + "/responses/200", map[string]any{"responseParameters": map[string]bool{"method.response.header.x-count": false}, "responseModels": map[string]string{"application/json": "Empty"}}, nil},
		{"GetMethodResponse", "GET", meth + "/responses/200", nil, nil},
		{"UpdateMethodResponse", "PATCH", meth + "/responses/200", patchOps("add", "/responseParameters/method.response.header.x-page", "true"), nil},
		{"PutIntegration", "PUT", integ, map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": "https://backend.example.com/pets", "requestParameters": map[string]string{"integration.request.querystring.kind": "method.request.querystring.type"}}, nil},
		{"GetIntegration", "GET", integ, nil, nil},
		{"UpdateIntegration", "PATCH", integ, patchOps("replace", "/timeoutInMillis", "5000", "add", "/requestTemplates/application~1json", `{"kind":"$input.params('type')"}`), nil},
		{"PutIntegrationResponse", "PUT", integ + "/responses/200", map[string]any{"selectionPattern": "2\\d{2}", "responseParameters": map[string]string{"method.response.header.x-count": "integration.response.header.X-Count"}}, nil},
		{"GetIntegrationResponse", "GET", integ + "/responses/200", nil, nil},
		{"UpdateIntegrationResponse", "PATCH", integ + "/responses/200", patchOps("add", "/responseTemplates/application~1json", "$input.json('$')"), nil},
		{"GetMethod", "GET", meth, nil, nil},
		{"PutMethod-mock", "PUT", api + "/resources/{{pet}}/methods/ANY", map[string]any{"authorizationType": "NONE"}, nil},
		{"PutIntegration-mock", "PUT", api + "/resources/{{pet}}/methods/ANY/integration", map[string]any{"type": "MOCK", "requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}}, nil},
		{"GetResources", "GET", api + "/resources", nil, nil},
		{"GetResources-embed", "GET", api + "/resources?embed=methods", nil, nil},
		{"GetGatewayResponse", "GET", api + "/gatewayresponses/MISSING_AUTHENTICATION_TOKEN", nil, nil},
		{"PutGatewayResponse", "PUT", api + "/gatewayresponses/DEFAULT_4XX", map[string]any{"statusCode": "418", "responseParameters": map[string]string{"gatewayresponse.header.x-reason": "'teapot'"}}, nil},
		{"UpdateGatewayResponse", "PATCH", api + "/gatewayresponses/DEFAULT_4XX", patchOps("add", "/responseTemplates/text~1plain", "$context.error.message"), nil},
		{"GetGatewayResponses", "GET", api + "/gatewayresponses", nil, nil},
		{"CreateDeployment", "POST", api + "/deployments", map[string]any{"stageName": "prod", "description": "first", "variables": map[string]string{"backend": "backend.example.com"}}, map[string]string{"dep": "id"}},
		{"GetDeployments", "GET", api + "/deployments", nil, nil},
		{"GetDeployment", "GET", api + "/deployments/{{dep}}?embed=apisummary", nil, nil},
		{"UpdateDeployment", "PATCH", api + "/deployments/{{dep}}", patchOps("replace", "/description", "first deployment"), nil},
		{"CreateStage", "POST", api + "/stages", map[string]any{"stageName": "dev", "deploymentId": "{{dep}}", "variables": map[string]string{"a": "1"}, "tags": map[string]string{"env": "dev"}}, nil},
		{"GetStages", "GET", api + "/stages", nil, nil},
		{"UpdateStage", "PATCH", api + "/stages/dev", patchOps(
			"replace", "/*/*/throttling/rateLimit", "100",
			"replace", "/*/*/throttling/burstLimit", "50",
			"replace", "/~1pets/GET/caching/enabled", "true",
			"replace", "/cacheClusterEnabled", "true",
			"add", "/variables/b", "2",
			"replace", "/accessLogSettings/format", "$context.requestId",
			"replace", "/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:access",
			"replace", "/canarySettings/percentTraffic", "10"), nil},
		{"GetStage", "GET", api + "/stages/dev", nil, nil},
		{"FlushStageCache", "DELETE", api + "/stages/dev/cache/data", nil, nil},
		{"FlushStageAuthorizersCache", "DELETE", api + "/stages/dev/cache/authorizers", nil, nil},
		{"CreateDocumentationPart", "POST", api + "/documentation/parts", map[string]any{"location": map[string]any{"type": "API"}, "properties": `{"description":"Pets"}`}, map[string]string{"doc": "id"}},
		{"GetDocumentationParts", "GET", api + "/documentation/parts", nil, nil},
		{"GetDocumentationPart", "GET", api + "/documentation/parts/{{doc}}", nil, nil},
		{"UpdateDocumentationPart", "PATCH", api + "/documentation/parts/{{doc}}", patchOps("replace", "/properties", `{"description":"Pet store"}`), nil},
		{"CreateDocumentationVersion", "POST", api + "/documentation/versions", map[string]any{"documentationVersion": "1.0", "stageName": "prod"}, nil},
		{"GetDocumentationVersions", "GET", api + "/documentation/versions", nil, nil},
		{"GetDocumentationVersion", "GET", api + "/documentation/versions/1.0", nil, nil},
		{"UpdateDocumentationVersion", "PATCH", api + "/documentation/versions/1.0", patchOps("replace", "/description", "launch"), nil},
		{"TagResource", "PUT", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{{api}}", map[string]any{"tags": map[string]string{"owner": "me"}}, nil},
		{"GetTags", "GET", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{{api}}", nil, nil},
		{"UntagResource", "DELETE", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{{api}}?tagKeys=team", nil, nil},
		{"GetTags-stage", "GET", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F{{api}}%2Fstages%2Fdev", nil, nil},

		// Error shapes.
		{"Error-NotFound", "GET", "/restapis/nosuchapi", nil, nil},
		{"Error-Validation", "POST", "/restapis", map[string]any{"name": "x", "endpointConfiguration": map[string]any{"types": []string{"NOPE"}}}, nil},
		{"Error-Serialization", "POST", "/restapis", `{"name": true}`, nil},
		{"Error-MalformedJSON", "POST", "/restapis", `{"name": `, nil},
		{"Error-Conflict", "POST", api + "/resources/{{root}}", map[string]any{"pathPart": "pets"}, nil},
		{"Error-PatchPath", "PATCH", res, patchOps("replace", "/nope", "x"), nil},
		{"Error-UnknownOperation", "GET", "/nosuchthing", nil, nil},
		{"Error-DeploymentInUse", "DELETE", api + "/deployments/{{dep}}", nil, nil},

		// Deletes, children first.
		{"DeleteDocumentationVersion", "DELETE", api + "/documentation/versions/1.0", nil, nil},
		{"DeleteDocumentationPart", "DELETE", api + "/documentation/parts/{{doc}}", nil, nil},
		{"DeleteStage", "DELETE", api + "/stages/dev", nil, nil},
		{"DeleteIntegrationResponse", "DELETE", integ + "/responses/200", nil, nil},
		{"DeleteIntegration", "DELETE", integ, nil, nil},
		{"DeleteMethodResponse", "DELETE", meth + "/responses/200", nil, nil},
		{"DeleteMethod", "DELETE", meth, nil, nil},
		{"DeleteAuthorizer", "DELETE", api + "/authorizers/{{auth}}", nil, nil},
		{"DeleteRequestValidator", "DELETE", api + "/requestvalidators/{{val}}", nil, nil},
		{"DeleteModel", "DELETE", api + "/models/Pet", nil, nil},
		{"DeleteGatewayResponse", "DELETE", api + "/gatewayresponses/DEFAULT_4XX", nil, nil},
		{"DeleteResource", "DELETE", res, nil, nil},
		{"DeleteRestApi", "DELETE", "/restapis/{{api2}}", nil, nil},

		// API keys and usage plans, bound to stage prod of {{api}}.
		{"CreateApiKey", "POST", "/apikeys", map[string]any{"name": "partner", "description": "Partner key", "enabled": true,
			"value": "partner-key-value-0123456789", "customerId": "cust-1", "tags": map[string]string{"tier": "gold"},
			"stageKeys": []map[string]string{{"restApiId": "{{api}}", "stageName": "prod"}}}, map[string]string{"key": "id"}},
		{"CreateApiKey-generated", "POST", "/apikeys", map[string]any{"name": "generated"}, map[string]string{"key2": "id"}},
		{"GetApiKeys", "GET", "/apikeys", nil, nil},
		{"GetApiKeys-includeValues", "GET", "/apikeys?includeValues=true&name=part", nil, nil},
		{"GetApiKey", "GET", "/apikeys/{{key}}?includeValue=true", nil, nil},
		{"UpdateApiKey", "PATCH", "/apikeys/{{key}}", patchOps("replace", "/description", "Partner key (renewed)",
			"replace", "/enabled", "false", "remove", "/stages", "{{api}}/prod"), nil},
		{"CreateUsagePlan", "POST", "/usageplans", map[string]any{"name": "gold", "description": "Gold tier",
			"apiStages": []map[string]any{{"apiId": "{{api}}", "stage": "prod",
				"throttle": map[string]any{"/pets/GET": map[string]any{"burstLimit": 10, "rateLimit": 5}}}},
			"throttle": map[string]any{"burstLimit": 100, "rateLimit": 50},
			"quota":    map[string]any{"limit": 10000, "offset": 0, "period": "MONTH"},
			"tags":     map[string]string{"tier": "gold"}}, map[string]string{"plan": "id"}},
		{"GetUsagePlans", "GET", "/usageplans", nil, nil},
		{"GetUsagePlan", "GET", "/usageplans/{{plan}}", nil, nil},
		{"UpdateUsagePlan", "PATCH", "/usageplans/{{plan}}", patchOps("replace", "/throttle/rateLimit", "75.5",
			"replace", "/quota/limit", "20000",
			"replace", "/apiStages/{{api}}:prod/throttle/pets/GET/burstLimit", "20",
			"replace", "/apiStages/{{api}}:prod/throttle/~1~1POST/rateLimit", "1"), nil},
		{"CreateUsagePlanKey", "POST", "/usageplans/{{plan}}/keys", map[string]any{"keyId": "{{key}}", "keyType": "API_KEY"}, nil},
		{"GetUsagePlanKeys", "GET", "/usageplans/{{plan}}/keys", nil, nil},
		{"GetUsagePlanKey", "GET", "/usageplans/{{plan}}/keys/{{key}}", nil, nil},
		{"GetUsagePlans-keyId", "GET", "/usageplans?keyId={{key}}", nil, nil},
		{"CreateUsagePlan-second", "POST", "/usageplans", map[string]any{"name": "silver",
			"apiStages": []map[string]any{{"apiId": "{{api}}", "stage": "prod"}}}, map[string]string{"plan2": "id"}},
		{"Error-UsagePlanKeyConflict", "POST", "/usageplans/{{plan2}}/keys", map[string]any{"keyId": "{{key}}", "keyType": "API_KEY"}, nil},
		{"Error-ApiKeyValueTaken", "POST", "/apikeys", map[string]any{"value": "partner-key-value-0123456789"}, nil},
		{"Error-ApiKeyNotFound", "GET", "/apikeys/nosuchkey0", nil, nil},
		{"Error-UsagePlanNotFound", "GET", "/usageplans/nosuch", nil, nil},
		{"Error-UsagePlanStage", "POST", "/usageplans", map[string]any{"name": "bronze",
			"apiStages": []map[string]any{{"apiId": "{{api}}", "stage": "nostage"}}}, nil},
		{"Error-UsagePlanInUse", "DELETE", "/usageplans/{{plan2}}", nil, nil},
		{"DeleteUsagePlanKey", "DELETE", "/usageplans/{{plan}}/keys/{{key}}", nil, nil},
		{"UpdateUsagePlan-removeStage", "PATCH", "/usageplans/{{plan2}}", patchOps("remove", "/apiStages", "{{api}}:prod"), nil},
		{"DeleteUsagePlan", "DELETE", "/usageplans/{{plan2}}", nil, nil},
		{"DeleteApiKey", "DELETE", "/apikeys/{{key2}}", nil, nil},
		{"DeleteStage-inUsagePlan", "DELETE", api + "/stages/prod", nil, nil},
		{"GetUsagePlan-stageDeleted", "GET", "/usageplans/{{plan}}", nil, nil},

		// SDK types (the objects of the reference's §1.1) and a test invocation's error.
		{"GetSdkTypes", "GET", "/sdktypes", nil, nil},
		{"GetSdkType", "GET", "/sdktypes/typescript", nil, nil},
		{"Error-SdkTypeNotFound", "GET", "/sdktypes/swift", nil, nil},
		{"Error-TestInvokeMethodNotFound", "POST", meth, map[string]any{"pathWithQueryString": "/pets"}, nil},
	}
}

// patchOps builds {"patchOperations": [...]} from op, path, value triples.
func patchOps(triples ...string) map[string]any {
	var ops []map[string]any
	for i := 0; i+1 < len(triples); i += 3 {
		op := map[string]any{"op": triples[i], "path": triples[i+1]}
		if i+2 < len(triples) && triples[i+2] != "" {
			op["value"] = triples[i+2]
		}
		ops = append(ops, op)
	}
	return map[string]any{"patchOperations": ops}
}

type golden struct {
	Operation string          `json:"operation"`
	Request   string          `json:"request"`
	Status    int             `json:"status"`
	ErrorType string          `json:"errorType,omitempty"`
	Body      json.RawMessage `json:"body,omitempty"`
	// Text is a body that is not JSON (a YAML export, say).
	Text string `json:"text,omitempty"`
}

var numberedRE = regexp.MustCompile(`[^A-Za-z0-9-]`)

// TestGolden pins every operation's response (status, error type, body)
// in testdata/golden. Run with -update to rewrite them after an
// intentional change, and review the diff.
func TestGolden(t *testing.T) {
	runGolden(t, filepath.Join("testdata", "golden"), goldenScenario())
}

// runGolden plays steps against a fresh harness and compares each
// response with its file in dir (rewriting them with -update).
func runGolden(t *testing.T, dir string, steps []goldenStep) {
	h := newHarness(t, "000000000000")
	vars := map[string]string{}
	seen := map[string]bool{}
	for i, st := range steps {
		if seen[st.name] {
			t.Fatalf("duplicate golden name %s", st.name)
		}
		seen[st.name] = true
		path := substitute(st.path, vars)
		var res response
		switch b := st.body.(type) {
		case string:
			res = h.do(st.method, path, b)
		case nil:
			res = h.do(st.method, path, nil)
		default:
			res = h.do(st.method, path, substituteAny(roundTrip(t, b), vars))
		}
		if len(st.capture) > 0 {
			var out any
			if err := json.Unmarshal(res.Body, &out); err != nil {
				t.Fatalf("%s: %v: %s", st.name, err, res.Body)
			}
			for k, p := range st.capture {
				v, ok := lookup(out, p)
				if !ok {
					t.Fatalf("%s: capture %s: %s", st.name, p, res.Body)
				}
				vars[k] = fmt.Sprint(v)
			}
		}
		g := golden{Operation: strings.SplitN(st.name, "-", 2)[0], Request: st.method + " " + path, Status: res.Status, ErrorType: res.ErrorType}
		if len(res.Body) > 0 {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, res.Body, "", "  "); err == nil {
				g.Body = pretty.Bytes()
			} else if ct := res.Header.Get("Content-Type"); strings.Contains(ct, "yaml") && utf8.Valid(res.Body) {
				g.Text = string(res.Body)
			} else {
				t.Fatalf("%s: body is neither JSON nor YAML text (%s): %s", st.name, ct, res.Body)
			}
		}
		g.Body = maskVolatile(g.Body)
		got, _ := json.MarshalIndent(g, "", "  ")
		got = append(got, '\n')
		file := filepath.Join(dir, fmt.Sprintf("%03d-%s.json", i, numberedRE.ReplaceAllString(st.name, "_")))
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./internal/mgmt -run %s -update)", st.name, err, t.Name())
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", st.name, file, got, want)
		}
	}
}

// volatileRE matches the members whose values differ from run to run
// however the clock and identifiers are fixed: PEM certificates (new keys
// sign them) and the serial numbers of issued certificates.
var volatileRE = regexp.MustCompile(`("(?:pemEncodedCertificate|Certificate|CertificateChain|Serial)": )"[^"]*"`)

// maskVolatile replaces volatile values (see volatileRE) with a marker.
func maskVolatile(body json.RawMessage) json.RawMessage {
	if body == nil {
		return nil
	}
	return volatileRE.ReplaceAll(body, []byte(`$1"<volatile>"`))
}

// roundTrip turns Go literals into JSON-shaped values (map[string]any) so
// that substituteAny can walk them.
func roundTrip(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
