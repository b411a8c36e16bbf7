package rest

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/router"
)

// Values a test invocation shows where a real request has the caller's
// ("test-invoke-stage", "test-invoke-api-key", "testPrefix.testDomainName"
// in Lambda events of console tests [C]; API Gateway Developer Guide,
// "Use the API Gateway console to test a REST API method").
const (
	TestStageName  = "test-invoke-stage"
	testDomainName = "testPrefix.testDomainName"
	testAPIKey     = "test-invoke-api-key"
	testAPIKeyID   = "test-invoke-api-key-id"
)

// TestRequest is a TestInvokeMethod request: the method request as the
// caller describes it.
type TestRequest struct {
	// PathWithQueryString is the path within the stage with its query
	// string; "" means the resource's own path template, taken literally
	// [V: recorded TestInvokeMethod "no-path" case].
	PathWithQueryString string
	// Headers are the request headers in the order given, names repeated
	// for several values.
	Headers [][2]string
	Body    []byte
	// Context are $context values for the request's sources
	// (TestInvokeAuthorizer's additionalContext), by name with or
	// without "context." / "$context.".
	Context map[string]string
}

// TestResult is what a test invocation answers (TestInvokeMethodResponse).
type TestResult struct {
	Status int
	Body   []byte
	// Headers are the method response's headers in the order set,
	// without Content-Length [V].
	Headers [][2]string
	// Log is the execution log: "Execution log for request {id}" then one
	// "{date} : {line}" per line, each ending in "\n" [V].
	Log     string
	Latency time.Duration
}

// FindRoute returns the compiled method of a resource (nil when the
// deployment has none).
func (d *Deployment) FindRoute(resourceID, httpMethod string) *Route {
	for _, r := range d.RouteList {
		if r.ResourceID == resourceID && r.HTTPMethod == httpMethod {
			return r
		}
	}
	return nil
}

// TestInvoke runs one request through route r of st's deployment the way
// TestInvokeMethod does: the method request's validation, the integration
// and the method response really run; the stage's admission checks, web
// ACL, throttles, authorization, API keys and usage plans and the stage
// cache do not (reference: LocalStack's test-invoke chain [L]; what AWS
// skips is U), and nothing is written to access logs, execution logs or
// metrics. The path is not checked against the resource: one that does
// not match it gives the method no path parameters [V].
func (st *Stage) TestInvoke(ctx context.Context, r *Route, tr *TestRequest) *TestResult {
	path := tr.PathWithQueryString
	if path == "" {
		path = r.ResourcePath
	}
	x, resp := st.testExchange(ctx, r.HTTPMethod, path, tr)
	st.testMatch(x, r, x.StagePath)
	tracer := &traceResponse{Response: x.Resp}
	x.Resp, x.exec = tracer, &execTrace{resp: tracer, endpoints: true}
	if err := testRun(x); err != nil {
		st.fail(x, err)
		if x.failure == "" {
			x.failure = failureText(pipeline.FailureOf(err).Cause)
		}
		// A gateway response shows only x-amzn-ErrorType in a test
		// invocation's headers [V: recorded failed TestInvokeMethod].
		resp.DelHeader("Content-Type")
	}
	_, _ = x.End() // streams are read whole as they are set
	x.Settle()
	latency := time.Since(x.Start)
	lines := execLines(x, ExecSetting{Level: ExecInfo, DataTrace: true, Mock: r.Mock}, true)
	out := &TestResult{Status: resp.status, Body: resp.body, Log: TestLog(x.RequestID, x.Start, lines), Latency: latency}
	for _, h := range resp.headers {
		if !strings.EqualFold(h[0], "Content-Length") {
			out.Headers = append(out.Headers, h)
		}
	}
	return out
}

// TestExchange prepares the exchange of a test invocation of an
// authorizer (TestInvokeAuthorizer): tr as a GET request, on a method of
// a resource whose path is the request's [T: reference §5].
func (st *Stage) TestExchange(ctx context.Context, tr *TestRequest) *Exchange {
	x, _ := st.testExchange(ctx, "GET", tr.PathWithQueryString, tr)
	x.Route = &pipeline.RouteInfo{ResourceID: "test-invoke-resource-id", ResourcePath: x.StagePath, HTTPMethod: "GET"}
	if len(tr.Context) > 0 {
		x.testContext = make(map[string]string, len(tr.Context))
		for k, v := range tr.Context {
			k = strings.TrimPrefix(strings.TrimPrefix(k, "$"), "context.")
			x.testContext[k] = v
		}
	}
	return x
}

// testExchange builds the exchange of a test invocation of method on
// pathWithQuery ("": the root).
func (st *Stage) testExchange(ctx context.Context, method, pathWithQuery string, tr *TestRequest) (*Exchange, *testResponse) {
	path, query, _ := strings.Cut(pathWithQuery, "?")
	if path == "" {
		path = "/"
	}
	req := &testRequest{method: method, path: path, query: query, headers: tr.Headers, body: tr.Body}
	resp := &testResponse{status: 200}
	x := &Exchange{}
	x.stage, x.Stage = st, &st.StageInfo
	x.Ctx, x.Req, x.Resp = ctx, req, resp
	x.Start = time.Now()
	x.RequestID, x.ExtendedID = pipeline.NewRequestIDs()
	x.Address = pipeline.Address{DomainName: testDomainName, APIID: st.APIID, StageName: st.Name,
		StagePath: path, RawStagePath: path}
	x.Deployment, x.DeploymentID = st.Deployment, st.Deployment.ID
	x.Auth.APIKey, x.Auth.APIKeyID = testAPIKey, testAPIKeyID
	x.Begin(x)
	return x, resp
}

// TestLog renders the lines of a test invocation's execution log as
// TestInvokeMethod and TestInvokeAuthorizer answer it: a first line
// "Execution log for request {id}", then each line dated, each ending in
// a newline [V].
func TestLog(requestID string, at time.Time, lines []string) string {
	var b strings.Builder
	b.WriteString("Execution log for request " + requestID + "\n")
	date := at.UTC().Format(javaDate)
	for _, l := range lines {
		b.WriteString(date + " : " + l + "\n")
	}
	return b.String()
}

// javaDate is Java's Date.toString() in UTC, as execution logs of test
// invocations date their lines ("Mon Sep 29 19:28:50 UTC 2025" [V]).
const javaDate = "Mon Jan 02 15:04:05 UTC 2006"

// testMatch routes x to r: the path's parameters when the path leads to r,
// else none [V].
func (st *Stage) testMatch(x *Exchange, r *Route, path string) {
	verb, _ := router.ParseVerb(r.HTTPMethod)
	if !st.Deployment.Routes.Lookup(verb, path, &x.Match) || x.Match.Route != r {
		x.Match = router.Match[Route]{}
	}
	x.Match.Route, x.Match.Resource = r, r.ResourcePath
	x.Route = &r.RouteInfo
}

// testRun is the part of the pipeline a test invocation runs.
func testRun(x *Exchange) error {
	if x.Req.ContentLength() > pipeline.MaxBody {
		return pipeline.ErrTooLarge
	}
	if _, err := x.ReadBody(); err != nil {
		return err
	}
	r := x.Match.Route
	if r.Validator != nil {
		if err := r.Validator.Validate(x); err != nil {
			return err
		}
	}
	return invoke(x)
}

// testRequest is a test invocation's method request.
type testRequest struct {
	method, path, query string
	headers             [][2]string
	body                []byte
	reader              bytes.Reader
}

func (r *testRequest) Method() string   { return r.method }
func (r *testRequest) Host() string     { return testDomainName }
func (r *testRequest) Path() string     { return r.path }
func (r *testRequest) RawQuery() string { return r.query }
func (r *testRequest) Protocol() string { return "HTTP/1.1" }
func (r *testRequest) TLS() bool        { return true }

func (r *testRequest) Header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (r *testRequest) VisitHeaders(fn func(name, value []byte)) {
	for _, h := range r.headers {
		fn([]byte(h[0]), []byte(h[1]))
	}
}

func (r *testRequest) RemoteAddr() netip.AddrPort {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
}

func (r *testRequest) ContentLength() int64 { return int64(len(r.body)) }

func (r *testRequest) Body() io.Reader {
	r.reader.Reset(r.body)
	return &r.reader
}

// testResponse records the method response; a streamed body is read
// whole when it is set.
type testResponse struct {
	status  int
	headers [][2]string
	body    []byte
}

func (w *testResponse) SetStatus(code int) { w.status = code }
func (w *testResponse) Status() int        { return w.status }

func (w *testResponse) SetHeader(name, value string) {
	w.DelHeader(name)
	w.headers = append(w.headers, [2]string{name, value})
}

func (w *testResponse) AddHeader(name, value string) {
	w.headers = append(w.headers, [2]string{name, value})
}

func (w *testResponse) DelHeader(name string) {
	w.headers = slices.DeleteFunc(w.headers, func(h [2]string) bool { return strings.EqualFold(h[0], name) })
}

func (w *testResponse) SetBody(b []byte) { w.body = append(w.body[:0], b...) }

func (w *testResponse) SetBodyStream(r io.Reader, _ int) {
	b, _ := io.ReadAll(io.LimitReader(r, maxTestBody))
	if c, ok := r.(io.Closer); ok {
		_ = c.Close()
	}
	w.body = b
}

func (w *testResponse) BodySize() int { return len(w.body) }

// ResponseHeader implements pipeline.ResponseHeaders.
func (w *testResponse) ResponseHeader(name string) string {
	for _, h := range w.headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// maxTestBody bounds a streamed response body a test invocation keeps
// (API Gateway's response payload limit, 10 MB).
const maxTestBody = 10 << 20

var (
	_ pipeline.Request         = (*testRequest)(nil)
	_ pipeline.Response        = (*testResponse)(nil)
	_ pipeline.ResponseHeaders = (*testResponse)(nil)
)
