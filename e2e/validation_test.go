package e2e

// Request validation (reference §2.3 step 10, §2.4): the recorded
// request-validator scenarios of real AWS (aws-recorded
// test_apigateway_common: test_api_gateway_request_validator,
// ..._with_ref_models, ..._with_ref_one_ofmodels) replayed through the
// data plane, and $context.error.validationErrorString in a customised
// BAD_REQUEST_BODY gateway response.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// validator creates a request validator checking both parameters and
// body and returns its id.
func (a *restAPI) validator(t testing.TB, name string) string {
	t.Helper()
	out := a.dp.call(t, "POST", "/restapis/"+a.ID+"/requestvalidators", map[string]any{
		"name": name, "validateRequestParameters": true, "validateRequestBody": true,
	})
	return out["id"].(string)
}

// model creates an application/json model.
func (a *restAPI) model(t testing.TB, name string, schema map[string]any) {
	t.Helper()
	b, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	a.dp.call(t, "POST", "/restapis/"+a.ID+"/models", map[string]any{
		"name": name, "contentType": "application/json", "schema": string(b),
	})
}

// modelURL is how AWS's schemas refer to another model of the API.
func (a *restAPI) modelURL(name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + a.ID + "/models/" + name
}

// recordedTestSchema is the testSchema model of the recordings.
var recordedTestSchema = map[string]any{
	"$schema": "http://json-schema.org/draft-04/schema#",
	"title":   "testSchema",
	"type":    "object",
	"properties": map[string]any{
		"a": map[string]any{"type": "number"},
		"b": map[string]any{"type": "number"},
	},
	"required": []string{"a", "b"},
}

const okBody = `{"data":"ok"}`

// expect400 checks a 400 BadRequestException with an exact body.
func expect400(t testing.TB, what string, r result, body string) {
	t.Helper()
	expect(t, what, r, 400, body)
	if got := r.Header.Get("x-amzn-ErrorType"); got != "BadRequestException" {
		t.Errorf("%s: x-amzn-ErrorType %q, want BadRequestException", what, got)
	}
}

// waitUntil polls a request until its answer has status and body.
func (dp *dataPlane) waitUntil(t testing.TB, what string, do func() result, status int, body string) {
	t.Helper()
	eventually(t, what, func() error {
		if r := do(); r.Status != status || r.Body != body {
			return errorf("got %s, want %d %q", r, status, body)
		}
		return nil
	})
}

func jsonBody(s string) io.Reader {
	if s == "" {
		return nil
	}
	return strings.NewReader(s)
}

func TestValidationRecordedRequestValidator(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "aws lambda api")
	validatorID := a.validator(t, "test-validator")
	a.model(t, "testSchema", recordedTestSchema)
	for _, verb := range []string{"GET", "POST"} {
		a.mockWith(t, "/nested/{test}", verb, map[string]any{
			"requestValidatorId": validatorID,
			"requestParameters": map[string]any{
				"method.request.path.test":             true,
				"method.request.querystring.qs1":       true,
				"method.request.header.x-header-param": true,
			},
			"requestModels": map[string]any{"application/json": "testSchema"},
		}, okBody)
	}
	a.deploy(t, "local")
	u := a.url("local", "/nested/value")
	params := u + "?qs1=test"
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	jsonHdr := hdr("Content-Type", "application/json", "x-header-param", "test")
	post := func(target string, h http.Header, body string) func() result {
		return func() result { return dp.do(t, "POST", target, h, jsonBody(body)) }
	}
	get := func(target string, h http.Header) result { return dp.do(t, "GET", target, h, nil) }

	// Every parameter and a valid body pass.
	dp.waitUntil(t, "valid POST", post(params, jsonHdr, `{"a": 1, "b": 2}`), 200, okBody)
	// A GET without a body is validated as application/json.
	expect400(t, "GET with no body", get(params, hdr("x-header-param", "test")), `{"message":"Invalid request body"}`)

	// The POST method now requires a path parameter its resource lacks.
	a.dp.call(t, "PATCH", a.methodPath(t, "/nested/{test}", "POST"), map[string]any{"patchOperations": []map[string]any{
		{"op": "add", "path": "/requestParameters/method.request.path.issuer", "value": "true"},
		{"op": "remove", "path": "/requestParameters/method.request.path.test", "value": "true"},
	}})
	a.deploy(t, "local")
	dp.waitUntil(t, "missing-all-required-request-params-post", post(u, hdr("Content-Type", "application/json"), `{"test": "test"}`),
		400, `{"message":"Missing required request parameters: [x-header-param, issuer, qs1]"}`)
	expect400(t, "missing-required-headers-request-params-get", get(params, nil),
		`{"message":"Missing required request parameters: [x-header-param]"}`)
	expect400(t, "missing-required-qs-request-params-get", get(u, hdr("x-header-param", "test")),
		`{"message":"Missing required request parameters: [qs1]"}`)
	expect400(t, "blank header (not blank: [D])", get(params, hdr("x-header-param", "")),
		`{"message":"Missing required request parameters: [x-header-param]"}`)

	// Revert the path parameter.
	a.dp.call(t, "PATCH", a.methodPath(t, "/nested/{test}", "POST"), map[string]any{"patchOperations": []map[string]any{
		{"op": "add", "path": "/requestParameters/method.request.path.test", "value": "true"},
		{"op": "remove", "path": "/requestParameters/method.request.path.issuer", "value": "true"},
	}})
	a.deploy(t, "local")
	dp.waitUntil(t, "wrong path removed", post(params, jsonHdr, `{"a": 1, "b": 2}`), 200, okBody)
	expect400(t, "invalid-request-body", post(params, jsonHdr, `{"test": "test"}`)(), `{"message":"Invalid request body"}`)
	expect400(t, "GET with an empty body", get(params, hdr("x-header-param", "test")), `{"message":"Invalid request body"}`)
	expect400(t, "GET with an empty body, content type JSON", get(params, jsonHdr), `{"message":"Invalid request body"}`)
	// A content type without a model is not validated [D] (the MOCK gets
	// the body passed through: it holds its statusCode).
	expect(t, "text/plain body", post(params, hdr("Content-Type", "text/plain", "x-header-param", "test"), `{"statusCode": 200}`)(),
		200, okBody)

	// Disable the validator.
	a.dp.call(t, "PATCH", "/restapis/"+a.ID+"/requestvalidators/"+validatorID, map[string]any{"patchOperations": []map[string]any{
		replaceOp("/validateRequestBody", "false"),
		replaceOp("/validateRequestParameters", "false"),
	}})
	a.deploy(t, "local")
	dp.waitUntil(t, "disabled validation", post(u, hdr("Content-Type", "application/json"), `{"test": "test"}`), 200, okBody)
	expect(t, "GET with nothing", get(u, nil), 200, okBody)
}

func TestValidationRecordedRefModels(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "test ref models")
	validatorID := a.validator(t, "test-validator")
	a.model(t, "testSchema", recordedTestSchema)
	a.model(t, "testSchemaList", map[string]any{
		"type":  "array",
		"items": map[string]any{"$ref": a.modelURL("testSchema")},
	})
	a.mockWith(t, "/path", "POST", map[string]any{
		"requestValidatorId": validatorID,
		"requestModels":      map[string]any{"application/json": "testSchemaList"},
	}, okBody)
	a.deploy(t, "local")
	u := a.url("local", "/path")
	h := http.Header{"Content-Type": {"application/json"}}
	dp.waitUntil(t, "successful", func() result { return dp.do(t, "POST", u, h, strings.NewReader(`[{"a": 1, "b": 2}]`)) }, 200, okBody)
	expect400(t, "failed-validation", dp.do(t, "POST", u, nil, nil), `{"message":"Invalid request body"}`)
	expect400(t, "item missing b", dp.do(t, "POST", u, h, strings.NewReader(`[{"a": 1}]`)), `{"message":"Invalid request body"}`)
}

func TestValidationRecordedRefOneOfModels(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "test oneOf ref models")
	validatorID := a.validator(t, "test-validator")
	a.model(t, "StatusModel", map[string]any{
		"type": "object",
		"properties": map[string]any{
			"Status": map[string]any{"type": "string"},
			"Order":  map[string]any{"type": "integer"},
		},
		"required": []string{"Status", "Order"},
	})
	a.model(t, "TestModel", map[string]any{
		"type": "object",
		"properties": map[string]any{
			"status": map[string]any{"oneOf": []any{
				map[string]any{"type": "null"},
				map[string]any{"$ref": a.modelURL("StatusModel")},
			}},
		},
		"required": []string{"status"},
	})
	a.mockWith(t, "/path", "POST", map[string]any{
		"requestValidatorId": validatorID,
		"requestModels":      map[string]any{"application/json": "TestModel"},
	}, okBody)
	a.deploy(t, "local")
	u := a.url("local", "/path")
	h := http.Header{"Content-Type": {"application/json"}}
	post := func(body string) result { return dp.do(t, "POST", u, h, jsonBody(body)) }
	dp.waitUntil(t, "successful", func() result { return post(`{"status": null}`) }, 200, okBody)
	expect(t, "successful-with-data", post(`{"status": {"Status": "works", "Order": 1}}`), 200, okBody)
	expect400(t, "failed-validation-no-data", dp.do(t, "POST", u, nil, nil), `{"message":"Invalid request body"}`)
	expect400(t, "failed-validation-bad-data", post(`{"badFormat": "bla"}`), `{"message":"Invalid request body"}`)
}

func TestValidationErrorStringInGatewayResponse(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "validation error string")
	validatorID := a.validator(t, "all")
	a.model(t, "testSchema", recordedTestSchema)
	a.model(t, "Broken", map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"$ref": a.modelURL("Nowhere")}}})
	a.mockWith(t, "/pets", "POST", map[string]any{
		"requestValidatorId": validatorID,
		"requestModels":      map[string]any{"application/json": "testSchema"},
		"requestParameters":  map[string]any{"method.request.header.x-id": true},
	}, okBody)
	a.mockWith(t, "/broken", "POST", map[string]any{
		"requestValidatorId": validatorID,
		"requestModels":      map[string]any{"application/json": "Broken"},
	}, okBody)
	a.mockWith(t, "/free", "POST", nil, okBody)
	a.dp.call(t, "PUT", "/restapis/"+a.ID+"/gatewayresponses/BAD_REQUEST_BODY", map[string]any{
		"responseTemplates": map[string]string{
			"application/json": `{"message": $context.error.messageString, "type": "$context.error.responseType", "detail": "$context.error.validationErrorString"}`,
		},
	})
	a.deploy(t, "s")
	h := http.Header{"Content-Type": {"application/json"}, "X-Id": {"1"}}
	post := func(path, body string) result { return dp.do(t, "POST", a.url("s", path), h, jsonBody(body)) }
	dp.waitUntil(t, "unvalidated method", func() result { return post("/free", `{}`) }, 200, okBody)

	expect(t, "valid", post("/pets", `{"a": 1, "b": 2.5}`), 200, okBody)
	expect400(t, "missing properties", post("/pets", `{"a": 1}`),
		`{"message": "Invalid request body", "type": "BAD_REQUEST_BODY", "detail": "[object has missing required properties (["b"])]"}`)
	expect400(t, "wrong type", post("/pets", `{"a": "x", "b": 1}`),
		`{"message": "Invalid request body", "type": "BAD_REQUEST_BODY", "detail": "[instance type (string) does not match any allowed primitive type (allowed: ["number"])]"}`)
	// Parameters are checked first, and their response is not customised.
	r := dp.do(t, "POST", a.url("s", "/pets"), http.Header{"Content-Type": {"application/json"}}, strings.NewReader(`{}`))
	expect400(t, "missing header", r, `{"message":"Missing required request parameters: [x-id]"}`)
	// A model whose $ref cannot resolve: 500, never a crash.
	r = post("/broken", `{"x": 1}`)
	expect(t, "unresolvable model", r, 500, `{"message": "Internal server error"}`)
	expect(t, "still serving", post("/free", `{}`), 200, okBody)
}
