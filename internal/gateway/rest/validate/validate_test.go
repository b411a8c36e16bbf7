package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/model"
)

const apiID = "abcdef1234"

// testSchema is the recorded test_api_gateway_request_validator model.
const testSchema = `{"$schema": "http://json-schema.org/draft-04/schema#", "title": "testSchema",
	"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}`

func snap(models map[string]string, validators ...model.RequestValidator) *model.Snapshot {
	s := &model.Snapshot{API: model.RestApi{ID: apiID}, Validators: validators}
	s.Models = append(s.Models,
		model.Model{Name: "Empty", ContentType: "application/json", Schema: model.Ptr(`{"$schema":"http://json-schema.org/draft-04/schema#","title":"Empty Schema","type":"object"}`)})
	for name, schema := range models {
		s.Models = append(s.Models, model.Model{Name: name, ContentType: "application/json", Schema: model.Ptr(schema)})
	}
	return s
}

var both = model.RequestValidator{ID: "v1", Name: "both", ValidateRequestBody: true, ValidateRequestParameters: true}

// exchange routes a request through a one-resource tree so that path
// parameters resolve as in the pipeline.
func exchange(t testing.TB, resource, method, target string, body []byte, headers ...string) *rest.Exchange {
	t.Helper()
	var tree router.Tree[rest.Route]
	verb, _ := router.ParseVerb(method)
	if err := tree.Add(resource, verb, &rest.Route{}); err != nil {
		t.Fatal(err)
	}
	req := gatewaytest.NewRequest(method, "h", target, body, headers...)
	x := &rest.Exchange{Exchange: pipeline.Exchange{Req: req}}
	if !tree.Lookup(verb, req.P, &x.Match) {
		t.Fatalf("%s does not route to %s", target, resource)
	}
	return x
}

func failure(t testing.TB, err error) (pipeline.ResponseType, string) {
	t.Helper()
	if err == nil {
		return pipeline.NoError, ""
	}
	var f *pipeline.Failure
	if !errors.As(err, &f) {
		t.Fatalf("not a gateway failure: %v", err)
	}
	return f.Type, f.Message
}

func TestNoValidatorIsNil(t *testing.T) {
	d := NewDeployment(snap(nil, both, model.RequestValidator{ID: "off"}))
	for name, m := range map[string]*model.Method{
		"no validator":       {RequestParameters: map[string]bool{"method.request.header.x": true}},
		"unknown validator":  {RequestValidatorID: model.Ptr("nope"), RequestParameters: map[string]bool{"method.request.header.x": true}},
		"validator disabled": {RequestValidatorID: model.Ptr("off"), RequestParameters: map[string]bool{"method.request.header.x": true}},
		"nothing to check":   {RequestValidatorID: model.Ptr("v1"), RequestParameters: map[string]bool{"method.request.header.x": false}},
	} {
		if v := d.Method(m); v != nil {
			t.Errorf("%s: got validator %#v, want nil", name, v)
		}
	}
}

func TestParameters(t *testing.T) {
	d := NewDeployment(snap(nil, both))
	v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestParameters: map[string]bool{
		"method.request.querystring.qs1":       true,
		"method.request.path.issuer":           true,
		"method.request.header.x-header-param": true,
		"method.request.path.test":             true,
		"method.request.header.optional":       false,
	}})
	for _, c := range []struct {
		name    string
		target  string
		headers []string
		want    string
	}{
		// Recorded messages (test_api_gateway_request_validator): sorted by
		// full key, so header < path < querystring.
		{"all missing", "/nested/value", nil, "Missing required request parameters: [x-header-param, issuer, qs1]"},
		{"header missing", "/nested/value?qs1=test", nil, "Missing required request parameters: [x-header-param, issuer]"},
		{"query missing", "/nested/value", []string{"X-Header-Param", "test"}, "Missing required request parameters: [issuer, qs1]"},
		{"blank values", "/nested/value?qs1=", []string{"x-header-param", ""}, "Missing required request parameters: [x-header-param, issuer, qs1]"},
		{"query without value", "/nested/value?qs1", []string{"x-header-param", "1"}, "Missing required request parameters: [issuer, qs1]"},
		{"one of repeated values set", "/nested/value?qs1=&qs1=x", []string{"x-header-param", "1"}, "Missing required request parameters: [issuer]"},
	} {
		x := exchange(t, "/nested/{test}", "GET", c.target, nil, c.headers...)
		typ, msg := failure(t, v.Validate(x))
		if typ != pipeline.BadRequestParameters || msg != c.want {
			t.Errorf("%s: got %v %q, want BAD_REQUEST_PARAMETERS %q", c.name, typ, msg, c.want)
		}
	}
	v = d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestParameters: map[string]bool{
		"method.request.querystring.qs1": true, "method.request.path.test": true, "method.request.header.h": true,
	}})
	x := exchange(t, "/nested/{test}", "GET", "/nested/value?qs1=1", nil, "H", "v")
	if err := v.Validate(x); err != nil {
		t.Errorf("all present: %v", err)
	}
}

func TestParametersBeforeBody(t *testing.T) {
	d := NewDeployment(snap(map[string]string{"testSchema": testSchema}, both))
	v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"),
		RequestParameters: map[string]bool{"method.request.querystring.qs1": true},
		RequestModels:     map[string]string{"application/json": "testSchema"}})
	x := exchange(t, "/p", "POST", "/p", []byte(`{"test":"test"}`), "Content-Type", "application/json")
	if typ, _ := failure(t, v.Validate(x)); typ != pipeline.BadRequestParameters {
		t.Errorf("got %v, want BAD_REQUEST_PARAMETERS", typ)
	}
}

// bodyCase validates body against a method whose application/json model
// is schema.
func checkBody(t *testing.T, models map[string]string, requestModels map[string]string, contentType, body, want string) {
	t.Helper()
	d := NewDeployment(snap(models, both))
	v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestModels: requestModels})
	var headers []string
	if contentType != "" {
		headers = []string{"Content-Type", contentType}
	}
	x := exchange(t, "/p", "POST", "/p", []byte(body), headers...)
	err := v.Validate(x)
	if want == "" {
		if err != nil {
			t.Errorf("%s %q: got %v, want valid", contentType, body, err)
		}
		return
	}
	typ, msg := failure(t, err)
	if typ != pipeline.BadRequestBody || msg != "Invalid request body" {
		t.Errorf("%s %q: got %v %q, want BAD_REQUEST_BODY", contentType, body, typ, msg)
	}
	if x.ValidationError != want {
		t.Errorf("%s %q: validationErrorString %q, want %q", contentType, body, x.ValidationError, want)
	}
}

func TestBodyDraft4Keywords(t *testing.T) {
	schema := `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["name"],
		"additionalProperties":false,
		"properties":{
			"name":{"type":"string","minLength":2,"maxLength":5,"pattern":"^[a-z]+$"},
			"age":{"type":"integer","minimum":0,"maximum":150},
			"price":{"type":"number","minimum":10,"exclusiveMinimum":true,"multipleOf":0.5},
			"kind":{"enum":["dog","cat"]},
			"tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":2,"uniqueItems":true},
			"choice":{"oneOf":[{"type":"string"},{"type":"integer"}]},
			"any":{"anyOf":[{"type":"string"},{"type":"boolean"}]},
			"no":{"not":{"type":"null"}}}}`
	rm := map[string]string{"application/json": "M"}
	models := map[string]string{"M": schema}
	for _, c := range []struct{ body, want string }{
		{`{"name":"rex","age":3,"price":10.5,"kind":"dog","tags":["a"],"choice":1,"any":true,"no":1}`, ""},
		{`{}`, `[object has missing required properties (["name"])]`},
		{``, `[object has missing required properties (["name"])]`},
		{`{"name":1}`, `[instance type (integer) does not match any allowed primitive type (allowed: ["string"])]`},
		{`{"name":"a"}`, `[string "a" is too short (length: 1, required minimum: 2)]`},
		{`{"name":"abcdef"}`, `[string "abcdef" is too long (length: 6, maximum allowed: 5)]`},
		{`{"name":"AB"}`, `[ECMA 262 regex "^[a-z]+$" does not match input string "AB"]`},
		{`{"name":"ab","age":-1}`, `[numeric instance is lower than the required minimum (minimum: 0, found: -1)]`},
		{`{"name":"ab","age":151}`, `[numeric instance is greater than the required maximum (maximum: 150, found: 151)]`},
		{`{"name":"ab","age":1.5}`, `[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]`},
		{`{"name":"ab","price":10}`, `[numeric instance is not strictly greater than the required minimum (minimum: 10, found: 10)]`},
		{`{"name":"ab","price":10.7}`, `[remainder of division is not zero (10.7 / 0.5)]`},
		{`{"name":"ab","kind":"fish"}`, `[instance value ("fish") not found in enum (possible values: ["dog","cat"])]`},
		{`{"name":"ab","tags":[]}`, `[array is too short: must have at least 1 elements but instance has 0 elements]`},
		{`{"name":"ab","tags":["a","b","c"]}`, `[array is too long: must have at most 2 elements but instance has 3 elements]`},
		{`{"name":"ab","tags":["a","a"]}`, `[array must not contain duplicate elements]`},
		{`{"name":"ab","extra":1}`, `[object instance has properties which are not allowed by the schema: ["extra"]]`},
		{`{"name":"ab","choice":true}`, `[instance failed to match exactly one schema (matched 0 out of 2)]`},
		{`{"name":"ab","any":1}`, `[instance failed to match at least one required schema among 2]`},
		{`{"name":"ab","no":null}`, `[instance matched a schema which it should not have]`},
		{`{"name":1,"age":"x"}`, ""}, // two errors: checked below
		{`{"name":`, `[Invalid JSON: unexpected EOF]`},
		{`{"name":"ab"} x`, `[Invalid JSON: invalid character after top-level value]`},
	} {
		if c.body == `{"name":1,"age":"x"}` {
			d := NewDeployment(snap(models, both))
			v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestModels: rm})
			x := exchange(t, "/p", "POST", "/p", []byte(c.body))
			_ = v.Validate(x)
			got := x.ValidationError
			if !strings.HasPrefix(got, "[") || !strings.Contains(got, `allowed: ["string"]`) || !strings.Contains(got, `allowed: ["integer"]`) || strings.Count(got, ", instance type") != 1 {
				t.Errorf("two errors: got %q", got)
			}
			continue
		}
		checkBody(t, models, rm, "application/json", c.body, c.want)
	}
}

func TestBodyRefBetweenModels(t *testing.T) {
	// Recorded test_api_gateway_request_validator_with_ref_models.
	models := map[string]string{
		"testSchema":     testSchema,
		"testSchemaList": `{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/testSchema"}}`,
	}
	rm := map[string]string{"application/json": "testSchemaList"}
	checkBody(t, models, rm, "application/json", `[{"a":1,"b":2}]`, "")
	checkBody(t, models, rm, "", ``, `[instance type (object) does not match any allowed primitive type (allowed: ["array"])]`)
	checkBody(t, models, rm, "application/json", `[{"a":1}]`, `[object has missing required properties (["b"])]`)

	// Recorded test_api_gateway_request_validator_with_ref_one_ofmodels.
	models = map[string]string{
		"StatusModel": `{"type":"object","properties":{"Status":{"type":"string"},"Order":{"type":"integer"}},"required":["Status","Order"]}`,
		"TestModel": `{"type":"object","properties":{"status":{"oneOf":[{"type":"null"},
			{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/StatusModel"}]}},"required":["status"]}`,
	}
	rm = map[string]string{"application/json": "TestModel"}
	checkBody(t, models, rm, "application/json", `{"status":null}`, "")
	checkBody(t, models, rm, "application/json", `{"status":{"Status":"works","Order":1}}`, "")
	checkBody(t, models, rm, "", ``, `[object has missing required properties (["status"])]`)
	checkBody(t, models, rm, "application/json", `{"badFormat":"bla"}`, `[object has missing required properties (["status"])]`)
	checkBody(t, models, rm, "application/json", `{"status":{"Status":"x"}}`, `[instance failed to match exactly one schema (matched 0 out of 2)]`)

	// Local definitions.
	models = map[string]string{"Defs": `{"definitions":{"id":{"type":"string","minLength":3}},"type":"object",
		"properties":{"id":{"$ref":"#/definitions/id"}}}`}
	rm = map[string]string{"application/json": "Defs"}
	checkBody(t, models, rm, "application/json", `{"id":"abc"}`, "")
	checkBody(t, models, rm, "application/json", `{"id":"ab"}`, `[string "ab" is too short (length: 2, required minimum: 3)]`)
}

func TestBodyContentTypes(t *testing.T) {
	models := map[string]string{"testSchema": testSchema, "Text": `{"type":"string"}`}
	rm := map[string]string{"application/json": "testSchema"}
	bad := `[object has missing required properties (["a","b"])]`
	checkBody(t, models, rm, "application/json", `{"test":"test"}`, bad)
	checkBody(t, models, rm, "Application/JSON; charset=utf-8", `{"test":"test"}`, bad)
	// No Content-Type: application/json [V].
	checkBody(t, models, rm, "", ``, bad)
	// A content type without a model is not validated [D].
	checkBody(t, models, rm, "text/plain", `not json`, "")
	// $default applies to every other type [D].
	rm = map[string]string{"$default": "testSchema", "application/xml": "Empty"}
	checkBody(t, models, rm, "text/plain", `{"test":"test"}`, bad)
	checkBody(t, models, rm, "text/plain", `{"a":1,"b":2}`, "")
	// Empty accepts anything, JSON or not.
	checkBody(t, models, rm, "application/xml", `<a/>`, "")
	rm = map[string]string{"application/json": "Empty"}
	checkBody(t, models, rm, "application/json", `[1,2]`, "")
}

func TestBrokenModelAnswers500(t *testing.T) {
	for name, models := range map[string]map[string]string{
		"not JSON":        {"M": `{"type":`},
		"invalid schema":  {"M": `{"type":5}`},
		"unresolved $ref": {"M": `{"$ref":"https://apigateway.amazonaws.com/restapis/` + apiID + `/models/Missing"}`},
		"foreign $ref":    {"M": `{"$ref":"https://example.com/schema.json"}`},
	} {
		d := NewDeployment(snap(models, both))
		v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestModels: map[string]string{"application/json": "M"}})
		if v == nil {
			t.Fatalf("%s: no validator", name)
		}
		x := exchange(t, "/p", "POST", "/p", []byte(`{}`))
		if typ, _ := failure(t, v.Validate(x)); typ != pipeline.APIConfigurationError {
			t.Errorf("%s: got %v, want API_CONFIGURATION_ERROR", name, typ)
		}
	}
	// A model the snapshot does not hold.
	d := NewDeployment(snap(nil, both))
	v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestModels: map[string]string{"application/json": "Gone"}})
	x := exchange(t, "/p", "POST", "/p", []byte(`{}`))
	if typ, _ := failure(t, v.Validate(x)); typ != pipeline.APIConfigurationError {
		t.Errorf("missing model: got %v, want API_CONFIGURATION_ERROR", typ)
	}
	// Parameters-only validators ignore the models.
	d = NewDeployment(snap(map[string]string{"M": `{"type":5}`}, model.RequestValidator{ID: "p", ValidateRequestParameters: true}))
	v = d.Method(&model.Method{RequestValidatorID: model.Ptr("p"), RequestModels: map[string]string{"application/json": "M"},
		RequestParameters: map[string]bool{"method.request.header.h": true}})
	x = exchange(t, "/p", "POST", "/p", []byte(`{}`), "h", "1")
	if err := v.Validate(x); err != nil {
		t.Errorf("parameters only: %v", err)
	}
}

func TestBodyStaysReadable(t *testing.T) {
	d := NewDeployment(snap(map[string]string{"testSchema": testSchema}, both))
	v := d.Method(&model.Method{RequestValidatorID: model.Ptr("v1"), RequestModels: map[string]string{"application/json": "testSchema"}})
	x := exchange(t, "/p", "POST", "/p", []byte(`{"a":1,"b":2}`))
	if err := v.Validate(x); err != nil {
		t.Fatal(err)
	}
	b, err := x.ReadBody()
	if err != nil || string(b) != `{"a":1,"b":2}` {
		t.Errorf("body after validation: %q %v", b, err)
	}
}
