package mgmt_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestGetSdk: GetSdkTypes and GetSdkType list the types Tollgate
// generates; GetSdk answers a zip of the stage's deployment (not of later
// edits) with AWS's headers, and AWS-shaped errors for unknown APIs,
// stages and types, AWS's types Tollgate does not generate, and a bad
// invokeUrl.
func TestGetSdk(t *testing.T) {
	h := newHarness(t, "111111111111")
	var types struct {
		Item []struct{ ID string }
	}
	if err := json.Unmarshal(h.do("GET", "/sdktypes", nil).Body, &types); err != nil || len(types.Item) != 3 ||
		types.Item[0].ID != "javascript" || types.Item[1].ID != "typescript" || types.Item[2].ID != "go" {
		t.Errorf("GetSdkTypes: %+v %v", types, err)
	}
	if r := h.do("GET", "/sdktypes/go", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"goModulePath"`) {
		t.Errorf("GetSdkType go: %d %s", r.Status, r.Body)
	}
	expectErr := func(what string, r response, status int, typ, msg string) {
		t.Helper()
		if r.Status != status || r.ErrorType != typ || !strings.Contains(string(r.Body), msg) {
			t.Errorf("%s: %d %s %s, want %d %s %q", what, r.Status, r.ErrorType, r.Body, status, typ, msg)
		}
	}
	expectErr("GetSdkType java", h.do("GET", "/sdktypes/java", nil), 404, "NotFoundException", "Invalid SDK type specified: java")

	var api struct{ ID, RootResourceID string }
	_ = json.Unmarshal(h.do("POST", "/restapis", map[string]any{"name": "Pet Store"}).Body, &api)
	m := "/restapis/" + api.ID + "/resources/" + api.RootResourceID + "/methods/GET"
	h.do("PUT", m, map[string]any{"authorizationType": "NONE"})
	h.do("PUT", m+"/integration", map[string]any{"type": "MOCK", "requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}})
	if r := h.do("POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "dev"}); r.Status != 201 {
		t.Fatalf("CreateDeployment: %d %s", r.Status, r.Body)
	}
	// An edit after the deployment is not in the SDK.
	post := "/restapis/" + api.ID + "/resources/" + api.RootResourceID + "/methods/POST"
	h.do("PUT", post, map[string]any{"authorizationType": "NONE"})

	base := "/restapis/" + api.ID + "/stages/dev/sdks/"
	r := h.do("GET", base+"javascript", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/octet-stream" ||
		!regexp.MustCompile(`^attachment; filename="javascript_\d{4}-\d\d-\d\d_\d\d-\d\dZ\.zip"$`).MatchString(r.Header.Get("Content-Disposition")) {
		t.Fatalf("GetSdk: %d %v", r.Status, r.Header)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("apiGateway-js-sdk/apigClient.js")
	if err != nil {
		t.Fatal(err)
	}
	client, _ := io.ReadAll(f)
	if !strings.Contains(string(client), "var invokeUrl = 'https://"+api.ID+".execute-api.us-east-1.amazonaws.com/dev';") ||
		!strings.Contains(string(client), "apigClient.rootGet = function") || strings.Contains(string(client), "rootPost") {
		t.Errorf("apigClient.js:\n%s", client)
	}
	if r := h.do("GET", base+"typescript?invokeUrl=http://localhost:8080/prod/&npmPackageName=pets", nil); r.Status != 200 {
		t.Errorf("GetSdk typescript with parameters: %d %s", r.Status, r.Body)
	}
	expectErr("java", h.do("GET", base+"java", nil), 400, "BadRequestException",
		"SDK type java is not supported by Tollgate; supported types: javascript, typescript, go")
	expectErr("unknown type", h.do("GET", base+"cobol", nil), 404, "NotFoundException", "Invalid SDK type specified: cobol")
	expectErr("bad invokeUrl", h.do("GET", base+"go?invokeUrl=ftp://x", nil), 400, "BadRequestException", "Invalid invokeUrl")
	expectErr("bad goPackageName", h.do("GET", base+"go?goPackageName=a-b", nil), 400, "BadRequestException", "invalid goPackageName")
	expectErr("unknown stage", h.do("GET", "/restapis/"+api.ID+"/stages/nope/sdks/go", nil), 404, "NotFoundException", "Invalid Stage identifier specified")
	expectErr("unknown API", h.do("GET", "/restapis/nope/stages/dev/sdks/go", nil), 404, "NotFoundException", "Invalid API identifier specified 111111111111:nope")
}
