package sdkgen

import (
	"archive/zip"
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/model"
)

// TestMethodName pins AWS's JavaScript SDK names (reference §2.4, from
// generated apigClient.js files).
func TestMethodName(t *testing.T) {
	for _, c := range []struct{ verb, path, want string }{
		{"GET", "/", "rootGet"},
		{"GET", "/pets", "petsGet"},
		{"POST", "/pets", "petsPost"},
		{"GET", "/pets/{petId}", "petsPetIdGet"},
		{"DELETE", "/comment/{commentId}", "commentCommentIdDelete"},
		{"PUT", "/{bucket}/{filename}", "bucketFilenamePut"},
		{"GET", "/user-info", "userInfoGet"},
		{"OPTIONS", "/user-proxy/{proxy+}", "userProxyProxyOptions"},
		{"GET", "/auth-svc/api-docs/{proxy+}", "authSvcApiDocsProxyGet"},
		{"GET", "/cnb-svc/types/{typeId}/categories/{categoryId}/pay-structures", "cnbSvcTypesTypeIdCategoriesCategoryIdPayStructuresGet"},
		{"GET", "/api_1/{bucket}", "api1BucketGet"},
		{"GET", "/{a}/{b}/{op}", "aBOpGet"},
	} {
		if got := MethodName(c.path, c.verb); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.verb, c.path, got, c.want)
		}
	}
}

// TestGoSumInStep: the Go SDK's go.sum lines are Tollgate's own.
func TestGoSumInStep(t *testing.T) {
	root, err := os.ReadFile(filepath.Join("..", "..", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(goSum), "\n") {
		if !strings.Contains(string(root), line+"\n") {
			t.Errorf("go.sum has no %q: regenerate internal/sdkgen/golib/go.sum.txt from go.sum", line)
		}
	}
	direct, indirect := goRequires()
	if !strings.HasPrefix(direct, "github.com/aws/aws-sdk-go-v2 v") || !strings.HasPrefix(indirect, "github.com/aws/smithy-go v") {
		t.Errorf("requires %q %q", direct, indirect)
	}
}

func petSnapshot() *model.Snapshot {
	schema := `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"kind":{"type":"string","enum":["cat","dog"]}}}`
	return &model.Snapshot{
		API: model.RestApi{ID: "abc123", Name: "Pet Store"},
		Resources: []model.Resource{
			{ID: "r2", Path: "/pets/{petId}", ResourceMethods: map[string]*model.Method{
				"GET":    {AuthorizationType: "NONE", RequestParameters: map[string]bool{"method.request.path.petId": true, "method.request.querystring.verbose": false}},
				"DELETE": {AuthorizationType: "AWS_IAM"},
			}},
			{ID: "r0", Path: "/", ResourceMethods: map[string]*model.Method{"ANY": {AuthorizationType: "NONE"}}},
			{ID: "r1", Path: "/pets", ResourceMethods: map[string]*model.Method{
				"POST": {AuthorizationType: "NONE", ApiKeyRequired: true, RequestModels: map[string]string{"application/json": "Pet"}},
				"GET":  {AuthorizationType: "NONE", MethodResponses: map[string]*model.MethodResponse{"200": {ResponseModels: map[string]string{"application/json": "Pets"}}}},
			}},
		},
		Models: []model.Model{
			{Name: "Pet", Schema: &schema},
			{Name: "Pets", Schema: model.Ptr(`{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/Pet"}}`)},
		},
	}
}

// TestJavaScriptLayout: AWS's files in AWS's zip order, functions in AWS's
// order (resources by path; GET, PUT, POST, DELETE…), no function for ANY.
func TestJavaScriptLayout(t *testing.T) {
	a := FromSnapshot(petSnapshot(), "dev", "http://localhost:8080/_aws/execute-api/abc123/dev", "us-east-1")
	files, err := Generate("javascript", a, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Zip(files, time.Date(2023, 12, 9, 7, 48, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Mode() != 0o644 || !f.Modified.Equal(time.Date(2023, 12, 9, 7, 48, 0, 0, time.UTC)) {
			t.Errorf("%s: mode %v, modified %v", f.Name, f.Mode(), f.Modified)
		}
	}
	want := []string{"apigClient.js", "lib/axios/dist/axios.standalone.js", "lib/CryptoJS/rollups/sha256.js",
		"lib/CryptoJS/rollups/hmac-sha256.js", "lib/CryptoJS/components/hmac.js", "lib/CryptoJS/components/enc-base64.js",
		"lib/url-template/url-template.js", "lib/apiGatewayCore/sigV4Client.js", "lib/apiGatewayCore/simpleHttpClient.js",
		"lib/apiGatewayCore/utils.js", "lib/apiGatewayCore/apiGatewayClient.js", "README.md"}
	for i := range want {
		want[i] = "apiGateway-js-sdk/" + want[i]
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("zip entries:\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	client := files[0].Data
	var order []string
	for _, line := range strings.Split(client, "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "apigClient."); ok && strings.Contains(name, " = function") {
			order = append(order, strings.Fields(name)[0])
		}
	}
	if got := strings.Join(order, ","); got != "petsGet,petsPost,petsPetIdGet,petsPetIdDelete" {
		t.Errorf("functions %s", got)
	}
	for _, want := range []string{
		"var invokeUrl = 'http://localhost:8080/_aws/execute-api/abc123/dev';",
		"apiGateway.core.utils.assertParametersDefined(params, ['petId', 'verbose'], ['body']);",
		"path: pathComponent + uritemplate('/pets/{petId}').expand(apiGateway.core.utils.parseParametersToObject(params, ['petId'])),",
		"queryParams: apiGateway.core.utils.parseParametersToObject(params, ['verbose']),",
		"verb: 'delete'.toUpperCase(),",
		"config.region = 'us-east-1';",
	} {
		if !strings.Contains(client, want) {
			t.Errorf("apigClient.js has no %q", want)
		}
	}
	// An API of ANY methods only has no apigClient.js [D].
	only := &model.Snapshot{API: model.RestApi{Name: "x"}, Resources: []model.Resource{{Path: "/", ResourceMethods: map[string]*model.Method{"ANY": {}}}}}
	if files := JavaScript(FromSnapshot(only, "dev", "http://h/dev", "us-east-1")); strings.HasSuffix(files[0].Path, "apigClient.js") {
		t.Error("an ANY-only API got an apigClient.js")
	}
}

// TestTypedModels: JSON Schema models become TypeScript and Go types.
func TestTypedModels(t *testing.T) {
	a := FromSnapshot(petSnapshot(), "dev", "http://h/dev", "us-east-1")
	ts, _ := Generate("typescript", a, nil)
	goFiles, _ := Generate("go", a, map[string]string{"goModulePath": "example.com/pets"})
	all := func(files []File) string {
		var b strings.Builder
		for _, f := range files {
			b.WriteString(f.Path + "\n" + f.Data)
		}
		return b.String()
	}
	tsText, goText := all(ts), all(goFiles)
	for _, want := range []string{"pet-store-typescript-sdk/src/index.ts", "export interface Pet {\n  id: string;\n  kind?: 'cat' | 'dog';\n}",
		"export type Pets = Array<Pet>;", "petsGet(params?: Record<string, never>, body?: unknown, extras?: RequestExtras): Promise<ApiResponse<Pets>>;",
		"petsPetIdGet(params: { petId: string; verbose?: string }", `"name": "pet-store-client"`} {
		if !strings.Contains(tsText, want) {
			t.Errorf("typescript SDK has no %q", want)
		}
	}
	for _, want := range []string{"pet-store-go-sdk/go.mod\nmodule example.com/pets\n", "package petstoreclient",
		"type Pets []Pet", "Id   string `json:\"id\"`", "func (c *Client) PetsPost(ctx context.Context, in *PetsPostInput) (*Response[json.RawMessage], error)",
		"Body   *Pet        // sent as JSON"} {
		if !strings.Contains(goText, want) {
			t.Errorf("go SDK has no %q", want)
		}
	}
	if _, err := Generate("go", a, map[string]string{"goPackageName": "Bad-Name"}); err == nil {
		t.Error("a bad goPackageName was accepted")
	}
}

// TestHostileNames: an API name or parameter names cannot break out of
// comments or strings of the generated code.
func TestHostileNames(t *testing.T) {
	snap := petSnapshot()
	snap.API.Name = "x */ evil()\n//\nfunc init() { panic(1) }"
	snap.Resources[0].ResourceMethods["GET"].RequestParameters["method.request.header.a'\"`${b}"] = false
	a := FromSnapshot(snap, "dev", "http://h/dev?'\"", "us-east-1")
	if strings.ContainsAny(a.Name, "\n") || strings.Contains(a.Name, "*/") {
		t.Errorf("name %q", a.Name)
	}
	for _, typ := range []string{"javascript", "typescript", "go"} {
		files, err := Generate(typ, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.Contains(f.Data, "\nfunc init() { panic(1) }") {
				t.Errorf("%s %s: the name's newline reached the code", typ, f.Path)
			}
			if strings.HasSuffix(f.Path, ".go") {
				if _, err := parser.ParseFile(token.NewFileSet(), f.Path, f.Data, 0); err != nil {
					t.Errorf("%s: %v", f.Path, err)
				}
			}
		}
	}
}
