package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// lambdaCLI runs `aws lambda args… --endpoint-url … --output json`.
func lambdaCLI(t *testing.T, g *Gateway, dir string, args ...string) clientResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"lambda"}, args...)
	full = append(full, "--endpoint-url", g.Endpoint, "--output", "json")
	return runClient(ctx, g, dir, nil, awsCLIPath, full...)
}

// cliOK runs `aws lambda args…` in dir, expects success and decodes its
// JSON output into out (unless nil).
func cliOK(t *testing.T, g *Gateway, dir string, out any, args ...string) {
	t.Helper()
	res := lambdaCLI(t, g, dir, args...)
	if res.Code != 0 {
		t.Errorf("aws lambda %s: exit %d\n%s%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
		return
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.Stdout), out); err != nil {
			t.Errorf("aws lambda %s: %v\n%s", strings.Join(args, " "), err, res.Stdout)
		}
	}
}

// cliFails runs `aws lambda args…` and expects the CLI's report of the
// service error errType from operation op with message.
func cliFails(t *testing.T, g *Gateway, dir, errType, op, message string, args ...string) {
	t.Helper()
	res := lambdaCLI(t, g, dir, args...)
	want := "An error occurred (" + errType + ") when calling the " + op + " operation: " + message
	if res.Code != 254 || strings.TrimSpace(res.Stderr) != want {
		t.Errorf("aws lambda %s:\n got exit %d, stderr %q\nwant exit 254, stderr %q", strings.Join(args, " "), res.Code, strings.TrimSpace(res.Stderr), want)
	}
}

// runParallel runs fns at once (each CLI call takes a second or two of
// CPU: independent ones run at once where there are CPUs for them) and
// waits for them.
func runParallel(fns ...func()) {
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
		}()
	}
	wg.Wait()
}

// TestLambdaCLI drives the Lambda API with the AWS CLI v2: create, get,
// list, update code and configuration, invoke (RequestResponse with a log
// tail, Event, DryRun), delete, and the CLI's report of service errors.
// The update's new code is checked by invoking it through the SDK (a CLI
// call costs seconds).
func TestLambdaCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "echo.zip"), functionZip(t, "echo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fail.zip"), functionStubZip(t, "fail"), 0o644); err != nil { // the code update
		t.Fatal(err)
	}
	ok := func(out any, args ...string) { t.Helper(); cliOK(t, g, dir, out, args...) }
	parallel := runParallel
	fails := func(errType, op, message string, args ...string) {
		t.Helper()
		cliFails(t, g, dir, errType, op, message, args...)
	}
	type config struct {
		FunctionName, FunctionArn, Runtime, Handler, Role, State, RevisionId, CodeSha256, Version string
		Timeout, MemorySize                                                                       int
		Environment                                                                               struct{ Variables map[string]string }
	}

	var created config
	ok(&created, "create-function", "--function-name", "cli-echo", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://echo.zip", "--timeout", "10",
		"--environment", "Variables={COLOR=blue}")
	if created.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:cli-echo" || created.Timeout != 10 || created.State != "Active" ||
		created.Environment.Variables["COLOR"] != "blue" || created.Version != "$LATEST" {
		t.Errorf("create-function: %+v", created)
	}
	var got struct {
		Configuration config
		Code          struct{ RepositoryType, Location string }
	}
	var list struct{ Functions []config }
	var inv, ev, dry struct {
		StatusCode                 int
		ExecutedVersion, LogResult string
		FunctionError              string
	}
	parallel(
		func() { ok(&got, "get-function", "--function-name", "cli-echo") },
		func() { ok(&list, "list-functions") },
		// invoke writes the payload to a file and prints the metadata.
		func() {
			ok(&inv, "invoke", "--function-name", "cli-echo", "--cli-binary-format", "raw-in-base64-out", "--payload", `{"a":1}`,
				"--log-type", "Tail", "out.json")
		},
		func() {
			ok(&ev, "invoke", "--function-name", "cli-echo", "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out",
				"--payload", `{"event":1}`, "event.json")
		},
		func() { ok(&dry, "invoke", "--function-name", "cli-echo", "--invocation-type", "DryRun", "dry.json") },
	)
	if got.Configuration.RevisionId != created.RevisionId || got.Code.RepositoryType != "S3" {
		t.Errorf("get-function: %+v", got)
	}
	if len(list.Functions) != 1 || list.Functions[0].FunctionName != "cli-echo" {
		t.Errorf("list-functions: %+v", list)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	logs, _ := base64.StdEncoding.DecodeString(inv.LogResult)
	if inv.StatusCode != 200 || inv.ExecutedVersion != "$LATEST" || string(body) != `{"a":1}` || !strings.Contains(string(logs), "echo: 7 bytes") {
		t.Errorf("invoke: %+v %s\n%s", inv, body, logs)
	}
	if ev.StatusCode != 202 {
		t.Errorf("invoke Event: %+v", ev)
	}
	if dry.StatusCode != 204 {
		t.Errorf("invoke DryRun: %+v", dry)
	}

	var upd config
	ok(&upd, "update-function-configuration", "--function-name", "cli-echo", "--memory-size", "512", "--description", "updated")
	if upd.MemorySize != 512 || upd.RevisionId == created.RevisionId {
		t.Errorf("update-function-configuration: %+v", upd)
	}
	ok(&upd, "update-function-code", "--function-name", "cli-echo", "--zip-file", "fileb://fail.zip")
	if upd.CodeSha256 == created.CodeSha256 {
		t.Errorf("update-function-code: %+v", upd)
	}
	ictx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := g.lambdaClient(t).Invoke(ictx, &lambdasdk.InvokeInput{FunctionName: aws.String("cli-echo"), Payload: []byte(`{"message":"new code"}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"new code"`) {
		t.Errorf("invoke the updated code: %v %+v", err, out)
	}
	// Errors (more are checked through the SDKs, which are quicker to run).
	parallel(
		func() {
			fails("ResourceNotFoundException", "GetFunction", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope",
				"get-function", "--function-name", "nope")
		},
		func() {
			fails("ResourceConflictException", "CreateFunction", "Function already exist: cli-echo",
				"create-function", "--function-name", "cli-echo", "--runtime", "provided.al2023", "--handler", "bootstrap",
				"--role", "arn:aws:iam::000000000000:role/lambda", "--zip-file", "fileb://fail.zip")
		},
	)
	ok(nil, "delete-function", "--function-name", "cli-echo")
	checkGatewayLog(t, g)
}
