package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// logsEvent is one FilterLogEvents event.
type logsEvent struct {
	LogStreamName, Message, EventID string
	Timestamp, IngestionTime        int64
}

// filterAll reads every event of a log group through FilterLogEvents
// (signed JSON 1.1), page by page.
func filterAll(t *testing.T, c *signedClient, group string) ([]logsEvent, error) {
	t.Helper()
	var all []logsEvent
	in := map[string]any{"logGroupName": group}
	for {
		status, body, err := c.json11(context.Background(), "logs", "Logs_20140328.FilterLogEvents", in)
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("FilterLogEvents %s: %d %s", group, status, body)
		}
		var out struct {
			Events    []logsEvent
			NextToken string
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Events...)
		if out.NextToken == "" {
			return all, nil
		}
		in["nextToken"] = out.NextToken
	}
}

// TestLogGroupsFromTheGateway: a stage whose access-log destination is a
// log group ARN writes one event per request to that group (created on
// first delivery), and `aws logs tail --follow` on it prints requests as
// they are made; a Lambda function's output lands in /aws/lambda/{name},
// one stream per instance named like Lambda's, each invocation's lines
// between START and END, then REPORT, as Lambda writes them.
func TestLogGroupsFromTheGateway(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	dp := startDataPlane(t, "", functionFlag(t, "echo", "echo")...)
	t.Cleanup(func() { checkGatewayLog(t, dp.Gateway) })
	a := dp.newAPI(t, "followed")
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	a.echoMock(t, "/mock", "GET")
	a.deploy(t, "prod")
	a.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:followed-access"),
		replaceOp("/accessLogSettings/format", `{"requestId":"$context.requestId","status":"$context.status","path":"$context.path"}`))

	// The group appears with the first request logged.
	var first string
	eventually(t, "the access-log group", func() error {
		r, err := dp.send(t, "GET", a.url("prod", "/mock"), nil, nil)
		if err != nil {
			return err
		}
		if first == "" {
			first = r.Header.Get("x-amzn-RequestId")
		}
		evs, err := filterAll(t, dp.mgmt, "followed-access")
		if err != nil {
			return err
		}
		if len(evs) == 0 || !strings.Contains(evs[0].Message, first) {
			return fmt.Errorf("events %v", evs)
		}
		return nil
	})

	// Follow the group while requests are made.
	f := startFollow(t, dp.Gateway, t.TempDir(), "followed-access", "--since", "5m", "--format", "short")
	f.waitFor(t, 30*time.Second, first)
	var ids []string
	for _, p := range []string{"/mock", "/echo", "/echo", "/nope"} {
		r := dp.do(t, "GET", a.url("prod", p), nil, nil)
		ids = append(ids, r.Header.Get("x-amzn-RequestId"))
	}
	lines := f.waitFor(t, 30*time.Second, ids...)
	for _, l := range lines {
		// short: "YYYY-MM-DDTHH:MM:SS <message>"
		ts, msg, _ := strings.Cut(l, " ")
		var ev struct{ RequestID, Status, Path string }
		if _, err := time.Parse("2006-01-02T15:04:05", ts); err != nil || json.Unmarshal([]byte(msg), &ev) != nil || ev.RequestID == "" {
			t.Errorf("tail --follow line %q", l)
		}
	}
	evs, err := filterAll(t, dp.mgmt, "followed-access")
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string]bool{}
	for _, e := range evs {
		streams[e.LogStreamName] = true
		if strings.HasSuffix(e.Message, "\n") {
			t.Errorf("an access-log event ends in a newline: %q", e.Message)
		}
	}
	if len(streams) != 1 || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(evs[0].LogStreamName) {
		t.Errorf("access-log streams: %v", streams)
	}

	// The function's log.
	var fn []logsEvent
	eventually(t, "the function's log", func() error {
		var err error
		fn, err = filterAll(t, dp.mgmt, "/aws/lambda/echo")
		if err != nil {
			return err
		}
		if n := strings.Count(joinMessages(fn), "REPORT RequestId:"); n != 2 {
			return fmt.Errorf("%d REPORT lines", n)
		}
		return nil
	})
	byStream := map[string][]string{}
	for _, e := range fn {
		byStream[e.LogStreamName] = append(byStream[e.LogStreamName], e.Message)
	}
	streamRE := regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	invocation := regexp.MustCompile(`^START RequestId: (` + uuid + `) Version: \$LATEST\n` +
		`echo: \d+ bytes\n` +
		`END RequestId: (` + uuid + `)\n` +
		`REPORT RequestId: (` + uuid + `)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d\d ms\t)?$`)
	cold := 0
	for stream, msgs := range byStream {
		if !streamRE.MatchString(stream) {
			t.Errorf("function log stream %q", stream)
		}
		// Invocations follow one another: START … REPORT, four lines each.
		if len(msgs)%4 != 0 {
			t.Errorf("stream %s: %q", stream, msgs)
			continue
		}
		for i := 0; i < len(msgs); i += 4 {
			m := invocation.FindStringSubmatch(strings.Join(msgs[i:i+4], "\n"))
			if m == nil || m[1] != m[2] || m[2] != m[3] {
				t.Errorf("stream %s, invocation %d:\n%s", stream, i/4, strings.Join(msgs[i:i+4], "\n"))
				continue
			}
			if m[4] != "" {
				cold++
			}
		}
	}
	if cold != len(byStream) {
		t.Errorf("%d cold starts (Init Duration) for %d instances", cold, len(byStream))
	}

	// An HTTP API stage's access log goes to a log group the same way.
	c := newCLI(t, dp.Gateway).v2()
	h := dp.newHTTPAPI(t, c, "followed-http")
	h.route(t, "GET /hello", h.lambdaIntegration(t, "echo", "1.0"))
	c.obj("create-stage", "--api-id", h.ID, "--stage-name", "$default", "--auto-deploy", "--access-log-settings",
		`DestinationArn=arn:aws:logs:us-east-1:000000000000:log-group:followed-http-access,Format=$context.requestId $context.routeKey $context.status`)
	r := h.waitFor(t, "/hello", nil, 200)
	eventually(t, "the HTTP API's access-log group", func() error {
		evs, err := filterAll(t, dp.mgmt, "followed-http-access")
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Message == r.Header.Get("apigw-requestid")+" GET /hello 200" || strings.HasSuffix(e.Message, " GET /hello 200") {
				return nil
			}
		}
		return fmt.Errorf("events %v", evs)
	})
}

func joinMessages(evs []logsEvent) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Message + "\n")
	}
	return b.String()
}
