package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// follower runs `aws logs tail … --follow` and hands over its output
// lines.
type follower struct {
	cmd   *exec.Cmd
	lines chan string
}

func startFollow(t *testing.T, g *Gateway, dir string, args ...string) *follower {
	t.Helper()
	full := append([]string{"logs", "tail"}, args...)
	full = append(full, "--follow", "--endpoint-url", g.Endpoint)
	cmd := exec.Command(awsCLIPath, full...)
	cmd.Dir = dir
	cmd.Env = g.Env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &follower{cmd: cmd, lines: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			f.lines <- sc.Text()
		}
		close(f.lines)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return f
}

// waitFor reads lines until every one of want has appeared in one (or
// the deadline passes); it returns the lines read.
func (f *follower) waitFor(t *testing.T, d time.Duration, want ...string) []string {
	t.Helper()
	var got []string
	pending := map[string]bool{}
	for _, w := range want {
		pending[w] = true
	}
	deadline := time.After(d)
	for len(pending) > 0 {
		select {
		case line, ok := <-f.lines:
			if !ok {
				t.Fatalf("aws logs tail --follow exited; lines: %q", got)
			}
			got = append(got, line)
			for w := range pending {
				if strings.Contains(line, w) {
					delete(pending, w)
				}
			}
		case <-deadline:
			t.Fatalf("aws logs tail --follow: after %v still waiting for %v; lines: %q", d, pending, got)
		}
	}
	return got
}

// putLogEvents stores messages in group/stream through the Logs API
// (signed JSON 1.1), timestamped now.
func putLogEvents(t *testing.T, c *signedClient, group, stream string, messages ...string) {
	t.Helper()
	now := time.Now().UnixMilli()
	var evs []map[string]any
	for _, m := range messages {
		evs = append(evs, map[string]any{"timestamp": now, "message": m})
	}
	status, body, err := c.json11(context.Background(), "logs", "Logs_20140328.PutLogEvents",
		map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": evs})
	if err != nil || status != 200 {
		t.Fatalf("PutLogEvents: %d %v %s", status, err, body)
	}
}

// TestAWSCLILogs drives the CloudWatch Logs stand-in with the AWS CLI v2:
// groups with retention, streams, put-log-events, describe-*, get-log-events
// from the head, filter-log-events with term, phrase and JSON patterns and
// the CLI's own pagination, `aws logs tail` — and `aws logs tail --follow`,
// running as a subprocess, printing events as they are put.
func TestAWSCLILogs(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	g := startClientGateway(t)
	t.Cleanup(func() { checkGatewayLog(t, g) })
	c := newCLI(t, g)
	lg := c.service("logs")
	sc := g.client(t)

	lg.ok(nil, "create-log-group", "--log-group-name", "/app/orders", "--tags", "team=edge")
	lg.ok(nil, "put-retention-policy", "--log-group-name", "/app/orders", "--retention-in-days", "7")
	lg.ok(nil, "create-log-stream", "--log-group-name", "/app/orders", "--log-stream-name", "web-1")
	lg.ok(nil, "create-log-stream", "--log-group-name", "/app/orders", "--log-stream-name", "web-2")
	now := time.Now().UnixMilli()
	ev := func(dt int64, msg string) string {
		b, _ := json.Marshal(map[string]any{"timestamp": now + dt, "message": msg})
		return string(b)
	}
	lg.ok(nil, "put-log-events", "--log-group-name", "/app/orders", "--log-stream-name", "web-1", "--log-events",
		"["+ev(-3000, `{"status":200,"path":"/orders"}`)+","+ev(-1000, `{"status":500,"path":"/orders/7"}`)+"]")
	lg.ok(nil, "put-log-events", "--log-group-name", "/app/orders", "--log-stream-name", "web-2", "--log-events",
		"["+ev(-2000, "request failed: upstream timeout")+","+ev(0, "request served")+"]")

	var groups struct {
		LogGroups []struct {
			LogGroupName, Arn string
			RetentionInDays   int
			StoredBytes       int
		}
	}
	lg.ok(&groups, "describe-log-groups", "--log-group-name-prefix", "/app/")
	if len(groups.LogGroups) != 1 || groups.LogGroups[0].RetentionInDays != 7 || groups.LogGroups[0].StoredBytes == 0 ||
		groups.LogGroups[0].Arn != "arn:aws:logs:us-east-1:000000000000:log-group:/app/orders:*" {
		t.Errorf("describe-log-groups: %+v", groups)
	}
	var streams struct {
		LogStreams []struct {
			LogStreamName      string
			LastEventTimestamp int64
		}
	}
	lg.ok(&streams, "describe-log-streams", "--log-group-name", "/app/orders", "--order-by", "LastEventTime", "--descending")
	if len(streams.LogStreams) != 2 || streams.LogStreams[0].LogStreamName != "web-2" || streams.LogStreams[0].LastEventTimestamp != now {
		t.Errorf("describe-log-streams: %+v", streams)
	}
	var got struct {
		Events []struct {
			Message       string
			Timestamp     int64
			IngestionTime int64
		}
		NextForwardToken string
	}
	lg.ok(&got, "get-log-events", "--log-group-name", "/app/orders", "--log-stream-name", "web-1", "--start-from-head")
	if len(got.Events) != 2 || got.Events[0].Message != `{"status":200,"path":"/orders"}` || !strings.HasPrefix(got.NextForwardToken, "f/") {
		t.Errorf("get-log-events: %+v", got)
	}

	filter := func(args ...string) string {
		t.Helper()
		var out struct {
			Events []struct{ LogStreamName, Message, EventID string }
		}
		lg.ok(&out, append([]string{"filter-log-events", "--log-group-name", "/app/orders"}, args...)...)
		var m []string
		for _, e := range out.Events {
			m = append(m, e.LogStreamName+":"+e.Message)
		}
		return strings.Join(m, " | ")
	}
	for _, f := range []struct {
		args []string
		want string
	}{
		{nil, `web-1:{"status":200,"path":"/orders"} | web-2:request failed: upstream timeout | web-1:{"status":500,"path":"/orders/7"} | web-2:request served`},
		{[]string{"--filter-pattern", "{ $.status = 500 }"}, `web-1:{"status":500,"path":"/orders/7"}`},
		{[]string{"--filter-pattern", `"request failed"`}, `web-2:request failed: upstream timeout`},
		{[]string{"--filter-pattern", "?failed ?500"}, `web-2:request failed: upstream timeout | web-1:{"status":500,"path":"/orders/7"}`},
		{[]string{"--log-stream-names", "web-2", "--filter-pattern", "request -failed"}, `web-2:request served`},
		{[]string{"--page-size", "1"}, `web-1:{"status":200,"path":"/orders"} | web-2:request failed: upstream timeout | web-1:{"status":500,"path":"/orders/7"} | web-2:request served`},
		{[]string{"--start-time", fmt.Sprint(now - 1000)}, `web-1:{"status":500,"path":"/orders/7"} | web-2:request served`},
	} {
		if s := filter(f.args...); s != f.want {
			t.Errorf("filter-log-events %v:\n got %s\nwant %s", f.args, s, f.want)
		}
	}
	res := lg.exec("tail", "/app/orders", "--since", "1h", "--format", "short")
	if res.Code != 0 || strings.Count(res.Stdout, "\n") != 4 || !strings.Contains(res.Stdout, "request served") {
		t.Errorf("aws logs tail: exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}

	// --follow: a subprocess that keeps printing what arrives.
	f := startFollow(t, g, c.dir, "/app/orders", "--since", "1m", "--format", "detailed")
	f.waitFor(t, 30*time.Second, "request served")
	putLogEvents(t, sc, "/app/orders", "web-1", "first new line")
	lines := f.waitFor(t, 30*time.Second, "first new line")
	putLogEvents(t, sc, "/app/orders", "web-2", "second new line", "third new line")
	lines = append(lines, f.waitFor(t, 30*time.Second, "second new line", "third new line")...)
	for _, l := range lines {
		// detailed: "<ISO time with microseconds and offset> <stream> <message>"
		parts := strings.SplitN(l, " ", 3)
		if len(parts) != 3 || !strings.HasSuffix(parts[0], "+00:00") || (parts[1] != "web-1" && parts[1] != "web-2") {
			t.Errorf("tail --follow line %q", l)
		}
	}
	if n := strings.Count(strings.Join(lines, "\n"), "first new line"); n != 1 {
		t.Errorf("a followed event printed %d times", n)
	}

	lg.fails("ResourceAlreadyExistsException", "CreateLogGroup", "The specified log group already exists",
		"create-log-group", "--log-group-name", "/app/orders")
	lg.fails("ResourceNotFoundException", "GetLogEvents", "The specified log stream does not exist.",
		"get-log-events", "--log-group-name", "/app/orders", "--log-stream-name", "nope")
	lg.fails("InvalidParameterException", "FilterLogEvents", "Invalid filter pattern",
		"filter-log-events", "--log-group-name", "/app/orders", "--filter-pattern", "{ $.status = }")
}
