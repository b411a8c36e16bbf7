package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestLambdaRemoteInvoke: a function that is not local is invoked through
// the Lambda Invoke API at --lambda-endpoint, signed with the standard
// credential chain. The remote is a second Tollgate on loopback; the first
// finds its credentials through AWS_SHARED_CREDENTIALS_FILE/AWS_PROFILE.
func TestLambdaRemoteInvoke(t *testing.T) {
	t.Parallel()
	remote := startGateway(t, "", functionFlag(t, "remote-echo", "echo")...)
	remote.createFunction(t, "remote-fail", "fail", nil)

	dp := startDataPlaneEnv(t, []string{
		"AWS_SHARED_CREDENTIALS_FILE=" + remote.CredFile, "AWS_PROFILE=tollgate", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
	}, "--lambda-endpoint", remote.Endpoint)
	a := dp.newAPI(t, "remote")
	a.lambdaProxy(t, "/echo", "ANY", "remote-echo", nil)
	a.lambdaProxy(t, "/fail", "GET", "remote-fail", nil)
	a.lambdaProxy(t, "/missing", "GET", "nowhere", nil)
	a.deploy(t, "prod")
	eventually(t, "deployment", func() error {
		if r := dp.do(t, "GET", a.url("prod", "/echo?x=1"), nil, nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	r := dp.do(t, "POST", a.url("prod", "/echo?x=1"), nil, strings.NewReader(`{"k":"v"}`))
	var ev struct {
		Body  string            `json:"body"`
		Query map[string]string `json:"queryStringParameters"`
	}
	if r.Status != 200 || jsonUnmarshal(r.Body, &ev) != nil || ev.Body != `{"k":"v"}` || ev.Query["x"] != "1" {
		t.Errorf("remote echo: %s", r)
	}
	if r := dp.do(t, "GET", a.url("prod", "/fail"), nil, nil); r.Status != 502 || r.Body != bodyInternal {
		t.Errorf("remote function error: %s", r)
	}
	if r := dp.do(t, "GET", a.url("prod", "/missing"), nil, nil); r.Status != 500 || r.Body != bodyInternal {
		t.Errorf("function on neither: %s", r)
	}
	dp.waitLog(t, "lambda function not found: arn:aws:lambda:us-east-1:000000000000:function:nowhere")
	// The remote ran the functions: their output is in its log.
	remote.waitLog(t, "echo: ")
	remote.waitLog(t, "fail: returning an error")

	// The Lambda API of the first gateway forwards too.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := dp.lambdaClient(t).Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("remote-echo"), Payload: []byte(`{"via":"first"}`)})
	if err != nil || string(out.Payload) != `{"via":"first"}` {
		t.Errorf("Invoke through the first gateway: %v %s", err, out.Payload)
	}
}

// TestLambdaNoLeakedProcesses: function processes are children of the
// gateway; those that crash, panic, time out or never ask for an
// invocation are gone once they failed, a warm one stays, and none is left
// after SIGTERM.
func TestLambdaNoLeakedProcesses(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", append(functionFlag(t, "echo", "echo"), append(functionFlag(t, "crash", "crash"),
		append(functionFlag(t, "panic", "panic"), functionFlag(t, "fail", "fail")...)...)...)...)
	short := func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(1) }
	dp.createFunction(t, "sleep", "sleep", short)
	dp.createFunction(t, "noloop", "noloop", short)
	a := dp.newAPI(t, "leaks")
	for _, fn := range []string{"echo", "crash", "panic", "fail", "sleep", "noloop"} {
		a.lambdaProxy(t, "/"+fn, "GET", fn, nil)
	}
	a.lambdaProxy(t, "/slow", "GET", "sleep", map[string]any{"timeoutInMillis": 300})
	a.deploy(t, "prod")
	eventually(t, "deployment", func() error {
		if r := dp.do(t, "GET", a.url("prod", "/echo"), nil, nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	pid := dp.cmd.Process.Pid
	if n := dp.waitChildren(t, 1); n != 1 {
		t.Fatalf("after one echo: %d children, want 1 (the warm echo instance)", n)
	}
	seen := map[int]bool{}
	record := func() {
		for _, p := range childPIDs(t, pid) {
			seen[p] = true
		}
	}
	record()
	for _, p := range []string{"/crash", "/panic", "/sleep?ms=3000", "/noloop", "/slow?ms=3000", "/crash", "/sleep?ms=2000"} {
		if r := dp.do(t, "GET", a.url("prod", p), nil, nil); r.Status < 500 {
			t.Errorf("GET %s: %s", p, r)
		}
		record()
	}
	// fail keeps its instance warm (an error is an answer); the others are
	// gone: crash and panic exited, timeouts were killed.
	if r := dp.do(t, "GET", a.url("prod", "/fail"), nil, nil); r.Status != 502 {
		t.Errorf("GET /fail: %s", r)
	}
	record()
	if n := dp.waitChildren(t, 2); n != 2 {
		t.Errorf("after the failures: %d children %v, want 2 (echo and fail)", n, childPIDs(t, pid))
	}

	dp.Stop()
	for p := range seen {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil {
			t.Errorf("function process %d outlived the gateway: %s", p, b)
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
}
