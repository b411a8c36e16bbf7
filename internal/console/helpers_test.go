package console

import (
	"reflect"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// TestQuantile estimates percentiles from histogram buckets as
// histogram_quantile does.
func TestQuantile(t *testing.T) {
	h := &dto.Histogram{SampleCount: proto.Uint64(100), Bucket: []*dto.Bucket{
		{UpperBound: proto.Float64(10), CumulativeCount: proto.Uint64(50)},
		{UpperBound: proto.Float64(20), CumulativeCount: proto.Uint64(90)},
		{UpperBound: proto.Float64(40), CumulativeCount: proto.Uint64(100)},
	}}
	for q, want := range map[float64]float64{0.5: 10, 0.25: 5, 0.7: 15, 0.95: 30} {
		if got := quantile(h, q); got != want {
			t.Errorf("q%v = %v, want %v", q, got, want)
		}
	}
	if got := quantile(&dto.Histogram{}, 0.5); got != 0 {
		t.Errorf("empty histogram: %v", got)
	}
}

// TestDiffSummaries lists added, removed and changed methods in path and
// verb order.
func TestDiffSummaries(t *testing.T) {
	a := map[string]map[string]summaryEntry{
		"/pets":      {"GET": {AuthorizationType: "NONE"}, "DELETE": {AuthorizationType: "NONE"}},
		"/pets/{id}": {"GET": {AuthorizationType: "NONE"}},
	}
	b := map[string]map[string]summaryEntry{
		"/pets":      {"GET": {AuthorizationType: "NONE", APIKeyRequired: true}, "POST": {AuthorizationType: "AWS_IAM"}},
		"/pets/{id}": {"GET": {AuthorizationType: "NONE"}},
	}
	want := []diffRow{
		{Path: "/pets", Verb: "DELETE", Change: "removed", Before: "authorization NONE"},
		{Path: "/pets", Verb: "GET", Change: "changed", Before: "authorization NONE", After: "authorization NONE, API key required"},
		{Path: "/pets", Verb: "POST", Change: "added", After: "authorization AWS_IAM"},
	}
	if got := diffSummaries(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("diff:\n got %+v\nwant %+v", got, want)
	}
	if got := diffSummaries(a, a); len(got) != 0 {
		t.Errorf("no change: %+v", got)
	}
}

// TestParseAccessLine reads JSON access-log lines and keeps others raw.
func TestParseAccessLine(t *testing.T) {
	r := parseAccessLine(0, `{"requestId":"r1","httpMethod":"GET","path":"/dev/pets","status":"200","responseLatency":"3","ip":"127.0.0.1","apiKeyId":"-"}`)
	if r.RequestID != "r1" || r.Method != "GET" || r.Path != "/dev/pets" || r.Status != "200" || r.Latency != "3" || r.SourceIP != "127.0.0.1" || r.APIKeyID != "" {
		t.Errorf("JSON line: %+v", r)
	}
	if r := parseAccessLine(0, "127.0.0.1 GET /pets 200"); r.RequestID != "" || r.Raw != "127.0.0.1 GET /pets 200" {
		t.Errorf("text line: %+v", r)
	}
}

// TestUsageCharts scales bars to the busiest day and dates them from the
// start date.
func TestUsageCharts(t *testing.T) {
	charts := usageCharts(map[string][][2]int64{"k1": {{0, 10}, {4, 6}, {2, 8}}}, "2026-12-01", map[string]string{"k1": "partner"}, true)
	if len(charts) != 1 || charts[0].Total != 6 || charts[0].KeyName != "partner" || len(charts[0].Bars) != 3 {
		t.Fatalf("charts: %+v", charts)
	}
	bars := charts[0].Bars
	if bars[0].H != 0 || bars[1].H != chartHeight-34 || bars[2].H != (chartHeight-34)/2 || bars[2].Date != "2026-12-03" {
		t.Errorf("bars: %+v", bars)
	}
	if bars[1].Description != "2026-12-02: 4 requests, 6 remaining" {
		t.Errorf("description %q", bars[1].Description)
	}
}

// TestPathMatches fits request paths to resource templates.
func TestPathMatches(t *testing.T) {
	for _, c := range []struct {
		template, path string
		want           bool
	}{
		{"/", "/", true},
		{"/pets", "/pets", true},
		{"/pets", "/pets/1", false},
		{"/pets/{id}", "/pets/1", true},
		{"/pets/{id}", "/pets", false},
		{"/{proxy+}", "/a/b/c", true},
		{"/files/{path+}", "/files/a/b", true},
		{"/files/{path+}", "/files", false},
		{"/", "/pets", false},
	} {
		if got := pathMatches(c.template, c.path); got != c.want {
			t.Errorf("pathMatches(%q, %q) = %v", c.template, c.path, got)
		}
	}
}
