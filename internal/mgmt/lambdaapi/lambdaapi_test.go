package lambdaapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/lambdaapi"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// zips holds the deployment packages of testdata/functions, built once.
var zips = map[string][]byte{}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "tollgate-lambdaapi-fns")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// streamer (the runtime's test function that answers in the
	// streaming response mode) is built from the runtime's test data.
	cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", dir+string(filepath.Separator), "./testdata/functions/...",
		"../../lambda/runtime/testdata/functions/streamer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the test functions: %v\n%s", err, out)
		os.Exit(1)
	}
	for _, name := range []string{"echo", "fail", "streamer"} {
		bin, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		zips[name] = zipOf(bin)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func zipOf(bin []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	_, _ = w.Write(bin)
	_ = zw.Close()
	return buf.Bytes()
}

var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// server is the management server with the Lambda operations only, no
// authentication, on a fresh store.
func server(t testing.TB) http.Handler {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := lambda.New(lambda.Config{Store: st, CodeDir: filepath.Join(dir, "lambda"), Region: "us-east-1",
		AccountID: "000000000000", Now: func() time.Time { return fixedNow }})
	t.Cleanup(func() { _ = svc.Close() })
	api := lambdaapi.New(lambdaapi.Config{Functions: svc, Region: "us-east-1", AccountID: "000000000000"})
	return mgmt.New(mgmt.Config{Services: []mgmt.Registrar{api}, Logger: slog.New(slog.DiscardHandler)})
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func do(h http.Handler, method, path string, header map[string]string, body []byte) response {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

func header(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

type step struct {
	name   string
	method string
	path   string
	header map[string]string
	body   any // JSON-encoded unless []byte
}

const fnPath = "/2015-03-31/functions"

func createBody(name, zipName string, extra map[string]any) map[string]any {
	zip := zips[zipName]
	if zip == nil {
		zip = []byte("PK\x05\x06") // requests refused before their code is read
	}
	b := map[string]any{"FunctionName": name, "Role": "arn:aws:iam::000000000000:role/lambda", "Runtime": "provided.al2023",
		"Handler": "bootstrap", "Code": map[string]any{"ZipFile": zip}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// scenario calls every operation (and the main error shapes) once.
func scenario() []step {
	return []step{
		{"CreateFunction", "POST", fnPath, nil, createBody("echo", "echo", map[string]any{
			"Description": "echoes", "Timeout": 5, "MemorySize": 256,
			"Environment": map[string]any{"Variables": map[string]string{"COLOR": "blue"}}, "Tags": map[string]string{"team": "a"}})},
		{"CreateFunction-fail", "POST", fnPath, nil, createBody("fail", "fail", nil)},
		{"GetFunction", "GET", fnPath + "/echo", nil, nil},
		{"GetFunctionConfiguration", "GET", fnPath + "/arn:aws:lambda:us-east-1:000000000000:function:echo/configuration", nil, nil},
		{"ListFunctions", "GET", fnPath + "?MaxItems=1", nil, nil},
		{"ListFunctions-page2", "GET", fnPath + "/?MaxItems=1&Marker=ZWNobw", nil, nil},
		{"UpdateFunctionConfiguration", "PUT", fnPath + "/echo/configuration", nil, map[string]any{"Timeout": 9, "Description": "still echoes"}},
		{"UpdateFunctionCode", "PUT", fnPath + "/echo/code", nil, map[string]any{"ZipFile": zips["echo"]}},
		{"Invoke", "POST", fnPath + "/echo/invocations", nil, []byte(`{"hello":"world"}`)},
		{"Invoke-FunctionError", "POST", fnPath + "/fail/invocations", nil, []byte(`{"message":"no"}`)},
		{"Invoke-Event", "POST", fnPath + "/echo/invocations", map[string]string{"X-Amz-Invocation-Type": "Event"}, []byte(`{}`)},
		{"Invoke-DryRun", "POST", fnPath + "/echo/invocations", map[string]string{"X-Amz-Invocation-Type": "DryRun"}, nil},
		{"PutFunctionConcurrency", "PUT", "/2017-10-31/functions/fail/concurrency", nil, map[string]any{"ReservedConcurrentExecutions": 0}},
		{"GetFunctionConcurrency", "GET", "/2019-09-30/functions/fail/concurrency", nil, nil},
		{"Invoke-Throttled", "POST", fnPath + "/fail/invocations", nil, []byte(`{}`)},
		{"DeleteFunctionConcurrency", "DELETE", "/2017-10-31/functions/fail/concurrency", nil, nil},

		{"PublishVersion", "POST", fnPath + "/echo/versions", nil, map[string]any{"Description": "first"}},
		{"PublishVersion-Unchanged", "POST", fnPath + "/echo/versions", nil, nil},
		{"PublishVersion-WrongCodeSha256", "POST", fnPath + "/echo/versions", nil, map[string]any{"CodeSha256": "nope"}},
		{"PublishVersion-WrongRevision", "POST", fnPath + "/echo/versions", nil, map[string]any{"RevisionId": "stale"}},
		{"ListVersionsByFunction", "GET", fnPath + "/echo/versions", nil, nil},
		{"GetFunction-Version", "GET", fnPath + "/echo?Qualifier=1", nil, nil},
		{"CreateAlias", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "live", "FunctionVersion": "1", "Description": "prod"}},
		{"CreateAlias-Exists", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "live", "FunctionVersion": "1"}},
		{"CreateAlias-NumericName", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "2024", "FunctionVersion": "1"}},
		{"CreateAlias-MissingVersion", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "next", "FunctionVersion": "10"}},
		{"CreateAlias-TwoWeights", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "next", "FunctionVersion": "1",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{"2": 0.2, "3": 0.1}}}},
		{"CreateAlias-WeightTooHigh", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "next", "FunctionVersion": "1",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{"2": 2}}}},
		{"CreateAlias-WeightedLatest", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "next", "FunctionVersion": "$LATEST",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{"1": 0.5}}}},
		{"CreateAlias-WeightOnItsVersion", "POST", fnPath + "/echo/aliases", nil, map[string]any{"Name": "next", "FunctionVersion": "1",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]any{"1": 0.5}}}},
		{"GetAlias", "GET", fnPath + "/echo/aliases/live", nil, nil},
		{"GetAlias-NotFound", "GET", fnPath + "/echo/aliases/nope", nil, nil},
		{"UpdateAlias", "PUT", fnPath + "/echo/aliases/live", nil, map[string]any{"Description": "still prod"}},
		{"UpdateAlias-NotFound", "PUT", fnPath + "/echo/aliases/nope", nil, map[string]any{"FunctionVersion": "1"}},
		{"ListAliases", "GET", fnPath + "/echo/aliases?FunctionVersion=1", nil, nil},
		{"GetFunctionConfiguration-Alias", "GET", fnPath + "/echo:live/configuration", nil, nil},
		{"Invoke-Alias", "POST", fnPath + "/echo:live/invocations", nil, []byte(`{"via":"alias"}`)},
		{"Invoke-Version", "POST", fnPath + "/echo/invocations?Qualifier=1", nil, []byte(`{"via":"version"}`)},
		{"DeleteFunction-VersionInUse", "DELETE", fnPath + "/echo?Qualifier=1", nil, nil},
		{"DeleteFunction-Alias", "DELETE", fnPath + "/echo?Qualifier=live", nil, nil},
		{"DeleteAlias", "DELETE", fnPath + "/echo/aliases/live", nil, nil},
		{"DeleteFunction-Version", "DELETE", fnPath + "/echo?Qualifier=1", nil, nil},
		{"DeleteFunction-VersionAgain", "DELETE", fnPath + "/echo?Qualifier=1", nil, nil},

		{"GetFunction-NotFound", "GET", fnPath + "/nope", nil, nil},
		{"Invoke-NotFoundQualifier", "POST", fnPath + "/echo/invocations?Qualifier=3", nil, []byte(`{}`)},
		{"GetFunction-OtherRegion", "GET", fnPath + "/arn:aws:lambda:eu-west-1:000000000000:function:echo", nil, nil},
		{"CreateFunction-Conflict", "POST", fnPath, nil, createBody("echo", "", nil)},
		{"CreateFunction-ReservedEnv", "POST", fnPath, nil, createBody("env", "", map[string]any{
			"Environment": map[string]any{"Variables": map[string]string{"AWS_REGION": "x", "_HANDLER": "y", "OK": "z"}}})},
		{"CreateFunction-Validation", "POST", fnPath, nil, createBody("val", "", map[string]any{"Timeout": 0, "MemorySize": 10241, "Role": "r1"})},
		{"CreateFunction-Runtime", "POST", fnPath, nil, createBody("rt", "", map[string]any{"Runtime": "cobol"})},
		{"CreateFunction-DeprecatedRuntime", "POST", fnPath, nil, createBody("rt", "", map[string]any{"Runtime": "go1.x"})},
		{"CreateFunction-BadZip", "POST", fnPath, nil, map[string]any{"FunctionName": "z", "Role": "arn:aws:iam::000000000000:role/lambda",
			"Code": map[string]any{"ZipFile": []byte("not a zip")}}},
		{"GetFunction-InvalidName", "GET", fnPath + "/bad%20name", nil, nil},
		{"Invoke-InvalidType", "POST", fnPath + "/echo/invocations", map[string]string{"X-Amz-Invocation-Type": "Later"}, []byte(`{}`)},
		{"Invoke-InvalidPayload", "POST", fnPath + "/echo/invocations", nil, []byte(`{"a":`)},
		{"Invoke-PayloadTooLarge", "POST", fnPath + "/echo/invocations", nil, []byte(`"` + strings.Repeat("a", 6<<20) + `"`)},
		{"UpdateFunctionConfiguration-StaleRevision", "PUT", fnPath + "/echo/configuration", nil, map[string]any{"RevisionId": "stale"}},
		{"DeleteFunction-Latest", "DELETE", fnPath + "/echo?Qualifier=$LATEST", nil, nil},

		{"DeleteFunction", "DELETE", fnPath + "/echo", nil, nil},
		{"DeleteFunction-Again", "DELETE", fnPath + "/echo", nil, nil},
	}
}

type golden struct {
	Operation string            `json:"operation"`
	Request   string            `json:"request"`
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
}

// Values that vary between runs (ids, hashes of built binaries, paths).
var scrub = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"RevisionId": "[^"]*"`), `"RevisionId": "<revision-id>"`},
	{regexp.MustCompile(`"CodeSha256": "[^"]*"`), `"CodeSha256": "<code-sha256>"`},
	{regexp.MustCompile(`current CodeSHA256 in \$LATEST \([^)]*\)`), `current CodeSHA256 in $$LATEST (<code-sha256>)`},
	{regexp.MustCompile(`"CodeSize": \d+`), `"CodeSize": "<code-size>"`},
	{regexp.MustCompile(`"Location": "[^"]*"`), `"Location": "<location>"`},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), `<uuid>`},
}

// TestGolden pins each operation's response (status, AWS headers, body) in
// testdata/golden. Run with -update after an intentional change and review
// the diff.
func TestGolden(t *testing.T) {
	h := server(t)
	seen := map[string]bool{}
	for i, st := range scenario() {
		if seen[st.name] {
			t.Fatalf("duplicate step %s", st.name)
		}
		seen[st.name] = true
		var body []byte
		switch b := st.body.(type) {
		case nil:
		case []byte:
			body = b
		default:
			body, _ = json.Marshal(b)
		}
		res := do(h, st.method, st.path, st.header, body)
		g := golden{Operation: strings.SplitN(st.name, "-", 2)[0], Request: st.method + " " + st.path, Status: res.Status, Headers: map[string]string{}}
		for _, k := range []string{"Content-Type", "x-amzn-ErrorType", "X-Amz-Function-Error", "X-Amz-Executed-Version"} {
			if v := header(res.Header, k); v != "" {
				g.Headers[k] = v
			}
		}
		if header(res.Header, "x-amzn-RequestId") == "" {
			t.Errorf("%s: no x-amzn-RequestId", st.name)
		}
		if len(res.Body) > 0 {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, res.Body, "", "  "); err != nil {
				t.Fatalf("%s: body is not JSON: %s", st.name, res.Body)
			}
			g.Body = pretty.Bytes()
		}
		got, _ := json.MarshalIndent(g, "", "  ")
		for _, s := range scrub {
			got = s.re.ReplaceAll(got, []byte(s.with))
		}
		got = append(got, '\n')
		file := filepath.Join("testdata", "golden", fmt.Sprintf("%02d-%s.json", i, st.name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./internal/mgmt/lambdaapi -run TestGolden -update)", st.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", st.name, file, got, want)
		}
	}
}

// TestInvokeLogTail: X-Amz-Log-Type: Tail returns the invocation's log,
// base64, as Lambda formats it; its request id is the response's.
func TestInvokeLogTail(t *testing.T) {
	h := server(t)
	if res := do(h, "POST", fnPath, nil, mustJSON(createBody("echo", "echo", nil))); res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res := do(h, "POST", fnPath+"/echo/invocations", map[string]string{"X-Amz-Log-Type": "Tail"}, []byte(`{"a":1}`))
	logs, err := base64.StdEncoding.DecodeString(header(res.Header, "X-Amz-Log-Result"))
	id := header(res.Header, "x-amzn-RequestId")
	re := regexp.MustCompile(`^START RequestId: ` + id + ` Version: \$LATEST\necho: 7 bytes\nEND RequestId: ` + id +
		`\nREPORT RequestId: ` + id + `\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t(Max Memory Used: \d+ MB\t)?(Init Duration: [\d.]+ ms\t)?\n$`)
	if res.Status != 200 || err != nil || !re.Match(logs) {
		t.Errorf("Invoke with a log tail: %d %v\n%q", res.Status, err, logs)
	}
	// Without Tail, no log.
	res = do(h, "POST", fnPath+"/echo/invocations", nil, []byte(`{}`))
	if header(res.Header, "X-Amz-Log-Result") != "" {
		t.Errorf("a log tail without X-Amz-Log-Type: Tail")
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzLambdaAPI: no request, however malformed, makes the Lambda
// operations fail with a 5xx or answer an error without AWS's shape.
func FuzzLambdaAPI(f *testing.F) {
	for _, st := range scenario() {
		var body []byte
		switch b := st.body.(type) {
		case nil:
		case []byte:
			if len(b) < 4096 {
				body = b
			}
		default:
			if m, ok := b.(map[string]any); ok {
				if c, ok := m["Code"].(map[string]any); ok {
					c["ZipFile"] = []byte("PK\x03\x04")
				}
			}
			body, _ = json.Marshal(b)
		}
		f.Add(st.method, st.path, string(body), st.header["X-Amz-Invocation-Type"])
	}
	h := server(f)
	f.Fuzz(func(t *testing.T, method, path, body, invType string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") || !regexp.MustCompile(`^[A-Z]{1,10}$`).MatchString(method) {
			return // not a request a client can send: nothing to check
		}
		if strings.Contains(path, "/invocations") && invType != "Event" && invType != "DryRun" {
			invType = "DryRun" // keep the fuzzer from starting functions
		}
		req, err := http.NewRequest(method, "http://x"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a client can send
		}
		if invType != "" && !strings.ContainsAny(invType, "\r\n") {
			req.Header.Set("X-Amz-Invocation-Type", invType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, res.StatusCode, rec.Body.Bytes())
		}
		if res.StatusCode >= 400 {
			var doc map[string]any
			if header(res.Header, "x-amzn-ErrorType") == "" || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
				t.Fatalf("%s %s: error without AWS's shape: %d %v %s", method, path, res.StatusCode, res.Header, rec.Body.Bytes())
			}
		}
	})
}
