package logs

import (
	"errors"
	"testing"
)

// TestPatterns: each documented pattern form against matching and
// non-matching events
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
func TestPatterns(t *testing.T) {
	const (
		errLine  = `[ERROR] 2026-12-07 request failed: INTERNAL SERVER ERROR (ARGUMENTS missing)`
		warnLine = `[WARN] slow request`
		jsonOK   = `{"requestId":"r-1","status":200,"method":"GET","latency":12.5,"ok":true,"user":null,"tags":["a","b"],"caller":{"ip":"10.0.0.1"}}`
		json500  = `{"requestId":"r-2","status":500,"method":"POST","latency":812,"ok":false,"caller":{"ip":"10.0.0.2"}}`
		spaced   = `127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	)
	all := []string{errLine, warnLine, jsonOK, json500, spaced}
	for _, c := range []struct {
		pattern string
		matches []string
	}{
		{"", all},
		{`" "`, all},
		{"ERROR", []string{errLine}},
		{"ERROR ARGUMENTS", []string{errLine}},
		{"ERROR -ARGUMENTS", nil},
		{"request -ERROR", []string{warnLine, jsonOK, json500}}, // terms match inside words ("requestId") [U]
		{"?ERROR ?WARN", []string{errLine, warnLine}},
		{`"INTERNAL SERVER ERROR"`, []string{errLine}},
		{`"SERVER INTERNAL"`, nil},
		{`"r-2"`, []string{json500}},
		{"error", nil}, // case-sensitive
		{`{ $.status = 500 }`, []string{json500}},
		{`{$.status=500}`, []string{json500}},
		{`{ $.status != 500 }`, []string{jsonOK}},
		{`{ $.status >= 400 }`, []string{json500}},
		{`{ $.latency < 100 }`, []string{jsonOK}},
		{`{ $.method = "PO*" }`, []string{json500}},
		{`{ $.method = GET }`, []string{jsonOK}},
		{`{ $.requestId = "r-*" && $.status = 200 }`, []string{jsonOK}},
		{`{ $.status = 200 || $.method = "POST" }`, []string{jsonOK, json500}},
		{`{ ($.status = 500 || $.status = 404) && $.caller.ip = "10.0.0.2" }`, []string{json500}},
		{`{ $.caller.ip = "10.0.0.*" }`, []string{jsonOK, json500}},
		{`{ $.tags[1] = "b" }`, []string{jsonOK}},
		{`{ $.ok IS TRUE }`, []string{jsonOK}},
		{`{ $.ok IS FALSE }`, []string{json500}},
		{`{ $.user IS NULL }`, []string{jsonOK}},
		{`{ $.user NOT EXISTS }`, []string{json500}},
		{`{ $.caller = "x" }`, nil}, // an object never matches
		{`[ip, user, ..., status=404, bytes]`, []string{spaced}},
		{`[ip, user, ..., status=4*, bytes>1000]`, []string{spaced}},
		{`[ip, user="frank", ...]`, []string{spaced}},
		{`[ip, user, ..., status=5*, bytes]`, nil},
		{`[a, b]`, nil},
	} {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		want := map[string]bool{}
		for _, m := range c.matches {
			want[m] = true
		}
		for _, line := range all {
			if got := p.Match(line); got != want[line] {
				t.Errorf("%q on %.40q: %v, want %v", c.pattern, line, got, want[line])
			}
		}
	}
	for _, bad := range []string{`"open`, `{ $.a = }`, `{ a = 1 }`, `{ $.a > "x" }`, `{ $.a = 1`, `{ ($.a = 1 }`, `[a, ..., ...]`, `{ $.a IS MAYBE }`, `[a, b`} {
		if _, err := Compile(bad); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("%q: %v, want ErrInvalidPattern", bad, err)
		}
	}
}
