package observe

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/logs"
)

// TestLogGroupOf: CloudWatch Logs destinations and the others.
func TestLogGroupOf(t *testing.T) {
	for dest, want := range map[string]string{
		"arn:aws:logs:us-east-1:123456789012:log-group:my-api":          "my-api",
		"arn:aws:logs:us-east-1:123456789012:log-group:/aws/api/x:*":    "/aws/api/x",
		"arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon": "",
		"arn:aws:logs:us-east-1:123456789012:log-stream:x":              "",
		"/var/log/access.log": "", "-": "",
	} {
		if got, ok := LogGroupOf(dest); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", dest, got, ok, want)
		}
	}
}

// TestAccessLogToLogGroup: a log group destination gets one event per
// request, at the request's time, without the line's newline; file and
// stdout destinations still get lines; without a log writer a log group
// ARN goes to stdout, as before.
func TestAccessLogToLogGroup(t *testing.T) {
	store, err := logs.Open(logs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := logs.NewWriter(store)
	var stdout bytes.Buffer
	sinks := &LogSinks{Stdout: &stdout, Groups: w}
	const arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
	group, err := sinks.Open(arn)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a.log")
	fileSink, _ := sinks.Open(file)
	stdoutSink, _ := sinks.Open("-")
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	x := &pipeline.Exchange{Start: start}
	for _, s := range []*LogSink{group, fileSink, stdoutSink} {
		NewAccessLog("$context.requestTimeEpoch line\n", s).Write(x)
	}
	w.Close()
	_ = sinks.Close()
	page, err := store.Filter(logs.FilterQuery{Group: "access", Limit: 10})
	if err != nil || len(page.Events) != 1 || page.Events[0].Timestamp != start.UnixMilli() || strings.HasSuffix(page.Events[0].Message, "\n") ||
		!strings.HasSuffix(page.Events[0].Message, " line") {
		t.Errorf("log group events: %+v %v", page.Events, err)
	}
	if b, _ := os.ReadFile(file); !strings.HasSuffix(string(b), " line\n") {
		t.Errorf("file: %q", b)
	}
	if !strings.HasSuffix(stdout.String(), " line\n") {
		t.Errorf("stdout: %q", stdout.String())
	}
	var out bytes.Buffer
	plain := &LogSinks{Stdout: &out}
	s, _ := plain.Open(arn)
	NewAccessLog("x", s).Write(x)
	_ = plain.Close()
	if out.String() != "x\n" {
		t.Errorf("an ARN without log groups: %q", out.String())
	}
}
