package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const bodyTimedOut = `{"message": "Endpoint request timed out"}`

// TestLambdaProxyFailures: every way a function can fail behind AWS_PROXY
// gets AWS's answer, with the cause in Tollgate's log: a function error, a
// panic, a crash, a function timeout and a runtime that never asks for an
// invocation are 502 {"message": "Internal server error"}; the integration
// timeout ending first is 504; a missing function and an AWS_PROXY
// integration whose method is not POST are 500; an event over Lambda's
// 6 MB is 413. Crashed and timed-out instances are replaced: the next
// request succeeds.
func TestLambdaProxyFailures(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "",
		append(functionFlag(t, "fail", "fail"), append(functionFlag(t, "panic", "panic"), functionFlag(t, "crash", "crash")...)...)...)
	short := func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(1) }
	dp.createFunction(t, "sleep-1s", "sleep", short)
	dp.createFunction(t, "sleep-3s", "sleep", nil)
	dp.createFunction(t, "noloop", "noloop", short)
	dp.createFunction(t, "echo", "echo", nil)

	a := dp.newAPI(t, "proxy-failures")
	a.lambdaProxy(t, "/fail", "GET", "fail", nil)
	a.lambdaProxy(t, "/panic", "GET", "panic", nil)
	a.lambdaProxy(t, "/crash", "GET", "crash", nil)
	a.lambdaProxy(t, "/function-timeout", "GET", "sleep-1s", nil)
	a.lambdaProxy(t, "/integration-timeout", "GET", "sleep-3s", map[string]any{"timeoutInMillis": 500})
	a.lambdaProxy(t, "/noloop", "GET", "noloop", nil)
	a.lambdaProxy(t, "/missing", "GET", "no-such-function", nil)
	a.lambdaProxy(t, "/echo", "ANY", "echo", nil)
	a.method(t, "/get-method", "GET", nil)
	a.integration(t, "/get-method", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "GET", "uri": lambdaURI("echo")})
	a.deploy(t, "prod")
	eventually(t, "deployment", func() error {
		if r := dp.do(t, "GET", a.url("prod", "/echo"), nil, nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})

	internal := `{"message": "Internal server error"}`
	cases := []struct {
		path      string
		status    int
		body      string
		errorType string
		log       string // the cause, in Tollgate's log
	}{
		{"/fail?message=bad+thing", 502, internal, "InternalServerErrorException", `lambda function error (Unhandled): {\"errorMessage\":\"bad thing\"`},
		{"/panic", 502, internal, "InternalServerErrorException", "the function panicked"},
		{"/crash", 502, internal, "InternalServerErrorException", "Runtime exited with error: exit status 3"},
		{"/function-timeout?ms=3000", 502, internal, "InternalServerErrorException", "Task timed out after 1.00 seconds"},
		{"/integration-timeout?ms=2000", 504, bodyTimedOut, "InternalServerErrorException", "INTEGRATION_TIMEOUT"},
		{"/noloop", 502, internal, "InternalServerErrorException", "runtime did not ask for an invocation within the timeout"},
		{"/missing", 500, internal, "InternalServerErrorException", "lambda function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function"},
		{"/get-method", 500, internal, "InternalServerErrorException", "AWS_PROXY integrations must use httpMethod POST"},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			start := time.Now()
			r := dp.do(t, "GET", a.url("prod", c.path), nil, nil)
			if r.Status != c.status || r.Body != c.body || r.Header.Get("x-amzn-ErrorType") != c.errorType {
				t.Errorf("GET %s: got %s, want %d %q (%s)", c.path, r, c.status, c.body, c.errorType)
			}
			t.Logf("GET %s: %d in %v", c.path, r.Status, time.Since(start).Round(time.Millisecond))
			dp.waitLog(t, c.log)
		})
	}

	// Failed instances are replaced: the same functions answer again.
	for _, p := range []string{"/crash", "/panic", "/function-timeout?ms=3000"} {
		if r := dp.do(t, "GET", a.url("prod", p), nil, nil); r.Status != 502 {
			t.Errorf("GET %s again: %s", p, r)
		}
	}
	if r := dp.do(t, "GET", a.url("prod", "/function-timeout?ms=10"), nil, nil); r.Status != 200 || r.Body != "slept" {
		t.Errorf("sleep-1s after its timeout: %s", r)
	}

	// An event over Lambda's 6 MB limit (API Gateway itself takes 10 MB).
	big := strings.Repeat("a", 6<<20)
	r := dp.do(t, "POST", a.url("prod", "/echo"), nil, strings.NewReader(big))
	if r.Status != 413 || r.Body != `{"message":"Request Too Long"}` {
		t.Errorf("7 MB event: %.200s", r)
	}
	dp.waitLog(t, "request payload too large")
}

// TestLambdaNonProxy: an AWS (non-proxy) integration passes the request
// body through as the event and chooses the integration response by
// matching selection patterns against the function error's errorMessage
// (recorded test_lambda_selection_patterns: 200 "Pass", 400 → 405, 500 →
// 502; the pattern "200" is not matched against a successful result).
func TestLambdaNonProxy(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", functionFlag(t, "select", "select")...)
	a := dp.newAPI(t, "non-proxy")
	const res = "/{statusCode}"
	a.method(t, res, "POST", nil)
	a.integration(t, res, "POST", map[string]any{"type": "AWS", "httpMethod": "POST", "uri": lambdaURI("select")})
	for _, s := range []string{"200", "405", "502"} {
		a.methodResponse(t, res, "POST", s, nil)
	}
	a.integrationResponse(t, res, "POST", "200", map[string]any{"selectionPattern": ""})
	a.integrationResponse(t, res, "POST", "405", map[string]any{"selectionPattern": ".*four hundred.*"})
	a.integrationResponse(t, res, "POST", "502", map[string]any{"selectionPattern": ".+"})
	a.integrationResponse(t, res, "POST", "504", map[string]any{"selectionPattern": "200"})
	a.deploy(t, "dev")

	invoke := func(code string) result {
		return dp.do(t, "POST", a.url("dev", "/"+code), nil, strings.NewReader(`{"statusCode": "`+code+`"}`))
	}
	eventually(t, "deployment", func() error {
		if r := invoke("200"); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	if r := invoke("200"); r.Status != 200 || r.Body != `"Pass"` {
		t.Errorf("200: %s", r)
	}
	for code, want := range map[string]struct {
		status int
		msg    string
	}{
		"400": {405, "Error: Raising four hundred from within the Lambda function"},
		"500": {502, "Error: Raising five hundred from within the Lambda function"},
	} {
		r := invoke(code)
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if r.Status != want.status || jsonUnmarshal(r.Body, &doc) != nil || doc.ErrorMessage != want.msg || doc.ErrorType == "" {
			t.Errorf("%s: got %s, want %d with errorMessage %q", code, r, want.status, want.msg)
		}
	}
	checkGatewayLog(t, dp.Gateway)
}

// TestLambdaStageVariableFunction: the function name may come from a stage
// variable (function:${stageVariables.fn}); each stage invokes its own.
func TestLambdaStageVariableFunction(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", append(functionFlag(t, "echo", "echo"), functionFlag(t, "fail", "fail")...)...)
	a := dp.newAPI(t, "stage-vars")
	a.lambdaProxy(t, "/x", "GET", "arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}", nil)
	dp.call(t, "POST", "/restapis/"+a.ID+"/deployments", map[string]any{"stageName": "good", "variables": map[string]string{"fn": "echo"}})
	dp.call(t, "POST", "/restapis/"+a.ID+"/stages", map[string]any{"stageName": "bad",
		"deploymentId": dp.call(t, "GET", "/restapis/"+a.ID+"/stages/good", nil)["deploymentId"], "variables": map[string]string{"fn": "fail"}})
	eventually(t, "deployment", func() error {
		if r := dp.do(t, "GET", a.url("good", "/x"), nil, nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		if r := dp.do(t, "GET", a.url("bad", "/x"), nil, nil); r.Status != 502 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	r := dp.do(t, "GET", a.url("good", "/x"), nil, nil)
	if !strings.Contains(r.Body, `"stageVariables":{"fn":"echo"}`) {
		t.Errorf("good stage: %s", r)
	}
}
