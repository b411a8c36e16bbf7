package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestExecutionLogs: a REST stage whose methods log at INFO (with data
// trace) writes API Gateway's execution-log lines, "(requestId) text" in
// AWS's order, to API-Gateway-Execution-Logs_{apiId}/{stage}: the usage
// plan lines, the method request (path, query string, headers with secrets
// masked, body), the integration's answer, the method response, then the
// outcome; a method at ERROR logs only its failures; a stage without
// logging writes nothing.
func TestExecutionLogs(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "", functionFlag(t, "echo", "echo")...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	a := dp.newAPI(t, "traced")
	a.lambdaProxy(t, "/echo/{id}", "POST", "echo", nil)
	a.echoMock(t, "/quiet", "GET")
	a.method(t, "/broken", "GET", nil)
	a.integration(t, "/broken", "GET", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"no":"status"}`}})
	a.echoMock(t, "/off", "GET")
	a.method(t, "/strict", "GET", nil)
	a.integration(t, "/strict", "GET", map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"no":"status"}`}})
	a.deploy(t, "prod")
	a.deploy(t, "silent")
	a.patchStage(t, "prod",
		replaceOp("/*/*/logging/loglevel", "INFO"), replaceOp("/*/*/logging/dataTrace", "true"),
		replaceOp("/~1quiet/GET/logging/loglevel", "ERROR"), replaceOp("/~1off/GET/logging/loglevel", "OFF"),
		replaceOp("/~1strict/GET/logging/loglevel", "ERROR"))
	group := "API-Gateway-Execution-Logs_" + a.ID + "/prod"
	// The settings apply without a redeployment, once the stage is
	// recompiled: wait for the first logged request.
	eventually(t, "execution logging", func() error {
		dp.do(t, "GET", a.url("prod", "/broken"), nil, nil)
		_, err := filterAll(t, dp.mgmt, group)
		return err
	})

	const key, token = "k3yValueThatIsSecret-Ab12Cd", "Bearer t0kenThatIsSecret-Zz99Yy"
	send := func(method, path, body string) string {
		t.Helper()
		h := http.Header{"X-Api-Key": {key}, "Authorization": {token}, "Content-Type": {"application/json"}}
		r := dp.do(t, method, a.url("prod", path), h, strings.NewReader(body))
		return r.Header.Get("x-amzn-RequestId")
	}
	echo := send("POST", "/echo/7?color=red", `{"hello":"world"}`)
	broken := send("GET", "/broken", "")
	quietOK := send("GET", "/quiet", "")
	off := send("GET", "/off", "")
	strict := send("GET", "/strict", "")
	silent := dp.do(t, "GET", a.url("silent", "/quiet"), nil, nil).Header.Get("x-amzn-RequestId")

	byRequest := map[string][]string{}
	eventually(t, "execution logs", func() error {
		evs, err := filterAll(t, dp.mgmt, group)
		if err != nil {
			return err
		}
		byRequest = map[string][]string{}
		for _, e := range evs {
			id, text, ok := strings.Cut(strings.TrimPrefix(e.Message, "("), ") ")
			if !ok || !strings.HasPrefix(e.Message, "(") {
				return fmt.Errorf("line without a request id: %q", e.Message)
			}
			byRequest[id] = append(byRequest[id], text)
		}
		for _, id := range []string{echo, broken, strict} {
			if n := len(byRequest[id]); n == 0 || !strings.HasPrefix(byRequest[id][n-1], "Method completed with status: ") {
				return fmt.Errorf("request %s: %q", id, byRequest[id])
			}
		}
		return nil
	})
	masked := func(s string) string { return strings.Repeat("*", len(s)-6) + s[len(s)-6:] }
	want := []string{
		`Extended Request Id: \S+`,
		`Verifying Usage Plan for request: ` + echo + `\. API Key: API Stage: ` + a.ID + `/prod`,
		`API Key authorized because method 'POST /echo/\{id\}' does not require API Key\. Request will not contribute to throttle or quota limits`,
		`Usage Plan check succeeded for API Key and API Stage ` + a.ID + `/prod`,
		`Starting execution for request: ` + echo,
		`HTTP Method: POST, Resource Path: /echo/7`,
		`Method request path: \{id=7\}`,
		`Method request query string: \{color=red\}`,
		`Method request headers: \{.*X-Api-Key=` + regexp.QuoteMeta(masked(key)) + `.*\}`,
		`Method request body before transformations: \{"hello":"world"\}`,
		`Received response\. Status: 200, Integration latency: \d+ ms`,
		`Method response body after transformations: \{.*"httpMethod":"POST".*`,
		`Method response headers: \{.*Content-Type=application/json.*\}`,
		`Successfully completed execution`,
		`Method completed with status: 200`,
	}
	got := byRequest[echo]
	if len(got) != len(want) {
		t.Errorf("INFO lines of a Lambda proxy request: %d, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := 0; i < len(want) && i < len(got); i++ {
		if !regexp.MustCompile(`^` + want[i] + `$`).MatchString(got[i]) {
			t.Errorf("line %d: %q\nwant %s", i+1, got[i], want[i])
		}
	}
	all := strings.Join(got, "\n")
	for _, l := range got {
		// (The echo function answers with the request's headers: the
		// response body, logged as is, holds them.)
		if !strings.HasPrefix(l, "Method response body") && (strings.Contains(l, key) || strings.Contains(l, strings.TrimPrefix(token, "Bearer "))) {
			t.Errorf("an execution log line holds a secret: %s", l)
		}
	}
	if !strings.Contains(all, "Authorization="+masked(token)) {
		t.Errorf("Authorization not masked as AWS does:\n%s", all)
	}

	b := byRequest[broken]
	t.Logf("a failed MOCK request at INFO:\n%s", strings.Join(b, "\n"))
	if n := len(b); n < 3 || !strings.HasPrefix(b[n-2], "Execution failed due to configuration error: Unable to parse statusCode.") ||
		b[n-1] != "Method completed with status: 500" {
		t.Errorf("a failed MOCK request:\n%s", strings.Join(b, "\n"))
	}
	for _, l := range b {
		if strings.HasPrefix(l, "Received response") {
			t.Errorf("a MOCK integration has an endpoint line: %q", l)
		}
	}
	// ERROR: a failure's lines only.
	if s := byRequest[strict]; len(s) != 2 || !strings.HasPrefix(s[0], "Execution failed due to configuration error: ") || s[1] != "Method completed with status: 500" {
		t.Errorf("a failure at ERROR:\n%s", strings.Join(s, "\n"))
	}
	for id, what := range map[string]string{quietOK: "a success at ERROR", off: "a method at OFF", silent: "another stage"} {
		if len(byRequest[id]) != 0 {
			t.Errorf("%s logged: %q", what, byRequest[id])
		}
	}
	if _, err := filterAll(t, dp.mgmt, "API-Gateway-Execution-Logs_"+a.ID+"/silent"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("a stage without execution logging has a log group: %v", err)
	}
}
