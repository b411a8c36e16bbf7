package e2e

// The Node.js and Python managed runtimes end to end: functions from
// e2e/testdata/lambda-node and lambda-python created from plain zips with
// the AWS CLI v2 and the Go SDK, or registered with --function, invoked
// through the Lambda API and through REST APIs (AWS_PROXY, a TOKEN
// authorizer) on the machine's own node and python3.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// runtimeFixture is the directory of the Node.js ("node") or Python
// ("python") test functions.
func runtimeFixture(lang string) string {
	return filepath.Join(repoRoot(), "e2e", "testdata", "lambda-"+lang)
}

// dirZip returns a deployment package holding dir's files.
func dirZip(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "__pycache__") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// copyDir copies a fixture into a new temporary directory (functions
// registered with --function are watched: tests edit their copies).
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || strings.Contains(p, "__pycache__") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// createManaged creates a function of a managed runtime from zip through
// the Lambda API.
func (g *Gateway) createManaged(t testing.TB, name, runtime, handler string, zip []byte, mutate func(*lambdasdk.CreateFunctionInput)) {
	t.Helper()
	in := &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String(name),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambda"),
		Runtime:      lambdatypes.Runtime(runtime),
		Handler:      aws.String(handler),
		Code:         &lambdatypes.FunctionCode{ZipFile: zip},
	}
	if mutate != nil {
		mutate(in)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.lambdaClient(t).CreateFunction(ctx, in); err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// invokeFn invokes a function through the Go SDK.
func (g *Gateway) invokeFn(t testing.TB, fn, payload string, mutate func(*lambdasdk.InvokeInput)) *lambdasdk.InvokeOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in := &lambdasdk.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(payload)}
	if mutate != nil {
		mutate(in)
	}
	out, err := g.lambdaClient(t).Invoke(ctx, in)
	if err != nil {
		t.Fatalf("Invoke %s: %v", fn, err)
	}
	return out
}

// TestLambdaRuntimesCLI: the AWS CLI v2 creates Node.js and Python functions
// from plain zips (`--runtime nodejs20.x --handler index.echo`), invokes
// them with a log tail (START, the function's own lines as the runtimes
// format them, END, REPORT with the init duration), and shows their
// failures: the runtimes' error documents, and Lambda's own for a timeout.
func TestLambdaRuntimesCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	dir := t.TempDir()
	for lang, zip := range map[string][]byte{"node": dirZip(t, runtimeFixture("node")), "python": dirZip(t, runtimeFixture("python"))} {
		if err := os.WriteFile(filepath.Join(dir, lang+".zip"), zip, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	create := func(name, runtime, handler, zip string, extra ...string) func() {
		return func() {
			var out struct{ Runtime, Handler, State string }
			cliOK(t, g, dir, &out, append([]string{"create-function", "--function-name", name, "--runtime", runtime, "--handler", handler,
				"--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://" + zip}, extra...)...)
			if out.Runtime != runtime || out.Handler != handler || out.State != "Active" {
				t.Errorf("create-function %s: %+v", name, out)
			}
		}
	}
	runParallel(
		create("node-echo", "nodejs20.x", "index.echo", "node.zip", "--environment", "Variables={MARKER=cli}"),
		create("py-echo", "python3.12", "app.echo", "python.zip"),
		create("node-fail", "nodejs22.x", "index.fail", "node.zip"),
		create("py-fail", "python3.11", "app.fail", "python.zip"),
		create("node-sleep", "nodejs20.x", "index.sleep", "node.zip", "--timeout", "1"),
	)
	type invokeOut struct {
		StatusCode                                int
		ExecutedVersion, LogResult, FunctionError string
	}
	invoke := func(out *invokeOut, fn, payload string) func() {
		return func() {
			cliOK(t, g, dir, out, "invoke", "--function-name", fn, "--cli-binary-format", "raw-in-base64-out",
				"--payload", payload, "--log-type", "Tail", fn+".json")
		}
	}
	var nodeEcho, pyEcho, nodeFail, pyFail, nodeSleep invokeOut
	runParallel(
		invoke(&nodeEcho, "node-echo", `{"a":1}`),
		invoke(&pyEcho, "py-echo", `{"a":1}`),
		invoke(&nodeFail, "node-fail", `{}`),
		invoke(&pyFail, "py-fail", `{}`),
		invoke(&nodeSleep, "node-sleep", `{"ms":5000}`),
	)
	read := func(fn string) map[string]any {
		b, _ := os.ReadFile(filepath.Join(dir, fn+".json"))
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: payload %q: %v", fn, b, err)
		}
		return m
	}
	tail := func(o invokeOut) string {
		b, _ := base64.StdEncoding.DecodeString(o.LogResult)
		return string(b)
	}
	report := `(?m)^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n(?s:.*)^END RequestId: ([0-9a-f-]{36})\nREPORT RequestId: ([0-9a-f-]{36})\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t(?:Max Memory Used: \d+ MB\t)?Init Duration: [\d.]+ ms\t\n$`

	// Node.js: the payload, and console.log as the runtime formats it.
	if m := read("node-echo"); nodeEcho.StatusCode != 200 || nodeEcho.ExecutedVersion != "$LATEST" || nodeEcho.FunctionError != "" ||
		!jsonEq(m["event"], map[string]any{"a": 1}) || m["marker"] != "cli" || m["functionVersion"] != "$LATEST" ||
		m["invokedFunctionArn"] != "arn:aws:lambda:us-east-1:000000000000:function:node-echo" {
		t.Errorf("node-echo: %+v %v", nodeEcho, m)
	}
	if l := tail(nodeEcho); !regexp.MustCompile(report).MatchString(l) ||
		!regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\techo \{"a":1\}$`).MatchString(l) {
		t.Errorf("node-echo log tail:\n%s", l)
	}
	// Python: print() as is, logging with the runtime's format.
	if m := read("py-echo"); pyEcho.StatusCode != 200 || pyEcho.FunctionError != "" || !jsonEq(m["event"], map[string]any{"a": 1}) {
		t.Errorf("py-echo: %+v %v", pyEcho, m)
	}
	if l := tail(pyEcho); !regexp.MustCompile(report).MatchString(l) || !strings.Contains(l, "\necho {\"a\": 1}\n") ||
		!regexp.MustCompile(`(?m)^\[INFO\]\t[\dT:.-]+Z\t[0-9a-f-]{36}\tlogged at info$`).MatchString(l) {
		t.Errorf("py-echo log tail:\n%s", l)
	}
	// The runtimes' error documents, passed through as Lambda does.
	if m := read("node-fail"); nodeFail.FunctionError != "Unhandled" || m["errorType"] != "TypeError" || m["errorMessage"] != "bad input" || m["trace"] == nil {
		t.Errorf("node-fail: %+v %v", nodeFail, m)
	}
	if l := tail(nodeFail); !strings.Contains(l, "\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\",\"errorMessage\":\"bad input\"") {
		t.Errorf("node-fail log tail:\n%s", l)
	}
	m := read("py-fail")
	st, _ := m["stackTrace"].([]any)
	if pyFail.FunctionError != "Unhandled" || m["errorType"] != "ValueError" || m["errorMessage"] != "bad input" || m["requestId"] == "" || len(st) != 2 ||
		!strings.Contains(fmt.Sprint(st[0]), `/app.py", line `) || !strings.Contains(fmt.Sprint(st[0]), "in fail\n    check(event)\n") {
		t.Errorf("py-fail: %+v %v", pyFail, m)
	}
	if l := tail(pyFail); !strings.Contains(l, "[ERROR] ValueError: bad input\rTraceback (most recent call last):\r") {
		t.Errorf("py-fail log tail:\n%q", l)
	}
	if m := read("node-sleep"); nodeSleep.FunctionError != "Unhandled" || m["errorType"] != "Sandbox.Timedout" ||
		!strings.HasSuffix(fmt.Sprint(m["errorMessage"]), "Error: Task timed out after 1.00 seconds") {
		t.Errorf("node-sleep: %+v %v", nodeSleep, m)
	}
	checkGatewayLog(t, g)
}

// TestLambdaRuntimesInitErrors: a handler that names no module, or no
// function in it, fails each invocation with the runtime's init error.
func TestLambdaRuntimesInitErrors(t *testing.T) {
	t.Parallel()
	g := startClientGateway(t)
	node, python := dirZip(t, runtimeFixture("node")), dirZip(t, runtimeFixture("python"))
	cases := []struct {
		name, runtime, handler string
		zip                    []byte
		errType, message       string
	}{
		{"node-nomodule", "nodejs20.x", "missing.handler", node, "Runtime.ImportModuleError", "Error: Cannot find module 'missing'\nRequire stack:\n- "},
		{"node-noexport", "nodejs20.x", "index.nope", node, "Runtime.HandlerNotFound", "index.nope is undefined or not exported"},
		{"node-nested", "nodejs20.x", "lib/greeting.handler", node, "", ""},
		{"py-nomodule", "python3.12", "nope.handler", python, "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
		{"py-nofunction", "python3.12", "app.nope", python, "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'"},
		{"py-package", "python3.12", "pkg.handlers.api.handler", python, "", ""},
	}
	for _, c := range cases {
		g.createManaged(t, c.name, c.runtime, c.handler, c.zip, nil)
	}
	for _, c := range cases {
		out := g.invokeFn(t, c.name, `{}`, nil)
		var m map[string]any
		_ = json.Unmarshal(out.Payload, &m)
		switch {
		case c.errType == "" && aws.ToString(out.FunctionError) != "":
			t.Errorf("%s: %s", c.name, out.Payload)
		case c.name == "py-package" && m["module"] != "pkg.handlers.api":
			t.Errorf("%s: %s", c.name, out.Payload)
		case c.name == "node-nested" && string(out.Payload) != `"Hello, world!"`:
			t.Errorf("%s: %s", c.name, out.Payload)
		case c.errType != "" && (aws.ToString(out.FunctionError) != "Unhandled" || m["errorType"] != c.errType || !strings.HasPrefix(fmt.Sprint(m["errorMessage"]), c.message)):
			t.Errorf("%s: %s %s", c.name, aws.ToString(out.FunctionError), out.Payload)
		}
	}
}

// TestLambdaRuntimesProxy: REST API routes (AWS_PROXY) to a Node.js
// function registered with --function and to a Python function created
// through the API, and a Node.js TOKEN authorizer guarding a route.
func TestLambdaRuntimesProxy(t *testing.T) {
	t.Parallel()
	nodeDir := copyDir(t, runtimeFixture("node"))
	dp := startDataPlane(t, "",
		"--function", "node-api="+nodeDir+",runtime=nodejs20.x,handler=index.proxy",
		"--function", "node-auth="+nodeDir+",runtime=nodejs22.x,handler=authorizer.handler")
	dp.createManaged(t, "py-api", "python3.12", "app.proxy", dirZip(t, runtimeFixture("python")), nil)

	a := dp.newAPI(t, "runtimes")
	a.lambdaProxy(t, "/node/{proxy+}", "ANY", "node-api", nil)
	a.lambdaProxy(t, "/py/{proxy+}", "ANY", "arn:aws:lambda:us-east-1:000000000000:function:py-api", nil)
	authID := a.authorizer(t, "node-tok", "TOKEN", "node-auth", map[string]any{
		"identitySource": "method.request.header.Authorization", "authorizerResultTtlInSeconds": 0})
	a.method(t, "/secure", "GET", map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID})
	a.integration(t, "/secure", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaURI("node-api")})
	a.deploy(t, "dev")
	dp.waitFor(t, a.url("dev", "/secure"), 401, `{"message":"Unauthorized"}`)

	for lang, path := range map[string]string{"node": "/node/greet", "python": "/py/greet"} {
		r := dp.do(t, "POST", a.url("dev", path+"?name=Ada"), nil, nil)
		body := decodeBody(t, r)
		if r.Status != 200 || body["lang"] != lang || body["message"] != "Hello, Ada!" || body["method"] != "POST" ||
			body["path"] != path || body["functionVersion"] != "$LATEST" || !strings.HasPrefix(r.Header.Get("X-Runtime"), "AWS_Lambda_") {
			t.Errorf("%s: %s", lang, r)
		}
	}
	for _, c := range []struct {
		token  string
		status int
		body   string
	}{
		{"", 401, `{"message":"Unauthorized"}`},
		{"unauthorized", 401, `{"message":"Unauthorized"}`},
		{"deny", 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`},
	} {
		expect(t, "token "+c.token, dp.do(t, "GET", a.url("dev", "/secure"), withToken(c.token), nil), c.status, c.body)
	}
	r := dp.do(t, "GET", a.url("dev", "/secure"), withToken("allow"), nil)
	if body := decodeBody(t, r); r.Status != 200 || body["principalId"] != "node-user" || body["resource"] != "/secure" {
		t.Errorf("allowed: %s", r)
	}
}

// TestLambdaRuntimesLatency measures Node.js and Python functions behind
// AWS_PROXY through the data plane, one connection: the first request
// starts the interpreter (cold), the next ones reuse it (warm). The bounds
// are loose (shared machines, the race detector); the figures are logged.
func TestLambdaRuntimesLatency(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "",
		"--function", "node="+copyDir(t, runtimeFixture("node"))+",runtime=nodejs20.x,handler=index.proxy",
		"--function", "python="+copyDir(t, runtimeFixture("python"))+",runtime=python3.11,handler=app.proxy")
	a := dp.newAPI(t, "latency")
	a.lambdaProxy(t, "/node", "GET", "node", nil)
	a.lambdaProxy(t, "/python", "GET", "python", nil)
	a.mock(t, "/mock", "GET", `{}`)
	a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/mock"), 200, "{}")
	timed := func(path string) time.Duration {
		start := time.Now()
		if r := dp.do(t, "GET", a.url("prod", path), nil, nil); r.Status != 200 {
			t.Fatalf("GET %s: %s", path, r)
		}
		return time.Since(start)
	}
	p50 := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
	for _, lang := range []string{"node", "python"} {
		cold := timed("/" + lang)
		var warm []time.Duration
		for range 100 {
			warm = append(warm, timed("/"+lang))
		}
		t.Logf("%s: cold start %v; warm p50 %v", lang, cold.Round(100*time.Microsecond), p50(warm).Round(10*time.Microsecond))
		if cold > 5*time.Second || p50(warm) > 250*time.Millisecond {
			t.Errorf("%s too slow: cold %v, warm p50 %v", lang, cold, p50(warm))
		}
	}
	if n := dp.waitChildren(t, 2); n != 2 {
		t.Errorf("%d function processes after sequential requests, want 2", n)
	}
}

// TestLambdaVersionsAndAliases: versions and aliases with the AWS CLI v2
// (publish-version, create-alias, update-alias --routing-config, invoke
// --qualifier) on a Node.js function, and through REST APIs whose
// integration URIs name an alias, directly or per stage
// (…:function:f:${stageVariables.alias}): the alias is resolved at each
// request, so repointing it changes the next one without a deployment,
// while $LATEST keeps changing and a version stays as published.
func TestLambdaVersionsAndAliases(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "")
	g := dp.Gateway
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "node.zip"), dirZip(t, runtimeFixture("node")), 0o644); err != nil {
		t.Fatal(err)
	}
	type config struct{ FunctionArn, Version, RevisionId string }
	type alias struct {
		AliasArn, Name, FunctionVersion string
		RoutingConfig                   *struct{ AdditionalVersionWeights map[string]float64 }
	}
	var created, v1, v2 config
	cliOK(t, g, dir, &created, "create-function", "--function-name", "ver", "--runtime", "nodejs20.x", "--handler", "index.proxy",
		"--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://node.zip", "--environment", "Variables={MARKER=one}")
	cliOK(t, g, dir, &v1, "publish-version", "--function-name", "ver", "--description", "first")
	cliOK(t, g, dir, nil, "update-function-configuration", "--function-name", "ver", "--environment", "Variables={MARKER=two}")
	cliOK(t, g, dir, &v2, "publish-version", "--function-name", "ver")
	if v1.Version != "1" || v1.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:ver:1" || v2.Version != "2" {
		t.Fatalf("publish-version: %+v %+v", v1, v2)
	}
	var live, beta alias
	runParallel(
		func() {
			cliOK(t, g, dir, &live, "create-alias", "--function-name", "ver", "--name", "live", "--function-version", "1")
		},
		func() {
			cliOK(t, g, dir, &beta, "create-alias", "--function-name", "ver", "--name", "beta", "--function-version", "2")
		},
	)
	if live.AliasArn != "arn:aws:lambda:us-east-1:000000000000:function:ver:live" || live.FunctionVersion != "1" || live.RoutingConfig != nil {
		t.Errorf("create-alias: %+v", live)
	}
	var routed alias
	cliOK(t, g, dir, &routed, "update-alias", "--function-name", "ver", "--name", "live", "--routing-config", "AdditionalVersionWeights={2=1.0}")
	if routed.RoutingConfig == nil || routed.RoutingConfig.AdditionalVersionWeights["2"] != 1 {
		t.Errorf("update-alias --routing-config: %+v", routed)
	}
	// invoke --qualifier: the weight (1.0) sends it to version 2.
	var inv struct {
		StatusCode      int
		ExecutedVersion string
	}
	cliOK(t, g, dir, &inv, "invoke", "--function-name", "ver", "--qualifier", "live", "--cli-binary-format", "raw-in-base64-out",
		"--payload", `{"httpMethod":"GET","path":"/x","resource":"/x"}`, "out.json")
	body, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	var proxyOut struct{ Body string }
	_ = json.Unmarshal(body, &proxyOut)
	var fnOut map[string]any
	_ = json.Unmarshal([]byte(proxyOut.Body), &fnOut)
	if inv.StatusCode != 200 || inv.ExecutedVersion != "2" || fnOut["marker"] != "two" || fnOut["functionVersion"] != "2" ||
		fnOut["invokedFunctionArn"] != "arn:aws:lambda:us-east-1:000000000000:function:ver:live" {
		t.Errorf("invoke --qualifier live: %+v %s", inv, body)
	}
	cliOK(t, g, dir, nil, "update-alias", "--function-name", "ver", "--name", "live", "--routing-config", "AdditionalVersionWeights={}")

	// API Gateway: an alias in the URI, and one chosen by a stage variable.
	a := dp.newAPI(t, "aliases")
	a.lambdaProxy(t, "/fixed", "GET", "arn:aws:lambda:us-east-1:000000000000:function:ver:live", nil)
	a.lambdaProxy(t, "/staged", "GET", "arn:aws:lambda:us-east-1:000000000000:function:ver:${stageVariables.alias}", nil)
	a.lambdaProxy(t, "/latest", "GET", "ver", nil)
	a.deploy(t, "blue")
	a.patchStage(t, "blue", replaceOp("/variables/alias", "live"))
	a.deploy(t, "green")
	a.patchStage(t, "green", replaceOp("/variables/alias", "beta"))
	get := func(stage, path string) map[string]any {
		t.Helper()
		r := dp.do(t, "GET", a.url(stage, path), nil, nil)
		if r.Status != 200 {
			t.Fatalf("GET /%s%s: %s", stage, path, r)
		}
		return decodeBody(t, r)
	}
	eventually(t, "the stage variables", func() error {
		for stage, marker := range map[string]string{"green": "two", "blue": "one"} {
			if r := dp.do(t, "GET", a.url(stage, "/staged"), nil, nil); r.Status != 200 || decodeBody(t, r)["marker"] != marker {
				return fmt.Errorf("%s: %s", stage, r)
			}
		}
		return nil
	})
	for _, c := range []struct{ stage, path, marker, version, arn string }{
		{"blue", "/fixed", "one", "1", "ver:live"},
		{"blue", "/staged", "one", "1", "ver:live"},
		{"green", "/staged", "two", "2", "ver:beta"},
		{"blue", "/latest", "two", "$LATEST", "ver"},
	} {
		if m := get(c.stage, c.path); m["marker"] != c.marker || m["functionVersion"] != c.version ||
			m["invokedFunctionArn"] != "arn:aws:lambda:us-east-1:000000000000:function:"+c.arn {
			t.Errorf("GET /%s%s: %v, want marker %s version %s", c.stage, c.path, m, c.marker, c.version)
		}
	}
	// Repointing the alias changes the next request; no deployment.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.lambdaClient(t).UpdateAlias(ctx, &lambdasdk.UpdateAliasInput{FunctionName: aws.String("ver"), Name: aws.String("live"),
		FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	if m := get("blue", "/fixed"); m["marker"] != "two" || m["functionVersion"] != "2" {
		t.Errorf("after repointing live to 2: %v", m)
	}
	// $LATEST changes; version 1 stays as published.
	if _, err := g.lambdaClient(t).UpdateFunctionConfiguration(ctx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("ver"),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"MARKER": "three"}}}); err != nil {
		t.Fatal(err)
	}
	if m := get("blue", "/latest"); m["marker"] != "three" {
		t.Errorf("$LATEST after an update: %v", m)
	}
	out := g.invokeFn(t, "ver:1", `{"httpMethod":"GET","path":"/v1","resource":"/v1"}`, nil)
	if aws.ToString(out.ExecutedVersion) != "1" || !strings.Contains(string(out.Payload), `\"marker\":\"one\"`) {
		t.Errorf("version 1 after $LATEST changed: %s %s", aws.ToString(out.ExecutedVersion), out.Payload)
	}
	// A stage variable naming no alias: the function is not found (500).
	a.patchStage(t, "green", replaceOp("/variables/alias", "nope"))
	eventually(t, "the changed stage variable", func() error {
		if r := dp.do(t, "GET", a.url("green", "/staged"), nil, nil); r.Status != 500 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	checkGatewayLog(t, g)
}

// TestLambdaHotReload: functions registered with --function reload when
// their files change, without a restart: a Python directory behind a REST
// API (edited in place), and a Go executable (replaced, as a build does).
// Tollgate prints one line for each reload.
func TestLambdaHotReload(t *testing.T) {
	t.Parallel()
	pyDir := copyDir(t, runtimeFixture("python"))
	exe := filepath.Join(t.TempDir(), "hello")
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(dst+".tmp", b, 0o755)
		}
		if err == nil {
			err = os.Rename(dst+".tmp", dst)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	copyFile(functionBinary(t, "echo"), exe)
	dp := startDataPlane(t, "", "--function", "py="+pyDir+",runtime=python3.12,handler=app.proxy", "--function", "exe="+exe)
	a := dp.newAPI(t, "reload")
	a.lambdaProxy(t, "/py", "GET", "py", nil)
	a.deploy(t, "dev")
	eventually(t, "the deployment", func() error {
		if r := dp.do(t, "GET", a.url("dev", "/py"), nil, nil); r.Status != 200 || decodeBody(t, r)["message"] != "Hello, world!" {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	app := filepath.Join(pyDir, "app.py")
	code, _ := os.ReadFile(app)
	if err := os.WriteFile(app, []byte(strings.Replace(string(code), `"Hello, %s!"`, `"Howdy, %s!"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the edited Python code", func() error {
		if m := decodeBody(t, dp.do(t, "GET", a.url("dev", "/py?name=Ada"), nil, nil)); m["message"] != "Howdy, Ada!" {
			return fmt.Errorf("%v", m)
		}
		return nil
	})
	dp.waitLog(t, "function py: code changed (1 file); replacing 1 warm instance")

	if out := dp.invokeFn(t, "exe", `{"message":"m"}`, nil); out.FunctionError != nil || string(out.Payload) != `{"message":"m"}` {
		t.Fatalf("the echo executable: %s", out.Payload)
	}
	copyFile(functionBinary(t, "fail"), exe)
	eventually(t, "the replaced executable", func() error {
		if out := dp.invokeFn(t, "exe", `{"message":"m"}`, nil); aws.ToString(out.FunctionError) != "Unhandled" {
			return fmt.Errorf("%s", out.Payload)
		}
		return nil
	})
	dp.waitLog(t, "function exe: code changed (1 file); replacing 1 warm instance")
}
