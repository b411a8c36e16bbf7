package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLIImport imports a Swagger file with `aws apigateway
// import-rest-api --body fileb://…`, overwrites it with put-rest-api,
// deploys it and exports it through the AWS CLI.
func TestAWSCLIImport(t *testing.T) {
	requireAWSCLI(t)
	g := startClientGateway(t)
	c := newCLI(t, g)
	dir := t.TempDir()
	spec := `{"swagger":"2.0","info":{"title":"cli-import","version":"3"},
"x-amazon-apigateway-binary-media-types":["image/png"],
"paths":{"/pets/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"type":"string"}],
"responses":{"200":{"description":"ok"}},
"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
"responses":{"default":{"statusCode":"200"}}}}}}}`
	file := filepath.Join(dir, "api.json")
	if err := os.WriteFile(file, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	var api struct {
		ID               string   `json:"id"`
		Name             string   `json:"name"`
		Version          string   `json:"version"`
		BinaryMediaTypes []string `json:"binaryMediaTypes"`
	}
	c.ok(&api, "import-rest-api", "--fail-on-warnings", "--body", "fileb://"+file)
	if api.ID == "" || api.Name != "cli-import" || api.Version != "3" || len(api.BinaryMediaTypes) != 1 {
		t.Fatalf("import-rest-api: %+v", api)
	}
	var res struct {
		Items []struct{ Path string } `json:"items"`
	}
	c.ok(&res, "get-resources", "--rest-api-id", api.ID)
	if len(res.Items) != 3 {
		t.Fatalf("get-resources: %+v", res)
	}
	c.ok(&api, "put-rest-api", "--rest-api-id", api.ID, "--mode", "overwrite", "--body", "fileb://"+file)
	c.ok(nil, "create-deployment", "--rest-api-id", api.ID, "--stage-name", "dev")
	out := filepath.Join(dir, "export.json")
	c.ok(nil, "get-export", "--rest-api-id", api.ID, "--stage-name", "dev", "--export-type", "oas30",
		"--parameters", "extensions=integrations", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || !strings.Contains(string(b), "x-amazon-apigateway-integration") {
		t.Fatalf("export: %v %s", err, b)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("openapi: ["), 0o600); err != nil {
		t.Fatal(err)
	}
	c.fails("BadRequestException", "ImportRestApi", "Invalid OpenAPI input.", "import-rest-api", "--body", "fileb://"+bad)
}
