package proxyevent

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"
)

// hdrs is a HeaderSource over name/value pairs in order.
type hdrs [][2]string

func (h hdrs) VisitHeaders(fn func(name, value []byte)) {
	for _, kv := range h {
		fn([]byte(kv[0]), []byte(kv[1]))
	}
}

// byteHdrs is a HeaderSource that, like an engine, hands out its own
// buffers (no conversion per visit).
type byteHdrs [][2][]byte

func (h byteHdrs) VisitHeaders(fn func(name, value []byte)) {
	for _, kv := range h {
		fn(kv[0], kv[1])
	}
}

func toBytes(h hdrs) byteHdrs {
	out := make(byteHdrs, len(h))
	for i, kv := range h {
		out[i] = [2][]byte{[]byte(kv[0]), []byte(kv[1])}
	}
	return out
}

// params is a Params over name/value pairs.
type params [][2]string

func (p params) Len() int                  { return len(p) }
func (p params) At(i int) (string, string) { return p[i][0], p[i][1] }
func (p params) get(name string) (string, bool) {
	for _, kv := range p {
		if kv[0] == name {
			return kv[1], true
		}
	}
	return "", false
}

// t1 is 04/Mar/2020:19:03:58.390 UTC (the timeEpoch of AWS's documented
// example, whose "time" text is from another day).
var t1 = time.UnixMilli(1583348638390)

// baseRequest is a GET through a named stage with the usual gateway headers.
func baseRequest() *Request {
	return &Request{
		Method:         "GET",
		RawPath:        "/dev/pets/7",
		RawQuery:       "",
		Headers:        hdrs{{"Host", "abc123.execute-api.us-east-1.amazonaws.com"}, {"User-Agent", "curl/8.5.0"}, {"Accept", "*/*"}},
		SourceIP:       "192.0.2.1",
		ForwardedProto: "https",
		ForwardedPort:  "443",
		TraceID:        "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
		RouteKey:       "GET /pets/{id}",
		Stage:          "dev",
		PathParams:     params{{"id", "7"}},
		RequestID:      "JKJaXmPLvHcESHA=",
		Time:           t1,
		DomainName:     "abc123.execute-api.us-east-1.amazonaws.com",
		AccountID:      "123456789012",
		APIID:          "abc123",
	}
}

// decode unmarshals JSON into a generic value, failing on invalid JSON.
func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("invalid JSON %s: %v\n%s", b, err, debug.Stack())
	}
	return m
}

// strict unmarshals b into v, rejecting members v does not know.
func strict(t testing.TB, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, b)
	}
}

// at returns the value at a dotted path ("requestContext.http.method").
func at(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// keyPaths lists every object member path of v ("a", "a.b", ...); array
// elements are not descended into. Values of maps whose keys are data
// (headers, claims, ...) are summarised by the map's own path.
func keyPaths(v any, prefix string, dataMaps map[string]bool, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, c := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out[p] = true
		if !dataMaps[p] {
			keyPaths(c, p, dataMaps, out)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// testdata reads one of aws-lambda-go's captured events from the module
// cache (the module is a dependency of this repository).
func testdata(t *testing.T, name string) []byte {
	t.Helper()
	dir := lambdaGoDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "events", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lambdaGoDir is aws-lambda-go's directory in the module cache (the module
// is a dependency of this repository, so it is there after a build).
func lambdaGoDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("locating aws-lambda-go (go mod download github.com/aws/aws-lambda-go): %v", err)
	}
	return dir
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
