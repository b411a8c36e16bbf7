package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"
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
	eventuallyWithin(t, time.Minute, "the stack's APIs", func() error {
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
	if !strings.Contains(dp.Stdout(), "  routes: GET /hello\n") || !strings.Contains(dp.Stdout(), "  routes: GET /me\n") {
		t.Errorf("routes not listed:\n%s", dp.Stdout())
	}
	if !strings.Contains(dp.Stdout(), "skipped (not served locally): AWS::IAM::Role ×2") {
		t.Errorf("skipped resources not listed:\n%s", dp.Stdout())
	}
	restURL := dp.HTTP + "/_aws/execute-api/" + rest + "/Prod"
	eventuallyWithin(t, time.Minute, "the REST route", func() error {
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
	eventuallyWithin(t, time.Minute, "the HTTP route", func() error {
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
	eventuallyWithin(t, time.Minute, "the route added by the edit", func() error {
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
	eventuallyWithin(t, time.Minute, "the updated stack", func() error {
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
	eventuallyWithin(t, time.Minute, "both stacks", func() error {
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
	eventuallyWithin(t, time.Minute, "the LambdaRestApi", func() error {
		for _, p := range []string{"/", "/any/path"} {
			if r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+rest+"/prod"+p, nil, nil); r.Status != 200 || string(r.Body) != `{"message":"Hello"}` {
				return fmt.Errorf("%s: %s", p, r)
			}
		}
		return nil
	})
	eventuallyWithin(t, time.Minute, "the HttpApi", func() error {
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
	eventuallyWithin(t, time.Minute, "both stacks", func() error {
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
	eventuallyWithin(t, time.Minute, "the authorizer", func() error {
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
	eventuallyWithin(t, time.Minute, "the Python function", func() error {
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
	eventuallyWithin(t, time.Minute, "the stack", func() error {
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
	eventuallyWithin(t, time.Minute, "the Go function", func() error {
		r := dp.do(t, "GET", dp.HTTP+"/_aws/execute-api/"+id+"/Prod/greet?name=Go", nil, nil)
		if r.Status != 200 || decodeBody(t, r)["message"] != "Hello, Go!" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}

// TestServeSAMApiFeatures serves an AWS::Serverless::Api with stage
// variables, method settings, a gateway response, ApiKeyRequired with a
// PER_API usage plan (the generated key printed), an event that opts out of
// the key, and a function with AutoPublishAlias (the integration calls the
// alias).
func TestServeSAMApiFeatures(t *testing.T) {
	dir := t.TempDir()
	tpl := `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: provided.al2023, Handler: bootstrap, CodeUri: fn/}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Variables: {color: blue}
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseTemplates:
            application/json: '{"message": "no such route"}'
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          Quota: {Limit: 1000, Period: DAY}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      Events:
        Items:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /items, Method: get}
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /open, Method: get, Auth: {ApiKeyRequired: false}}
Outputs:
  Alias:
    Value: !Ref Fn.Alias
`
	if err := os.MkdirAll(filepath.Join(dir, "fn"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(functionBinary(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fn", "bootstrap"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := startDataPlane(t, "", "--template", filepath.Join(dir, "template.yaml"), "--stack-name", "features")
	restRE := regexp.MustCompile(`REST API (\w+) \(features\) stage live:`)
	keyRE := regexp.MustCompile(`API key ApiApiKey: id \w+, value (\S+)`)
	aliasRE := regexp.MustCompile(`Alias = (arn:aws:lambda:us-east-1:000000000000:function:features-Fn-\w+:live)`)
	var id, key string
	// The summary reaches stdout in more than one read: wait for all of
	// it, the outputs (the alias) last.
	eventuallyWithin(t, time.Minute, "the stack and its outputs", func() error {
		out := dp.Stdout()
		r, k := restRE.FindStringSubmatch(out), keyRE.FindStringSubmatch(out)
		if r == nil || k == nil || aliasRE.FindStringSubmatch(out) == nil {
			return fmt.Errorf("not all printed yet:\n%s", out)
		}
		id, key = r[1], k[1]
		return nil
	})
	base := dp.HTTP + "/_aws/execute-api/" + id + "/live"
	eventuallyWithin(t, time.Minute, "the key-protected route", func() error {
		if r := dp.do(t, "GET", base+"/items", nil, nil); r.Status != 403 || string(r.Body) != `{"message":"Forbidden"}` {
			return fmt.Errorf("without a key: %s", r)
		}
		return nil
	})
	r := dp.do(t, "GET", base+"/items", http.Header{"X-Api-Key": {key}}, nil)
	if r.Status != 200 {
		t.Fatalf("with the key: %s", r)
	}
	if sv, _ := decodeBody(t, r)["stageVariables"].(map[string]any); sv["color"] != "blue" {
		t.Errorf("stage variables: %s", r)
	}
	if r := dp.do(t, "GET", base+"/open", nil, nil); r.Status != 200 {
		t.Errorf("ApiKeyRequired: false: %s", r)
	}
	expect(t, "custom gateway response", dp.do(t, "GET", base+"/nope", nil, nil), 404, `{"message": "no such route"}`)
	stage := dp.call(t, "GET", "/restapis/"+id+"/stages/live", nil)
	ms, _ := stage["methodSettings"].(map[string]any)["*/*"].(map[string]any)
	if ms["throttlingRateLimit"] != float64(100) || ms["throttlingBurstLimit"] != float64(50) {
		t.Errorf("method settings: %v", stage["methodSettings"])
	}
	// The integration calls the alias SAM publishes.
	res := dp.call(t, "GET", "/restapis/"+id+"/resources", nil)["item"].([]any)
	found := false
	for _, it := range res {
		m := it.(map[string]any)
		if m["path"] != "/items" {
			continue
		}
		integ := dp.call(t, "GET", "/restapis/"+id+"/resources/"+m["id"].(string)+"/methods/GET/integration", nil)
		found = strings.Contains(integ["uri"].(string), ":live/invocations")
		if !found {
			t.Errorf("integration URI %v", integ["uri"])
		}
	}
	if !found {
		t.Errorf("no /items resource in %v", res)
	}
}

// TestServeTemplateReloadsCode: editing a function's code while serve runs
// updates the function (same API); serving the template again on the same
// data dir finds the stack and updates it instead of adding another.
func TestServeTemplateReloadsCode(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	code := func(msg string) {
		src := "export const handler = async () => ({statusCode: 200, body: '" + msg + "'});\n"
		if err := os.WriteFile(filepath.Join(dir, "src", "index.mjs"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code("one")
	tpl := "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n" +
		"    Properties:\n      CodeUri: src/\n      Runtime: nodejs22.x\n      Handler: index.handler\n" +
		"      Events:\n        Get:\n          Type: HttpApi\n          Properties: {Path: /msg, Method: get}\n"
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	re := regexp.MustCompile(`HTTP API (\w+) \(reload\) stage \$default:`)
	args := []string{"--template", filepath.Join(dir, "template.yaml"), "--stack-name", "reload"}
	dp := startDataPlane(t, dataDir, args...)
	var id string
	eventuallyWithin(t, time.Minute, "the stack", func() error {
		m := re.FindStringSubmatch(dp.Stdout())
		if m == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		id = m[1]
		return nil
	})
	u := dp.HTTP + "/_aws/execute-api/" + id + "/$default/msg"
	waitBody := func(dp *dataPlane, want string) {
		eventuallyWithin(t, time.Minute, "the answer "+want, func() error {
			if r := dp.do(t, "GET", u, nil, nil); r.Status != 200 || string(r.Body) != want {
				return fmt.Errorf("%s\n%s", r, dp.Stdout())
			}
			return nil
		})
	}
	waitBody(dp, "one")
	code("two")
	waitBody(dp, "two")
	dp.Stop()

	dp2 := startDataPlane(t, dataDir, args...)
	eventuallyWithin(t, time.Minute, "the stack again", func() error {
		m := re.FindStringSubmatch(dp2.Stdout())
		if m == nil {
			return fmt.Errorf("not updated yet:\n%s", dp2.Stdout())
		}
		if m[1] != id {
			return fmt.Errorf("served again: API %s, first %s", m[1], id)
		}
		return nil
	})
	if n := len(dp2.call(t, "GET", "/v2/apis", nil)["items"].([]any)); n != 1 {
		t.Errorf("after serving again: %d HTTP APIs, want 1", n)
	}
	u = dp2.HTTP + "/_aws/execute-api/" + id + "/$default/msg"
	waitBody(dp2, "two")
}

// TestServeSAMHttpLambdaAuthorizer serves an AWS::Serverless::HttpApi whose
// default authorizer is a Lambda REQUEST authorizer (payload 2.0, simple
// responses, identity from a header), as SAM's HttpApi Auth writes it.
func TestServeSAMHttpLambdaAuthorizer(t *testing.T) {
	dir := t.TempDir()
	for fn, bin := range map[string]string{"fn": "echo", "auth": "httpauth"} {
		b, err := os.ReadFile(functionBinary(t, bin))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, fn), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fn, "bootstrap"), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tpl := `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: provided.al2023, Handler: bootstrap}
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: auth/}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Events:
        Me: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /me, Method: GET}}
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple:
            FunctionArn: !GetAtt AuthFn.Arn
            AuthorizerPayloadFormatVersion: 2.0
            EnableSimpleResponses: true
            Identity:
              Headers: [X-Token]
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := startDataPlane(t, "", "--template", filepath.Join(dir, "template.yaml"), "--stack-name", "lambda-auth")
	re := regexp.MustCompile(`HTTP API (\w+) \(lambda-auth\) stage \$default:`)
	var id string
	eventuallyWithin(t, time.Minute, "the stack", func() error {
		m := re.FindStringSubmatch(dp.Stdout())
		if m == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		id = m[1]
		return nil
	})
	u := dp.HTTP + "/_aws/execute-api/" + id + "/$default/me"
	eventuallyWithin(t, time.Minute, "the authorizer", func() error {
		if r := dp.do(t, "GET", u, nil, nil); r.Status != 401 {
			return fmt.Errorf("no identity: %s", r)
		}
		return nil
	})
	expect(t, "deny", dp.do(t, "GET", u, http.Header{"X-Token": {"deny"}}, nil), 403, `{"message":"Forbidden"}`)
	r := dp.do(t, "GET", u, http.Header{"X-Token": {"allow"}}, nil)
	if r.Status != 200 {
		t.Fatalf("allow: %s", r)
	}
	lam, _ := decodeBody(t, r)["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
	if lam["user"] != "alice" {
		t.Errorf("authorizer context: %s", r)
	}
}

// TestServeCDKWebSocket serves an aws-cdk WebSocketApi snapshot (MOCK
// integrations, a two-way route with its route response, stage dev): the
// stack prints the ws:// URL, the route response exists, and a client
// connects.
func TestServeCDKWebSocket(t *testing.T) {
	tpl := filepath.Join(repoRoot(), "e2e", "testdata", "cdk-websocket", "integ-mock-websocket-integration.template.json")
	dp := startDataPlane(t, "", "--template", tpl, "--stack-name", "ws")
	re := regexp.MustCompile(`WebSocket API (\w+) \(mywsapi\) stage dev:\n`)
	var id, u string
	eventuallyWithin(t, time.Minute, "the stack", func() error {
		m := re.FindStringSubmatch(dp.Stdout())
		if m == nil {
			return fmt.Errorf("not created yet:\n%s", dp.Stdout())
		}
		id = m[1]
		u = "ws" + strings.TrimPrefix(dp.HTTP, "http") + "/_aws/execute-api/" + id + "/dev"
		return nil
	})
	if !strings.Contains(dp.Stdout(), "routes: $default, sendmessage") || !strings.Contains(dp.Stdout(), "  "+u+"\n") {
		t.Errorf("output:\n%s", dp.Stdout())
	}
	var routeID string
	for _, it := range dp.call(t, "GET", "/v2/apis/"+id+"/routes", nil)["items"].([]any) {
		if r := it.(map[string]any); r["routeKey"] == "sendmessage" {
			routeID = r["routeId"].(string)
		}
	}
	rr, _ := dp.call(t, "GET", "/v2/apis/"+id+"/routes/"+routeID+"/routeresponses", nil)["items"].([]any)
	if len(rr) != 1 || rr[0].(map[string]any)["routeResponseKey"] != "$default" {
		t.Errorf("route responses of sendmessage: %v", rr)
	}
	eventuallyWithin(t, time.Minute, "a WebSocket connection", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, u, nil)
		if err != nil {
			return err
		}
		c.CloseNow()
		return nil
	})
}
