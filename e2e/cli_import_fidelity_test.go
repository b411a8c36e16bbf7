package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestAWSCLIImportFidelity imports, through `aws apigateway
// import-rest-api`, the kinds of real files AWS imports and Tollgate used
// to refuse or misread (the fixtures are in internal/mgmt/testdata/openapi,
// each naming its source), then exports with `aws apigateway get-export`.
func TestAWSCLIImportFidelity(t *testing.T) {
	requireAWSCLI(t)
	const account = "123456789012"
	g := startGateway(t, "", "--account-id", account)
	c := newCLI(t, g)
	fixture := func(name string) string {
		return "fileb://" + filepath.Join(repoRoot(), "internal", "mgmt", "testdata", "openapi", name)
	}
	type importedAPI struct {
		ID       string   `json:"id"`
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Warnings []string `json:"warnings"`
	}
	resourceID := func(apiID, path string) string {
		t.Helper()
		var rs cliResources
		c.ok(&rs, "get-resources", "--rest-api-id", apiID)
		for _, r := range rs.Items {
			if r.Path == path {
				return r.ID
			}
		}
		t.Fatalf("no resource %s in %+v", path, rs)
		return ""
	}
	type integration struct {
		URI                  string            `json:"uri"`
		Credentials          string            `json:"credentials"`
		RequestTemplates     map[string]string `json:"requestTemplates"`
		TimeoutInMillis      int               `json:"timeoutInMillis"`
		ResponseTransferMode string            `json:"responseTransferMode"`
	}
	getIntegration := func(apiID, path, verb string) integration {
		t.Helper()
		var in integration
		c.ok(&in, "get-integration", "--rest-api-id", apiID, "--resource-id", resourceID(apiID, path), "--http-method", verb)
		return in
	}

	t.Run("AWS variables", func(t *testing.T) {
		var api importedAPI
		c.ok(&api, "import-rest-api", "--fail-on-warnings", "--body", fixture("aws-variables.yaml"))
		if in := getIntegration(api.ID, "/", "GET"); in.URI != "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:"+account+":function:LambdaFunctionName/invocations" {
			t.Errorf("GET / uri: %s", in.URI)
		}
		in := getIntegration(api.ID, "/tasks", "POST")
		if in.Credentials != "arn:aws:iam::"+account+":role/tasks-api-states" || strings.Contains(in.RequestTemplates["application/json"], "${") {
			t.Errorf("POST /tasks: %+v", in)
		}
		var auths struct {
			Items []struct {
				AuthorizerURI         string `json:"authorizerUri"`
				AuthorizerCredentials string `json:"authorizerCredentials"`
			} `json:"items"`
		}
		c.ok(&auths, "get-authorizers", "--rest-api-id", api.ID)
		if len(auths.Items) != 1 || !strings.Contains(auths.Items[0].AuthorizerURI, ":"+account+":function:tasks-authorizer") ||
			auths.Items[0].AuthorizerCredentials != "arn:aws:iam::"+account+":role/tasks-api-authorizer" {
			t.Errorf("authorizers: %+v", auths)
		}
	})

	t.Run("unquoted swagger 2.0", func(t *testing.T) {
		for _, f := range []string{"sam-swagger-number.yaml", "sam-swagger-number.json"} {
			var api importedAPI
			c.ok(&api, "import-rest-api", "--fail-on-warnings", "--body", fixture(f))
			if api.Name != "sam-hello" || api.Version != "1.0" {
				t.Errorf("%s: %+v", f, api)
			}
		}
	})

	t.Run("two paths keys", func(t *testing.T) {
		const warning = "Duplicate key 'paths' at line 9: the value at line 19 is used"
		c.fails("BadRequestException", "ImportRestApi", "Warnings found during import:\n\t"+warning,
			"import-rest-api", "--fail-on-warnings", "--body", fixture("sfn-xml-two-paths.yaml"))
		var api importedAPI
		c.ok(&api, "import-rest-api", "--body", fixture("sfn-xml-two-paths.yaml"))
		if len(api.Warnings) != 1 || api.Warnings[0] != warning {
			t.Errorf("warnings: %q", api.Warnings)
		}
		var rs cliResources
		c.ok(&rs, "get-resources", "--rest-api-id", api.ID)
		var paths []string
		for _, r := range rs.Items {
			paths = append(paths, r.Path)
		}
		if strings.Join(paths, " ") != "/ /orders" {
			t.Errorf("resources %v, want / and the last paths' /orders", paths)
		}
		if in := getIntegration(api.ID, "/orders", "POST"); !strings.Contains(in.RequestTemplates["application/xml"], ":"+account+":stateMachine:xml-orders") {
			t.Errorf("POST /orders: %+v", in)
		}
	})

	t.Run("no title", func(t *testing.T) {
		before := time.Now().UTC().Truncate(time.Second)
		var api importedAPI
		c.ok(&api, "import-rest-api", "--fail-on-warnings", "--body", fixture("no-title.yaml"))
		at, err := time.Parse("2006-01-02T15:04:05Z", strings.TrimPrefix(api.Name, "Imported on "))
		if err != nil || at.Before(before) || at.After(time.Now()) {
			t.Errorf("name %q: want Imported on {time of the import}", api.Name)
		}
	})

	t.Run("ignore documentation", func(t *testing.T) {
		var parts struct {
			Items []json.RawMessage `json:"items"`
		}
		var api importedAPI
		c.ok(&api, "import-rest-api", "--parameters", "ignore=documentation", "--body", fixture("documented-pets.json"))
		c.ok(&parts, "get-documentation-parts", "--rest-api-id", api.ID)
		if len(parts.Items) != 0 {
			t.Errorf("ignore=documentation: %d parts imported", len(parts.Items))
		}
		c.ok(&api, "import-rest-api", "--body", fixture("documented-pets.json"))
		c.ok(&parts, "get-documentation-parts", "--rest-api-id", api.ID)
		if len(parts.Items) != 4 {
			t.Errorf("without ignore: %d parts, want 4", len(parts.Items))
		}
	})

	t.Run("response streaming and export", func(t *testing.T) {
		var api importedAPI
		c.ok(&api, "import-rest-api", "--fail-on-warnings", "--body", fixture("response-streaming.yaml"))
		// This AWS CLI predates responseTransferMode and drops it from
		// get-integration's output; the timeout shows the mode was kept.
		if in := getIntegration(api.ID, "/streaming", "GET"); in.TimeoutInMillis != 900000 {
			t.Errorf("integration: %+v", in)
		}
		c.ok(nil, "create-deployment", "--rest-api-id", api.ID, "--stage-name", "prod")
		dir := t.TempDir()
		type exportOut struct {
			ContentType        string `json:"contentType"`
			ContentDisposition string `json:"contentDisposition"`
		}
		for _, accepts := range []string{"", "application/yaml"} {
			file := filepath.Join(dir, "export-"+strings.ReplaceAll(accepts, "/", "-"))
			args := []string{"get-export", "--rest-api-id", api.ID, "--stage-name", "prod", "--export-type", "oas30",
				"--parameters", "extensions=integrations"}
			if accepts != "" {
				args = append(args, "--accepts", accepts)
			}
			var out exportOut
			c.ok(&out, append(args, file)...)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			wantCT, wantFile := "application/octet-stream", `attachment; filename="oas30_2025-04-28T17:28:25Z.json"`
			if accepts == "" {
				err = json.Unmarshal(b, &doc)
			} else {
				wantCT, wantFile = accepts, strings.Replace(wantFile, ".json", ".yaml", 1)
				err = yaml.Unmarshal(b, &doc)
			}
			if err != nil || out.ContentType != wantCT || out.ContentDisposition != wantFile {
				t.Errorf("get-export %q: %+v (want %s, %s), body %v %.80s", accepts, out, wantCT, wantFile, err, b)
				continue
			}
			x, _ := doc["paths"].(map[string]any)["/streaming"].(map[string]any)["get"].(map[string]any)["x-amazon-apigateway-integration"].(map[string]any)
			if x["responseTransferMode"] != "STREAM" {
				t.Errorf("get-export %q: integration %v", accepts, x)
			}
		}
	})
}
