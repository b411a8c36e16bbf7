package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// samApp copies e2e/testdata/sam-jwt into a temporary directory with the
// echo test function as the bootstrap of both functions.
func samApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot(), "e2e", "testdata", "sam-jwt", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(functionBinary(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"rest", "http"} {
		if err := os.MkdirAll(filepath.Join(dir, fn), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fn, "bootstrap"), bin, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	restStageRE = regexp.MustCompile(`REST API (\w+) \(e2e-app\) stage Prod:`)
	httpStageRE = regexp.MustCompile(`HTTP API (\w+) \(e2e-app\) stage \$default:`)
)

// stackIDs waits for out() to print both APIs of the sam-jwt stack.
func stackIDs(t *testing.T, out func() string) (rest, httpID string) {
	t.Helper()
	eventually(t, "the stack's APIs", func() error {
		r, h := restStageRE.FindStringSubmatch(out()), httpStageRE.FindStringSubmatch(out())
		if r == nil || h == nil {
			return fmt.Errorf("not created yet:\n%s", out())
		}
		rest, httpID = r[1], h[1]
		return nil
	})
	return rest, httpID
}

// TestServeSAMTemplate serves a SAM template (`serve --template`): a REST
// route on the implicit ServerlessRestApi and an HTTP API route behind a
// JWT authorizer both answer through the data plane; the outputs show the
// real API ids; editing the template adds a route without a restart.
func TestServeSAMTemplate(t *testing.T) {
	iss := newOIDCIssuer(t)
	dir := samApp(t)
	envVars := filepath.Join(dir, "env.json")
	if err := os.WriteFile(envVars, []byte(`{"Parameters": {"STAGE": "from-env-vars"}, "HttpFunction": {"STAGE": "http-only", "UNDECLARED": "x"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := startDataPlane(t, "", "--template", filepath.Join(dir, "template.yaml"), "--stack-name", "e2e-app",
		"--parameter-overrides", "Issuer="+iss.URL, "Stage=prod", "--env-vars", envVars)
	rest, httpID := stackIDs(t, dp.Stdout)
	// --env-vars: "Parameters" for every function, then the function's own,
	// for the variables the template declares.
	lc := dp.Gateway.lambdaClient(t)
	for fn, want := range map[string]string{"RestFunction": `{"STAGE":"from-env-vars"}`, "HttpFunction": `{"STAGE":"http-only"}`} {
		m := regexp.MustCompile(`function ` + fn + `: (\S+) `).FindStringSubmatch(dp.Stdout())
		if m == nil {
			t.Fatalf("no function %s:\n%s", fn, dp.Stdout())
		}
		out, err := lc.Invoke(t.Context(), &lambdasdk.InvokeInput{FunctionName: &m[1], Payload: []byte(`{"getenv": "STAGE"}`)})
		if err != nil || string(out.Payload) != want {
			t.Errorf("%s STAGE: %v %s, want %s", fn, err, out.Payload, want)
		}
	}
	if !strings.Contains(dp.Stdout(), "RestUrl = https://"+rest+".execute-api.us-east-1.amazonaws.com/Prod/hello") ||
		!strings.Contains(dp.Stdout(), "HttpUrl = https://"+httpID+".execute-api.us-east-1.amazonaws.com") {
		t.Errorf("outputs:\n%s", dp.Stdout())
	}
	if !strings.Contains(dp.Stdout(), "skipped (not served locally): AWS::IAM::Role ×2") {
		t.Errorf("skipped resources not listed:\n%s", dp.Stdout())
	}
	restURL := dp.HTTP + "/_aws/execute-api/" + rest + "/Prod"
	eventually(t, "the REST route", func() error {
		r := dp.do(t, "GET", restURL+"/hello?x=1", nil, nil)
		if r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		ev := decodeBody(t, r)
		if ev["resource"] != "/hello" || ev["requestContext"].(map[string]any)["stage"] != "Prod" {
			return fmt.Errorf("event %v", ev)
		}
		return nil
	})
	// SAM's deployment also creates the stage named "Stage".
	if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/Stage/hello", nil, nil); r.Status != 200 {
		t.Errorf("stage Stage: %s", r)
	}
	httpURL := dp.HTTP + "/_aws/execute-api/" + httpID + "/$default"
	eventually(t, "the HTTP route", func() error {
		if r := dp.do(t, "GET", httpURL+"/me", nil, nil); r.Status != 401 || string(r.Body) != `{"message":"Unauthorized"}` {
			return fmt.Errorf("no token: %s", r)
		}
		return nil
	})
	r := dp.do(t, "GET", httpURL+"/me", http.Header{"Authorization": {"Bearer " + iss.token(t, map[string]any{"aud": "web"})}}, nil)
	expect(t, "wrong audience", r, 401, `{"message":"Unauthorized"}`)
	r = dp.do(t, "GET", httpURL+"/me", http.Header{"Authorization": {"Bearer " + iss.token(t, map[string]any{"aud": "app", "sub": "u-7"})}}, nil)
	if r.Status != 200 {
		t.Fatalf("with a token: %s", r)
	}
	ev := decodeBody(t, r)
	claims := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["jwt"].(map[string]any)["claims"].(map[string]any)
	if claims["sub"] != "u-7" || ev["routeKey"] != "GET /me" {
		t.Errorf("event %v", ev)
	}

	// Editing the template reloads it: a new route on the same API.
	tpl := filepath.Join(dir, "template.yaml")
	src, _ := os.ReadFile(tpl)
	edited := strings.Replace(string(src), "            Path: /hello\n            Method: get\n",
		"            Path: /hello\n            Method: get\n        Bye:\n          Type: Api\n          Properties:\n            Path: /bye\n            Method: get\n", 1)
	if err := os.WriteFile(tpl, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the route added by the edit", func() error {
		if r := dp.do(t, "GET", restURL+"/bye", nil, nil); r.Status != 200 {
			return fmt.Errorf("%s\n%s", r, dp.Stdout())
		}
		return nil
	})
	if n := len(dp.call(t, "GET", "/restapis", nil)["item"].([]any)); n != 1 {
		t.Errorf("after the reload: %d REST APIs, want 1", n)
	}
}

// deploy runs `tollgate deploy` against dp.
func deploy(t *testing.T, dp *dataPlane, args ...string) (string, error) {
	t.Helper()
	full := append([]string{"deploy", "--admin-addr", strings.TrimPrefix(dp.Endpoint, "http://"), "--data-dir", dp.DataDir}, args...)
	cmd := exec.Command(binary(t), full...)
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestDeploySAMTemplateTwice deploys a template to a running gateway with
// `tollgate deploy --template`, then again: the second deploy updates the
// stack in place (same API ids, one API of each kind) and both still answer.
func TestDeploySAMTemplateTwice(t *testing.T) {
	iss := newOIDCIssuer(t)
	dir := samApp(t)
	dp := startDataPlane(t, "")
	args := []string{"--template", filepath.Join(dir, "template.yaml"), "--stack-name", "e2e-app", "--parameter-overrides", "Issuer=" + iss.URL}
	out, err := deploy(t, dp, args...)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	rest, httpID := stackIDs(t, func() string { return out })
	out2, err := deploy(t, dp, append(args, "Stage=prod")...)
	if err != nil {
		t.Fatalf("second deploy: %v\n%s", err, out2)
	}
	rest2, http2 := stackIDs(t, func() string { return out2 })
	if rest2 != rest || http2 != httpID {
		t.Errorf("second deploy: APIs %s/%s, first %s/%s", rest2, http2, rest, httpID)
	}
	if !regexp.MustCompile(`stack e2e-app: \d+ resources created, [1-9]\d* updated`).MatchString(out2) {
		t.Errorf("second deploy summary:\n%s", out2)
	}
	if n := len(dp.call(t, "GET", "/restapis", nil)["item"].([]any)); n != 1 {
		t.Errorf("%d REST APIs, want 1", n)
	}
	if n := len(dp.call(t, "GET", "/v2/apis", nil)["items"].([]any)); n != 1 {
		t.Errorf("%d HTTP APIs, want 1", n)
	}
	eventually(t, "the updated stack", func() error {
		if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/Prod/hello", nil, nil); r.Status != 200 {
			return fmt.Errorf("REST: %s", r)
		}
		if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+httpID+"/$default/me", nil, nil); r.Status != 401 {
			return fmt.Errorf("HTTP: %s", r)
		}
		return nil
	})

	// A third deploy without the HTTP API and its function deletes them.
	tpl := filepath.Join(dir, "template.yaml")
	src, _ := os.ReadFile(tpl)
	text := string(src)
	cut := func(from, to string) {
		i, j := strings.Index(text, from), strings.Index(text, to)
		if i < 0 || j < i {
			t.Fatalf("template lacks %q … %q", from, to)
		}
		text = text[:i] + text[j:]
	}
	cut("  HttpFunction:\n", "Outputs:\n")
	text = text[:strings.Index(text, "  HttpUrl:\n")]
	if err := os.WriteFile(tpl, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out3, err := deploy(t, dp, args...)
	if err != nil {
		t.Fatalf("third deploy: %v\n%s", err, out3)
	}
	if !strings.Contains(out3, "deleted (no longer in the template): 2") {
		t.Errorf("third deploy:\n%s", out3)
	}
	if n := len(dp.call(t, "GET", "/v2/apis", nil)["items"].([]any)); n != 0 {
		t.Errorf("%d HTTP APIs after removing it from the template", n)
	}
	fns, err := dp.Gateway.lambdaClient(t).ListFunctions(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns.Functions) != 1 || !strings.Contains(*fns.Functions[0].FunctionName, "RestFunction") {
		t.Errorf("functions after removing HttpFunction: %d", len(fns.Functions))
	}
	if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/Prod/hello", nil, nil); r.Status != 200 {
		t.Errorf("REST after the third deploy: %s", r)
	}
}

// TestDeploySAMBadParameter: a parameter outside its AllowedValues stops
// with CloudFormation's error and creates nothing.
func TestDeploySAMBadParameter(t *testing.T) {
	dir := samApp(t)
	dp := startDataPlane(t, "")
	out, err := deploy(t, dp, "--template", filepath.Join(dir, "template.yaml"), "--parameter-overrides", "Issuer=https://issuer.example", "Stage=test")
	if err == nil || !strings.Contains(out, "Parameter 'Stage' must be one of AllowedValues") {
		t.Fatalf("deploy with Stage=test: %v\n%s", err, out)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit: %v", err)
	}
	if items, _ := dp.call(t, "GET", "/restapis", nil)["item"].([]any); len(items) != 0 {
		t.Errorf("a bad parameter created %d APIs", len(items))
	}
}

// TestServeCDKAssembly serves a CDK cloud assembly (`serve --template
// cdk.out`: two stacks synthesized by aws-cdk-lib, a LambdaRestApi and an
// HttpApi with a Lambda integration, inline Node.js functions): both
// answer through the data plane, and the outputs show the local API ids.
func TestServeCDKAssembly(t *testing.T) {
	dp := startDataPlane(t, "", "--template", filepath.Join(repoRoot(), "e2e", "testdata", "cdk.out"))
	restRE := regexp.MustCompile(`REST API (\w+) \(lambdarestapi\) stage prod:`)
	httpRE := regexp.MustCompile(`HTTP API (\w+) \(LambdaProxyApi\) stage \$default:`)
	var rest, httpID string
	eventually(t, "both stacks", func() error {
		r, h := restRE.FindStringSubmatch(dp.Stdout()), httpRE.FindStringSubmatch(dp.Stdout())
		if r == nil || h == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		rest, httpID = r[1], h[1]
		return nil
	})
	for _, want := range []string{
		"lambdarestapiEndpoint4A61B166 = https://" + rest + ".execute-api.us-east-1.amazonaws.com/prod/",
		"Endpoint = https://" + httpID + ".execute-api.us-east-1.amazonaws.com/",
		"skipped (not served locally): AWS::ApiGateway::Account ×1, AWS::IAM::Role ×2",
	} {
		if !strings.Contains(dp.Stdout(), want) {
			t.Errorf("output lacks %q:\n%s", want, dp.Stdout())
		}
	}
	eventually(t, "the LambdaRestApi", func() error {
		for _, p := range []string{"/", "/any/path"} {
			if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/prod"+p, nil, nil); r.Status != 200 || string(r.Body) != `{"message":"Hello"}` {
				return fmt.Errorf("%s: %s", p, r)
			}
		}
		return nil
	})
	eventually(t, "the HttpApi", func() error {
		if r := dp.do(t, "POST", dp.HTTP+"/_aws/execute-api/"+httpID+"/$default/whatever", nil, strings.NewReader("{}")); r.Status != 200 || string(r.Body) != "success" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}

// TestDeployTemplateRollsBack: a stack whose creation fails half-way (a
// method with an integration type API Gateway refuses) stops with an error
// naming the resource and property, and leaves nothing behind: the REST
// API and the function it had created are deleted again.
func TestDeployTemplateRollsBack(t *testing.T) {
	dir := t.TempDir()
	tpl := `{"Resources": {
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs20.x", "Handler": "index.handler",
    "Role": "arn:aws:iam::000000000000:role/r", "Code": {"ZipFile": "exports.handler = async () => ({statusCode: 200})"}}},
  "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "half"}},
  "Bad": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
    "HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": {"Type": "BOGUS", "Uri": {"Fn::GetAtt": ["Fn", "Arn"]}}}}
}}`
	if err := os.WriteFile(filepath.Join(dir, "template.json"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := startDataPlane(t, "")
	out, err := deploy(t, dp, "--template", filepath.Join(dir, "template.json"), "--stack-name", "half")
	if err == nil || !strings.Contains(out, "resource Bad (AWS::ApiGateway::Method) property Integration:") {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	if items, _ := dp.call(t, "GET", "/restapis", nil)["item"].([]any); len(items) != 0 {
		t.Errorf("after the failed deploy: %d REST APIs", len(items))
	}
	fns, err := dp.Gateway.lambdaClient(t).ListFunctions(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns.Functions) != 0 {
		t.Errorf("after the failed deploy: %d functions", len(fns.Functions))
	}
}

// TestServeRealSAMTemplates serves two public SAM templates as written
// (internal/cfn/testdata/real, with small test functions): SAM's
// api_lambda_auth_cors example (a Lambda TOKEN authorizer as the API's
// default, CORS preflight methods left without it) and serverless-patterns'
// apigw-http-api-cors-sam (a Python function behind an HTTP API with
// CorsConfiguration).
func TestServeRealSAMTemplates(t *testing.T) {
	real := filepath.Join(repoRoot(), "internal", "cfn", "testdata", "real")
	dp := startDataPlane(t, "", "--template", filepath.Join(real, "api_lambda_auth_cors", "template.yaml"),
		"--template", filepath.Join(real, "apigw-http-api-cors-sam", "template.yaml"))
	restRE := regexp.MustCompile(`REST API (\w+) \(api-lambda-auth-cors\) stage Prod:`)
	httpRE := regexp.MustCompile(`HTTP API (\w+) \(apigw-http-api-cors-sam\) stage \$default:`)
	var rest, httpID string
	eventually(t, "both stacks", func() error {
		r, h := restRE.FindStringSubmatch(dp.Stdout()), httpRE.FindStringSubmatch(dp.Stdout())
		if r == nil || h == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		rest, httpID = r[1], h[1]
		return nil
	})
	if !strings.Contains(dp.Stdout(), "HelloWorldUrl = https://"+rest+".execute-api.us-east-1.amazonaws.com/Prod/") {
		t.Errorf("outputs:\n%s", dp.Stdout())
	}
	restURL := dp.HTTP + "/_aws/execute-api/" + rest + "/Prod/"
	eventually(t, "the authorizer", func() error {
		if r := dp.do(t, "GET", restURL, nil, nil); r.Status != 401 {
			return fmt.Errorf("no token: %s", r)
		}
		return nil
	})
	r := dp.do(t, "GET", restURL, http.Header{"Authorization": {"allow"}}, nil)
	if r.Status != 200 || decodeBody(t, r)["principal"] != "user" {
		t.Errorf("allowed: %s", r)
	}
	expect(t, "denied", dp.do(t, "GET", restURL, http.Header{"Authorization": {"nope"}}, nil), 403,
		`{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	r = dp.do(t, "OPTIONS", restURL, nil, nil)
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:8080" ||
		r.Header.Get("Access-Control-Allow-Headers") != "Authorization" || r.Header.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" {
		t.Errorf("preflight without the authorizer: %s %v", r, r.Header)
	}
	httpURL := dp.HTTP + "/_aws/execute-api/" + httpID + "/$default/test"
	eventually(t, "the Python function", func() error {
		r := dp.do(t, "POST", httpURL, http.Header{"Origin": {"https://example.com"}}, strings.NewReader("{}"))
		if r.Status != 200 || decodeBody(t, r)["route"] != "ANY /test" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			return fmt.Errorf("%s %v", r, r.Header)
		}
		return nil
	})
	// The ANY route matches the preflight before API Gateway's own CORS
	// answer would: the function answers it, with the CORS headers added,
	// as AWS documents for ANY routes.
	r = dp.do(t, "OPTIONS", httpURL, http.Header{"Origin": {"https://example.com"}, "Access-Control-Request-Method": {"PUT"}}, nil)
	if r.Status != 200 || decodeBody(t, r)["route"] != "ANY /test" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("HTTP API preflight on an ANY route: %s %v", r, r.Header)
	}
}

// TestServeTemplateGoSource: a provided.al2023 function whose CodeUri holds
// Go source (the README's Lambda example, no bootstrap) is built with `go
// build` and served.
func TestServeTemplateGoSource(t *testing.T) {
	dir := t.TempDir()
	tpl := "Transform: AWS::Serverless-2016-10-31\nResources:\n  Hello:\n    Type: AWS::Serverless::Function\n" +
		"    Properties:\n      CodeUri: " + filepath.Join(repoRoot(), "examples", "lambda", "hello") + "\n" +
		"      Runtime: provided.al2023\n      Handler: bootstrap\n      Architectures: [arm64]\n" +
		"      Events:\n        Greet:\n          Type: Api\n          Properties: {Path: /greet, Method: get}\n"
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := startDataPlane(t, "", "--template", filepath.Join(dir, "template.yaml"), "--stack-name", "go-src")
	re := regexp.MustCompile(`REST API (\w+) \(go-src\) stage Prod:`)
	var id string
	eventually(t, "the stack", func() error {
		m := re.FindStringSubmatch(dp.Stdout())
		if m == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		id = m[1]
		return nil
	})
	if !strings.Contains(dp.Stdout(), "built with go build") {
		t.Errorf("output:\n%s", dp.Stdout())
	}
	eventually(t, "the Go function", func() error {
		r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+id+"/Prod/greet?name=Go", nil, nil)
		if r.Status != 200 || decodeBody(t, r)["message"] != "Hello, Go!" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}
