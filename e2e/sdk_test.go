package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sdkAPI deploys the API the generated SDKs are tried on: a path and
// query parameter and a header (GET /pets/{petId}), a JSON body and an
// API key (POST /pets), an AWS_IAM method (GET /secure) and a greedy path
// (GET /files/{proxy+}), all answered by the echo function, which returns
// the event it got.
func sdkAPI(t *testing.T, dp *dataPlane) (*restAPI, string) {
	t.Helper()
	a := dp.newAPI(t, "Pet Store")
	dp.call(t, "POST", "/restapis/"+a.ID+"/models", map[string]any{"name": "Pet", "contentType": "application/json",
		"schema": `{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"kind":{"type":"string","enum":["cat","dog"]}}}`})
	a.lambdaProxy(t, "/pets/{petId}", "GET", "echo", nil)
	dp.call(t, "PATCH", a.methodPath(t, "/pets/{petId}", "GET"), map[string]any{"patchOperations": []map[string]any{
		{"op": "add", "path": "/requestParameters/method.request.querystring.verbose", "value": "false"},
		{"op": "add", "path": "/requestParameters/method.request.header.x-trace", "value": "false"},
	}})
	a.methodResponse(t, "/pets/{petId}", "GET", "200", map[string]any{"responseModels": map[string]string{"application/json": "Pet"}})
	a.method(t, "/pets", "POST", map[string]any{"apiKeyRequired": true, "requestModels": map[string]string{"application/json": "Pet"}})
	a.integration(t, "/pets", "POST", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI("echo")})
	a.method(t, "/secure", "GET", map[string]any{"authorizationType": "AWS_IAM",
		"requestParameters": map[string]bool{"method.request.querystring.q": true}})
	a.integration(t, "/secure", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI("echo")})
	a.lambdaProxy(t, "/files/{proxy+}", "GET", "echo", nil)
	a.deploy(t, "dev")
	keyID, key := dp.apiKey(t, "sdk", true)
	dp.usagePlan(t, "sdk", []string{a.ID + ":dev"}, keyID)
	return a, key
}

// unzipTo extracts a zip into dir.
func unzipTo(t *testing.T, b []byte, dir string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") || f.Mode()&os.ModeType != 0 {
			t.Fatalf("zip entry %q (%v)", f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sdkRun is what a runner reports.
type sdkRun map[string]struct {
	Status int             `json:"status"`
	Data   json.RawMessage `json:"data"`
	Error  string          `json:"error"`
}

// event decodes the echo function's event from a call's answer.
func (r sdkRun) event(t *testing.T, name string) map[string]any {
	t.Helper()
	c := r[name]
	if c.Status != 200 {
		t.Errorf("%s: status %d %s %s", name, c.Status, c.Data, c.Error)
		return map[string]any{}
	}
	var ev map[string]any
	if err := json.Unmarshal(c.Data, &ev); err != nil {
		t.Errorf("%s: answer %s: %v", name, c.Data, err)
	}
	return ev
}

// checkSDKRun checks the calls every SDK makes.
func checkSDKRun(t *testing.T, sdk string, r sdkRun, key string) {
	t.Helper()
	get := r.event(t, "get")
	if get["path"] != "/pets/a%20b" && get["path"] != "/pets/a b" {
		t.Errorf("%s get: path %v", sdk, get["path"])
	}
	// The gateway hands path parameters over as sent (percent-encoded).
	if pp, _ := get["pathParameters"].(map[string]any); unescaped(pp["petId"]) != "a b" {
		t.Errorf("%s get: pathParameters %v", sdk, get["pathParameters"])
	}
	if q, _ := get["queryStringParameters"].(map[string]any); q["verbose"] != "yes" {
		t.Errorf("%s get: query %v", sdk, get["queryStringParameters"])
	}
	if h, _ := get["headers"].(map[string]any); h["x-trace"] != "t1" && h["X-Trace"] != "t1" {
		t.Errorf("%s get: headers %v", sdk, get["headers"])
	}
	post := r.event(t, "post")
	var body map[string]any
	if s, _ := post["body"].(string); json.Unmarshal([]byte(s), &body) != nil || body["id"] != "p1" || body["kind"] != "cat" {
		t.Errorf("%s post: body %v", sdk, post["body"])
	}
	if id, _ := post["requestContext"].(map[string]any)["identity"].(map[string]any); id["apiKey"] != key {
		t.Errorf("%s post: identity %v, want the API key", sdk, id)
	}
	if c := r["postNoKey"]; c.Status != 403 {
		t.Errorf("%s post without a key: %d %s", sdk, c.Status, c.Data)
	}
	secure := r.event(t, "secure")
	if id, _ := secure["requestContext"].(map[string]any)["identity"].(map[string]any); id["accessKey"] != "AKIAALICEEXAMPLE0001" {
		t.Errorf("%s secure: identity %v", sdk, id)
	}
	if q, _ := secure["queryStringParameters"].(map[string]any); q["q"] != "x y" {
		t.Errorf("%s secure: query %v", sdk, secure["queryStringParameters"])
	}
	if c := r["secureUnsigned"]; c.Status != 403 {
		t.Errorf("%s secure unsigned: %d %s", sdk, c.Status, c.Data)
	}
	if pp, _ := r.event(t, "greedy")["pathParameters"].(map[string]any); unescaped(pp["proxy"]) != "a/b c.txt" {
		t.Errorf("%s greedy: pathParameters %v", sdk, pp)
	}
}

// unescaped decodes a percent-encoded path parameter.
func unescaped(v any) string {
	s, _ := v.(string)
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// TestGeneratedSDKs generates the javascript SDK with `aws apigateway
// get-sdk`, the typescript one with `tollgate sdk` and the go one with
// both, then runs them against the gateway: Node loads AWS's JavaScript
// layout as browser scripts, tsc compiles the TypeScript source and Node
// runs it, and Go builds and runs a program on the Go SDK. Each calls a
// method with path, query and header parameters, one with a JSON body and
// an API key, an AWS_IAM method (SigV4) and a greedy path.
func TestGeneratedSDKs(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	jsDir := filepath.Join(repoRoot(), "e2e", "js")
	checkNodeModules(t, jsDir)
	dp := startDataPlane(t, "", append([]string{"--config", iamConfig(t)}, functionFlag(t, "echo", "echo")...)...)
	a, key := sdkAPI(t, dp)
	invokeURL := dp.HTTP + "/_aws/execute-api/" + a.ID + "/dev"
	eventually(t, "the stage serves", func() error {
		r, err := dp.send(t, "GET", invokeURL+"/pets/1", nil, nil)
		if err == nil && r.Status != 200 {
			err = fmt.Errorf("status %d", r.Status)
		}
		return err
	})
	c := newCLI(t, dp.Gateway)
	work := t.TempDir()
	runEnv := []string{"SDK_INVOKE_URL=" + invokeURL, "SDK_API_KEY=" + key,
		"SDK_ACCESS_KEY=AKIAALICEEXAMPLE0001", "SDK_SECRET_KEY=alice-secret"}
	run := func(dir, name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		res := runClient(ctx, dp.Gateway, dir, runEnv, name, args...)
		if res.Code != 0 {
			t.Fatalf("%s %s: exit %d\n%s\n%s", name, strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
		}
		return res.Stdout
	}

	// javascript, by the AWS CLI; the default invoke URL is the HTTPS
	// listener's at the host the CLI addressed.
	var meta struct {
		ContentType        string `json:"contentType"`
		ContentDisposition string `json:"contentDisposition"`
	}
	jsZip := filepath.Join(work, "js.zip")
	c.ok(&meta, "get-sdk", "--rest-api-id", a.ID, "--stage-name", "dev", "--sdk-type", "javascript", jsZip)
	if meta.ContentType != "application/octet-stream" ||
		!regexp.MustCompile(`^attachment; filename="javascript_\d{4}-\d\d-\d\d_\d\d-\d\dZ\.zip"$`).MatchString(meta.ContentDisposition) {
		t.Errorf("get-sdk: %+v", meta)
	}
	b, err := os.ReadFile(jsZip)
	if err != nil {
		t.Fatal(err)
	}
	unzipTo(t, b, filepath.Join(work, "js"))
	client, _ := os.ReadFile(filepath.Join(work, "js", "apiGateway-js-sdk", "apigClient.js"))
	httpsURL := strings.Replace(dp.HTTPS, "127.0.0.1", "127.0.0.1", 1) + "/_aws/execute-api/" + a.ID + "/dev"
	if !strings.Contains(string(client), "var invokeUrl = '"+httpsURL+"';") {
		t.Errorf("apigClient.js does not call %s", httpsURL)
	}
	var js sdkRun
	if err := json.Unmarshal([]byte(run(jsDir, "node", "sdk-run.mjs", "js", filepath.Join(work, "js", "apiGateway-js-sdk"))), &js); err != nil {
		t.Fatal(err)
	}
	checkSDKRun(t, "javascript", js, key)
	// Every declared parameter must be given, as with AWS's SDK [C].
	if got := js["missing"].Error; got != "x-trace must be defined" {
		t.Errorf("javascript: a call without its declared parameters: %q", got)
	}

	// typescript, by `tollgate sdk`; tsc compiles the source.
	tsZip := filepath.Join(work, "ts.zip")
	run(work, binary(t), "sdk", "--admin-addr", strings.TrimPrefix(dp.Endpoint, "http://"), "--data-dir", dp.DataDir,
		"--rest-api-id", a.ID, "--stage", "dev", "--type", "typescript", "--param", "npmPackageName=pets-client", "-o", tsZip)
	b, err = os.ReadFile(tsZip)
	if err != nil {
		t.Fatal(err)
	}
	unzipTo(t, b, filepath.Join(work, "ts"))
	tsRoot := filepath.Join(work, "ts", "pet-store-typescript-sdk")
	run(tsRoot, filepath.Join(jsDir, "node_modules", ".bin", "tsc"), "--strict", "--target", "es2022", "--module", "es2022",
		"--lib", "es2022,dom", "--outDir", filepath.Join(work, "tsc-out"), "src/index.ts")
	for _, file := range []string{filepath.Join(work, "tsc-out", "index.js"), filepath.Join(tsRoot, "dist", "index.js")} {
		var ts sdkRun
		if err := json.Unmarshal([]byte(run(jsDir, "node", "sdk-run.mjs", "ts", file)), &ts); err != nil {
			t.Fatal(err)
		}
		checkSDKRun(t, "typescript "+filepath.Base(filepath.Dir(file)), ts, key)
		if got := ts["errorClass"].Error; got != "ApiError 403 true" {
			t.Errorf("typescript: a 403 rejects with %q", got)
		}
	}

	// go, by the AWS CLI; a program on the module builds offline and runs.
	goZip := filepath.Join(work, "go.zip")
	c.ok(&meta, "get-sdk", "--rest-api-id", a.ID, "--stage-name", "dev", "--sdk-type", "go",
		"--parameters", "goModulePath=example.com/pets", goZip)
	b, err = os.ReadFile(goZip)
	if err != nil {
		t.Fatal(err)
	}
	unzipTo(t, b, filepath.Join(work, "go"))
	prog := filepath.Join(work, "go", "prog")
	if err := os.MkdirAll(prog, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(work, "go", "pet-store-go-sdk", "go.sum"))
	files := map[string]string{
		"go.mod": "module prog\n\ngo 1.24\n\nrequire example.com/pets v0.0.0\n\nreplace example.com/pets => ../pet-store-go-sdk\n",
		"go.sum": string(sum), "main.go": goSDKProgram,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(prog, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goEnv := []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local"}
	runEnv = append(runEnv, goEnv...)
	run(filepath.Join(work, "go", "pet-store-go-sdk"), "go", "vet", "./...")
	var goRun sdkRun
	if err := json.Unmarshal([]byte(run(prog, "go", "run", ".")), &goRun); err != nil {
		t.Fatal(err)
	}
	checkSDKRun(t, "go", goRun, key)
	checkGatewayLog(t, dp.Gateway)
}

// goSDKProgram calls the API through the generated Go SDK and prints the
// answers as sdk-run.mjs does.
const goSDKProgram = `package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	pets "example.com/pets"
)

type outcome struct {
	Status int             ` + "`json:\"status\"`" + `
	Data   json.RawMessage ` + "`json:\"data\"`" + `
	Error  string          ` + "`json:\"error,omitempty\"`" + `
}

func result[T any](res *pets.Response[T], err error) outcome {
	var ae *pets.APIError
	switch {
	case errors.As(err, &ae):
		return outcome{Status: ae.StatusCode, Data: ae.Body}
	case err != nil:
		return outcome{Error: err.Error()}
	}
	return outcome{Status: res.StatusCode, Data: res.Body}
}

func main() {
	ctx := context.Background()
	url := os.Getenv("SDK_INVOKE_URL")
	open := pets.New(pets.Options{InvokeURL: url})
	keyed := pets.New(pets.Options{InvokeURL: url, APIKey: os.Getenv("SDK_API_KEY")})
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: os.Getenv("SDK_ACCESS_KEY"), SecretAccessKey: os.Getenv("SDK_SECRET_KEY")}, nil
	})
	iam := pets.New(pets.Options{InvokeURL: url, Credentials: creds})
	out := map[string]outcome{}
	out["get"] = result(open.PetsPetIdGet(ctx, &pets.PetsPetIdGetInput{PetId: "a b", Verbose: "yes", XTrace: "t1"}))
	out["post"] = result(keyed.PetsPost(ctx, &pets.PetsPostInput{Body: &pets.Pet{Id: "p1", Kind: "cat"}}))
	out["postNoKey"] = result(open.PetsPost(ctx, &pets.PetsPostInput{Body: &pets.Pet{Id: "p1"}}))
	out["secure"] = result(iam.SecureGet(ctx, &pets.SecureGetInput{Q: "x y"}))
	out["secureUnsigned"] = result(open.SecureGet(ctx, &pets.SecureGetInput{Q: "1"}))
	out["greedy"] = result(open.FilesProxyGet(ctx, &pets.FilesProxyGetInput{Proxy: "a/b c.txt"}))
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
`
