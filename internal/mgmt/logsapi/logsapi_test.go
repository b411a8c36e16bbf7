package logsapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/logs"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/logsapi"
)

type harness struct {
	t   *testing.T
	url string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := logs.Open(logs.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	api := logsapi.New(logsapi.Config{Store: st, Region: "us-east-1", AccountID: "000000000000"})
	ts := httptest.NewServer(mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}}))
	t.Cleanup(ts.Close)
	return &harness{t: t, url: ts.URL}
}

// call sends one Logs operation; it returns the status and the decoded body.
func (h *harness) call(op, body string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", logsapi.TargetPrefix+"."+op)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		h.t.Fatalf("%s: body is not JSON: %v", op, err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		h.t.Errorf("%s: Content-Type %q", op, ct)
	}
	return res.StatusCode, out
}

func (h *harness) ok(op, body string) map[string]any {
	h.t.Helper()
	status, out := h.call(op, body)
	if status != 200 {
		h.t.Fatalf("%s %s: %d %v", op, body, status, out)
	}
	return out
}

func (h *harness) fails(op, body, code, message string) {
	h.t.Helper()
	status, out := h.call(op, body)
	if status != 400 || out["__type"] != code || (message != "" && out["message"] != message) {
		h.t.Errorf("%s %s: %d %v, want 400 %s %q", op, body, status, out, code, message)
	}
}

// TestLogsErrors: the Logs operations' refusals, with AWS's codes and (where
// recorded) texts.
func TestLogsErrors(t *testing.T) {
	h := newHarness(t)
	h.ok("CreateLogGroup", `{"logGroupName":"g"}`)
	h.ok("CreateLogStream", `{"logGroupName":"g","logStreamName":"s"}`)
	long := strings.Repeat("a", 513)
	for _, c := range []struct{ op, body, code, message string }{
		{"CreateLogGroup", `{"logGroupName":"g"}`, "ResourceAlreadyExistsException", "The specified log group already exists"},
		{"CreateLogGroup", `{"logGroupName":"` + long + `"}`, "InvalidParameterException", "Invalid LogGroup or LogStream, both must have length less than or equal to 512."},
		{"CreateLogGroup", `{"logGroupName":"bad name"}`, "ValidationException", ""},
		{"CreateLogGroup", `{}`, "ValidationException", ""},
		{"CreateLogGroup", `{"logGroupName":"aws/mine"}`, "InvalidParameterException", ""},
		{"CreateLogGroup", `{"logGroupName":"x","logGroupClass":"COLD"}`, "ValidationException", ""},
		{"CreateLogGroup", `{"logGroupName":"x","tags":{"aws:k":"v"}}`, "InvalidParameterException", ""},
		{"DeleteLogGroup", `{"logGroupName":"nope"}`, "ResourceNotFoundException", "The specified log group does not exist."},
		{"CreateLogStream", `{"logGroupName":"g","logStreamName":"s"}`, "ResourceAlreadyExistsException", "The specified log stream already exists"},
		{"CreateLogStream", `{"logGroupName":"nope","logStreamName":"s"}`, "ResourceNotFoundException", "The specified log group does not exist."},
		{"CreateLogStream", `{"logGroupName":"g","logStreamName":"a:b"}`, "ValidationException", ""},
		{"DeleteLogStream", `{"logGroupName":"g","logStreamName":"nope"}`, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"DescribeLogGroups", `{"logGroupNamePrefix":"a","logGroupNamePattern":"b"}`, "InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."},
		{"DescribeLogGroups", `{"limit":51}`, "InvalidParameterException", ""},
		{"DescribeLogGroups", `{"nextToken":"zzz"}`, "InvalidParameterException", "The specified nextToken is invalid."},
		{"DescribeLogStreams", `{"logGroupName":"g","logGroupIdentifier":"g"}`, "ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters."},
		{"DescribeLogStreams", `{"logGroupName":"g","orderBy":"LastEventTime","logStreamNamePrefix":"s"}`, "InvalidParameterException", ""},
		{"DescribeLogStreams", `{"logGroupName":"g","orderBy":"Size"}`, "ValidationException", ""},
		{"DescribeLogStreams", `{"logGroupName":"g","nextToken":"s/bad"}`, "InvalidParameterException", "The specified nextToken is invalid."},
		{"DescribeLogStreams", `{"logGroupName":"nope"}`, "ResourceNotFoundException", "The specified log group does not exist."},
		{"PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":2,"message":"b"},{"timestamp":1,"message":"a"}]}`,
			"InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."},
		{"PutLogEvents", `{"logGroupName":"g","logStreamName":"nope","logEvents":[{"timestamp":1,"message":"a"}]}`, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[]}`, "ValidationException", ""},
		{"PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":""}]}`, "ValidationException", ""},
		{"PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a"},{"timestamp":90000001,"message":"b"}]}`, "InvalidParameterException", ""},
		{"GetLogEvents", `{"logGroupName":"g","logStreamName":"s","limit":10001}`, "InvalidParameterException",
			"1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"GetLogEvents", `{"logGroupName":"g","logStreamName":"s","nextToken":"f/123"}`, "InvalidParameterException", "The specified nextToken is invalid."},
		{"GetLogEvents", `{"logGroupName":"nope","logStreamName":"s"}`, "ResourceNotFoundException", "The specified log group does not exist."},
		{"GetLogEvents", `{"logGroupName":"g","logStreamName":"nope"}`, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"FilterLogEvents", `{"logGroupName":"g","logStreamNames":["s"],"logStreamNamePrefix":"s"}`, "InvalidParameterException", ""},
		{"FilterLogEvents", `{"logGroupName":"g","filterPattern":"{ $.a = "}`, "InvalidParameterException", "Invalid filter pattern"},
		{"FilterLogEvents", `{"logGroupName":"g","nextToken":"abc"}`, "InvalidParameterException", "The specified nextToken is invalid."},
		{"FilterLogEvents", `{"logGroupName":"g","limit":0}`, "InvalidParameterException", ""},
		{"FilterLogEvents", `{"logGroupIdentifier":"arn:aws:logs:eu-west-1:000000000000:log-group:g"}`, "ResourceNotFoundException", ""},
		{"PutRetentionPolicy", `{"logGroupName":"g","retentionInDays":4}`, "InvalidParameterException", ""},
		{"PutRetentionPolicy", `{"logGroupName":"nope","retentionInDays":1}`, "ResourceNotFoundException", ""},
		{"DeleteRetentionPolicy", `{"logGroupName":"nope"}`, "ResourceNotFoundException", ""},
		{"TagResource", `{"resourceArn":"arn:aws:logs:us-east-1:000000000000:log-group:nope","tags":{"a":"b"}}`, "ResourceNotFoundException", ""},
		{"FilterLogEvents", `{"logGroupName":"g","startTime":"yesterday"}`, "SerializationException", ""},
		{"StartLiveTail", `{}`, "UnknownOperationException", ""},
	} {
		h.fails(c.op, c.body, c.code, c.message)
	}
}

// TestLogsShapes: the groups, streams and events the operations answer,
// pages of groups and streams with distinct tokens, the identifier forms,
// retention and tags.
func TestLogsShapes(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"/aws/lambda/b", "/aws/lambda/a", "other"} {
		h.ok("CreateLogGroup", `{"logGroupName":"`+n+`"}`)
	}
	h.ok("PutRetentionPolicy", `{"logGroupName":"other","retentionInDays":14}`)
	out := h.ok("DescribeLogGroups", `{"logGroupNamePrefix":"/aws/lambda/","limit":1}`)
	g := out["logGroups"].([]any)[0].(map[string]any)
	tok, _ := out["nextToken"].(string)
	if g["logGroupName"] != "/aws/lambda/a" || g["arn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" ||
		g["logGroupArn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a" || g["storedBytes"] != 0.0 ||
		g["metricFilterCount"] != 0.0 || g["retentionInDays"] != nil || tok == "" {
		t.Errorf("first page: %v", out)
	}
	out = h.ok("DescribeLogGroups", `{"logGroupNamePrefix":"/aws/lambda/","limit":1,"nextToken":"`+tok+`"}`)
	if gs := out["logGroups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["logGroupName"] != "/aws/lambda/b" || out["nextToken"] != nil {
		t.Errorf("second page: %v", out)
	}
	out = h.ok("DescribeLogGroups", `{"logGroupNamePattern":"her"}`)
	if gs := out["logGroups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["retentionInDays"] != 14.0 {
		t.Errorf("pattern: %v", out)
	}
	h.ok("DeleteRetentionPolicy", `{"logGroupName":"other"}`)
	if gs := h.ok("DescribeLogGroups", `{"logGroupNamePattern":"her"}`)["logGroups"].([]any); gs[0].(map[string]any)["retentionInDays"] != nil {
		t.Errorf("retention after delete: %v", gs)
	}

	for _, s := range []string{"s3", "s1", "s2"} {
		h.ok("CreateLogStream", `{"logGroupName":"other","logStreamName":"`+s+`"}`)
	}
	now := time.Now().UnixMilli()
	ts := strconv.FormatInt(now, 10)
	put := h.ok("PutLogEvents", `{"logGroupName":"other","logStreamName":"s2","logEvents":[{"timestamp":`+ts+`,"message":"hello"}],"sequenceToken":"x"}`)
	if put["nextSequenceToken"] == nil || put["rejectedLogEventsInfo"] != nil {
		t.Errorf("PutLogEvents: %v", put)
	}
	old, older := strconv.FormatInt(now-15*24*3600*1000, 10), strconv.FormatInt(now-15*24*3600*1000+60000, 10)
	put = h.ok("PutLogEvents", `{"logGroupName":"other","logStreamName":"s1","logEvents":[{"timestamp":`+old+`,"message":"old"},{"timestamp":`+older+`,"message":"old too"}]}`)
	if r, _ := put["rejectedLogEventsInfo"].(map[string]any); r["tooOldLogEventEndIndex"] != 1.0 || len(r) != 1 {
		t.Errorf("PutLogEvents with old events: %v", put)
	}
	h.ok("PutLogEvents", `{"logGroupName":"other","logStreamName":"s1","logEvents":[{"timestamp":`+ts+`,"message":"new"}]}`)
	var names []string
	body := `{"logGroupIdentifier":"arn:aws:logs:us-east-1:000000000000:log-group:other:*","limit":2}`
	for i := 0; i < 3; i++ {
		out = h.ok("DescribeLogStreams", body)
		for _, s := range out["logStreams"].([]any) {
			names = append(names, s.(map[string]any)["logStreamName"].(string))
		}
		tok, ok := out["nextToken"].(string)
		if !ok {
			break
		}
		body = `{"logGroupIdentifier":"other","limit":2,"nextToken":"` + tok + `"}`
	}
	if strings.Join(names, ",") != "s1,s2,s3" {
		t.Errorf("stream pages: %v", names)
	}
	out = h.ok("DescribeLogStreams", `{"logGroupName":"other","orderBy":"LastEventTime","descending":true,"limit":1}`)
	s := out["logStreams"].([]any)[0].(map[string]any)
	if s["logStreamName"] != "s2" && s["logStreamName"] != "s1" || s["lastEventTimestamp"] != float64(now) || s["firstEventTimestamp"] == nil ||
		s["lastIngestionTime"] == nil || s["storedBytes"] != 0.0 || s["arn"] != "arn:aws:logs:us-east-1:000000000000:log-group:other:log-stream:"+s["logStreamName"].(string) {
		t.Errorf("stream by last event: %v", s)
	}
	if s := h.ok("DescribeLogStreams", `{"logGroupName":"other","logStreamNamePrefix":"s3"}`)["logStreams"].([]any)[0].(map[string]any); s["lastEventTimestamp"] != nil {
		t.Errorf("a stream without events: %v", s)
	}

	get := h.ok("GetLogEvents", `{"logGroupName":"other","logStreamName":"s2"}`)
	ev := get["events"].([]any)[0].(map[string]any)
	if ev["message"] != "hello" || ev["timestamp"] != float64(now) || ev["ingestionTime"] == nil || ev["eventId"] != nil ||
		!strings.HasPrefix(get["nextForwardToken"].(string), "f/") || !strings.HasPrefix(get["nextBackwardToken"].(string), "b/") {
		t.Errorf("GetLogEvents: %v", get)
	}
	filter := h.ok("FilterLogEvents", `{"logGroupName":"other","interleaved":true,"startTime":`+ts+`}`)
	evs := filter["events"].([]any)
	if len(evs) != 2 || filter["nextToken"] != nil || filter["searchedLogStreams"] == nil {
		t.Fatalf("FilterLogEvents: %v", filter)
	}
	for _, e := range evs {
		m := e.(map[string]any)
		if len(m["eventId"].(string)) != 56 || m["logStreamName"] == nil || m["ingestionTime"] == nil {
			t.Errorf("filtered event: %v", m)
		}
	}

	arn := `"arn:aws:logs:us-east-1:000000000000:log-group:other"`
	h.ok("TagResource", `{"resourceArn":`+arn+`,"tags":{"team":"edge","tmp":"1"}}`)
	h.ok("UntagResource", `{"resourceArn":`+arn+`,"tagKeys":["tmp"]}`)
	h.ok("TagLogGroup", `{"logGroupName":"other","tags":{"env":"dev"}}`)
	if tags := h.ok("ListTagsForResource", `{"resourceArn":`+arn+`}`)["tags"].(map[string]any); len(tags) != 2 || tags["team"] != "edge" || tags["env"] != "dev" {
		t.Errorf("tags: %v", tags)
	}
	h.ok("UntagLogGroup", `{"logGroupName":"other","tags":["env"]}`)
	if tags := h.ok("ListTagsLogGroup", `{"logGroupName":"other"}`)["tags"].(map[string]any); len(tags) != 1 {
		t.Errorf("tags after UntagLogGroup: %v", tags)
	}
	h.ok("DeleteLogStream", `{"logGroupName":"other","logStreamName":"s2"}`)
	h.ok("DeleteLogGroup", `{"logGroupName":"other"}`)
	if gs := h.ok("DescribeLogGroups", `{}`)["logGroups"].([]any); len(gs) != 2 {
		t.Errorf("groups after delete: %v", gs)
	}
}
