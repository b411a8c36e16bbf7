package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const bodyBadRequest = `{"message":"Bad Request"}`

// rawDo sends raw request bytes on a new connection and parses the one
// response (the request should carry Connection: close).
func (dp *dataPlane) rawDo(t testing.TB, raw string) (result, string) {
	t.Helper()
	out := rawRequest(t, hostOf(dp.HTTP), raw, 10*time.Second)
	res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
	if err != nil {
		t.Fatalf("%q: %v: %q", raw[:min(len(raw), 120)], err, out)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}, out
}

// normalizingBackend serves paths the way nginx and most web servers do:
// it decodes the path, takes '\' for '/', drops ";parameters" and resolves
// dot-segments, then answers with the path it resolved. It records every
// request target it receives, as sent.
type normalizingBackend struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newNormalizingBackend(t *testing.T) *normalizingBackend {
	b := &normalizingBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, r.RequestURI)
		b.mu.Unlock()
		p, _, _ := strings.Cut(r.RequestURI, "?")
		for i := 0; i < 3; i++ {
			if d, err := url.PathUnescape(p); err == nil {
				p = d
			}
		}
		p = strings.ReplaceAll(p, "\\", "/")
		segs := strings.Split(p, "/")
		for i, s := range segs {
			segs[i], _, _ = strings.Cut(s, ";")
		}
		resolved := path.Clean("/" + strings.Join(segs, "/"))
		if resolved == "/admin" {
			_, _ = io.WriteString(w, "admin secret")
			return
		}
		_, _ = io.WriteString(w, "served "+resolved)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *normalizingBackend) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.seen...)
}

// TestDataplaneDotSegments: a path with a dot-segment, in any spelling, is
// refused with 400 before routing, so that it cannot reach a backend path
// that another route's checks protect. The attack: /public/{proxy+} is
// open, /admin needs an API key; a backend that resolves dot-segments
// served /public/../admin as /admin, without a key.
func TestDataplaneDotSegments(t *testing.T) {
	dp := startDataPlane(t, "")
	be := newNormalizingBackend(t)
	a := dp.newAPI(t, "dots")
	a.method(t, "/public/{proxy+}", "ANY", map[string]any{"requestParameters": map[string]bool{"method.request.path.proxy": true}})
	a.integration(t, "/public/{proxy+}", "ANY", map[string]any{
		"type": "HTTP_PROXY", "httpMethod": "ANY", "uri": be.URL + "/public/{proxy}",
		"requestParameters": map[string]string{"integration.request.path.proxy": "method.request.path.proxy"},
	})
	a.method(t, "/admin", "GET", map[string]any{"apiKeyRequired": true})
	a.integration(t, "/admin", "GET", map[string]any{"type": "HTTP_PROXY", "httpMethod": "GET", "uri": be.URL + "/admin"})
	// A path parameter mapped from a header: the client chooses it.
	a.method(t, "/files", "GET", map[string]any{"requestParameters": map[string]bool{"method.request.header.X-File": false}})
	a.integration(t, "/files", "GET", map[string]any{
		"type": "HTTP_PROXY", "httpMethod": "GET", "uri": be.URL + "/public/{f}",
		"requestParameters": map[string]string{"integration.request.path.f": "method.request.header.X-File"},
	})
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/public/x"), 200, "served /public/x")
	expect(t, "/admin without a key", dp.do(t, "GET", a.url("s", "/admin"), nil, nil), 403, bodyForbidden)

	host := hostOf(dp.HTTP)
	forms := map[string]func(p string) (target, hostHeader string){
		"path-style": func(p string) (string, string) { return "/_aws/execute-api/" + a.ID + "/s" + p, host },
		"restapis":   func(p string) (string, string) { return "/restapis/" + a.ID + "/s/_user_request_" + p, host },
		"host-based": func(p string) (string, string) { return "/s" + p, a.ID + ".execute-api.localhost" },
	}
	attacks := []string{
		"/public/../admin", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin", "/public/%2e./admin",
		"/public/x/..%2f..%2fadmin", "/public/x/..%2F..%2Fadmin", "/public/..%5cadmin", "/public/..\\admin",
		"/public/%252e%252e/admin", "/public/..%252fadmin", "/public/..;/admin", "/public/..;jsessionid=1/admin",
		"/public/x/../../admin", "/public/./../admin", "/public/%c0%ae%c0%ae/admin", "/public/%u002e%u002e/admin",
		"/public/x/..", "/public/x/.", "/public/%2e", "/../admin", "/./admin",
	}
	before := len(be.requests())
	for name, form := range forms {
		for _, p := range attacks {
			target, hostHeader := form(p)
			// As curl --path-as-is sends it.
			r, _ := dp.rawDo(t, "GET "+target+" HTTP/1.1\r\nHost: "+hostHeader+"\r\nConnection: close\r\n\r\n")
			if r.Status != 400 || r.Body != bodyBadRequest {
				t.Errorf("%s %s: %s, want 400 %s", name, p, r, bodyBadRequest)
			}
			checkIDs(t, name+" "+p, r)
		}
	}
	// Values mapped into the integration path from the request.
	for _, v := range []string{"../admin", "..", ".", "x/../../admin", "..%2Fadmin", "%2e%2e", "..\\admin"} {
		r := dp.do(t, "GET", a.url("s", "/files"), http.Header{"X-File": {v}}, nil)
		expect(t, "X-File "+v, r, 400, bodyBadRequest)
	}
	if got := be.requests()[before:]; len(got) != 0 {
		t.Errorf("the backend received refused requests: %q", got)
	}

	// Ordinary paths, encoded slashes and dots inside names still pass,
	// forwarded as sent.
	for p, want := range map[string]string{
		"/public/a%2Fb":           "/public/a%2Fb",
		"/public/report.v1.pdf":   "/public/report.v1.pdf",
		"/public/.well-known/x":   "/public/.well-known/x",
		"/public/.../x":           "/public/.../x",
		"/public/a..b":            "/public/a..b",
		"/public/%2e%2e%2e/x?q=.": "/public/%2e%2e%2e/x?q=.",
	} {
		target, _ := forms["path-style"](p)
		r, _ := dp.rawDo(t, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
		last := ""
		if seen := be.requests(); len(seen) > 0 {
			last = seen[len(seen)-1]
		}
		if r.Status != 200 || last != want {
			t.Errorf("%s: %s; the backend saw %q last, want %q", p, r, last, want)
		}
	}
	if r := dp.do(t, "GET", a.url("s", "/files"), http.Header{"X-File": {"notes.txt"}}, nil); r.Status != 200 || r.Body != "served /public/notes.txt" {
		t.Errorf("X-File notes.txt: %s", r)
	}
}

// resettingBackend answers with a status line, headers and part of a body,
// then resets the connection (SO_LINGER 0), as a crashing backend does.
// GET /fixed?sent=N&length=L declares Content-Length L and sends N bytes;
// GET /chunked?sent=N sends N bytes in chunks.
func resettingBackend(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				q := req.URL.Query()
				sent, _ := strconv.Atoi(q.Get("sent"))
				body := bytes.Repeat([]byte("x"), sent)
				if req.URL.Path == "/chunked" {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
					for len(body) > 0 {
						n := min(len(body), 8192)
						_, _ = fmt.Fprintf(c, "%x\r\n%s\r\n", n, body[:n])
						body = body[n:]
					}
				} else {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "+q.Get("length")+"\r\n\r\n")
					_, _ = c.Write(body)
				}
				// Let the gateway read what was sent, then reset.
				time.Sleep(300 * time.Millisecond)
				_ = c.(*net.TCPConn).SetLinger(0)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestDataplaneStreamFailure: a backend that resets while its response
// body is on its way. Outside STREAM mode the gateway reads answers whole
// before sending anything (as API Gateway buffers them), so the client
// gets the gateway's 500 wherever the backend broke off. With
// responseTransferMode STREAM, once the status line is out the connection
// is aborted so the client sees an incomplete response (before: an empty
// reply, with no status line at all). Either way the access log and the
// 5XXError metric record a 5xx, and the gateway logs a stream that broke.
func TestDataplaneStreamFailure(t *testing.T) {
	dp := startDataPlane(t, "")
	be := resettingBackend(t)
	a := dp.newAPI(t, "resets")
	for _, c := range []struct{ path, mode string }{{"/{proxy+}", ""}, {"/stream/{proxy+}", "STREAM"}} {
		a.method(t, c.path, "GET", map[string]any{"requestParameters": map[string]bool{"method.request.path.proxy": true}})
		in := map[string]any{
			"type": "HTTP_PROXY", "httpMethod": "GET", "uri": be + "/{proxy}",
			"requestParameters": map[string]string{"integration.request.path.proxy": "method.request.path.proxy"},
		}
		if c.mode != "" {
			in["responseTransferMode"] = c.mode
		}
		a.integration(t, c.path, "GET", in)
	}
	a.deploy(t, "s")
	logPath := filepath.Join(t.TempDir(), "access.log")
	a.patchStage(t, "s", replaceOp("/accessLogSettings/destinationArn", logPath),
		replaceOp("/accessLogSettings/format", `{"requestId":"$context.requestId","status":"$context.status","responseType":"$context.error.responseType"}`))
	// The access-log settings reach the data plane asynchronously: wait
	// until a request is logged before the ones under test.
	eventually(t, "access log on", func() error {
		r := dp.do(t, "GET", a.url("s", "/fixed?sent=5&length=5"), nil, nil)
		if r.Status != 200 || r.Body != "xxxxx" {
			return fmt.Errorf("probe: %s", r)
		}
		id := r.Header.Get("x-amzn-RequestId")
		time.Sleep(250 * time.Millisecond) // the sink flushes every 200 ms
		for _, l := range readAccessLog(t, logPath) {
			if l["requestId"] == id {
				return nil
			}
		}
		return fmt.Errorf("probe %s not logged", id)
	})

	ids := map[string]string{}
	// Read whole: a reset before any body byte or in the middle of the
	// body, declared or chunked, is the gateway's own answer.
	for _, q := range []string{"/fixed?sent=0&length=200000", "/fixed?sent=100000&length=200000", "/chunked?sent=100000"} {
		r := dp.do(t, "GET", a.url("s", q), nil, nil)
		expect(t, "read whole, reset: "+q, r, 500, bodyInternal)
		ids[r.Header.Get("x-amzn-RequestId")] = q
	}
	// STREAM: the status line and the headers go out at once, so a reset
	// after them, or in the middle of the body, breaks the response off.
	broken := 0
	for _, q := range []string{"/stream/fixed?sent=0&length=200000", "/stream/fixed?sent=100000&length=200000", "/stream/chunked?sent=100000"} {
		res, err := dp.Client.Get(a.url("s", q))
		if err != nil {
			t.Errorf("%s: no response at all: %v", q, err)
			continue
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || err == nil || len(b) >= 200000 {
			t.Errorf("%s: %d, %d bytes, error %v: want 200 and an incomplete body", q, res.StatusCode, len(b), err)
		}
		ids[res.Header.Get("x-amzn-RequestId")] = q
		broken++
	}
	// With curl, which reported an empty reply before.
	out := rawRequest(t, hostOf(dp.HTTP), "GET /_aws/execute-api/"+a.ID+"/s/stream/fixed?sent=100000&length=200000 HTTP/1.1\r\nHost: x\r\n\r\n", 10*time.Second)
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || len(out) >= 200000 {
		t.Errorf("raw client: %d bytes %q…", len(out), out[:min(len(out), 40)])
	}
	ids[between(out, "x-amzn-RequestId: ", "\r\n")] = "raw client"
	broken++

	eventually(t, "access log lines", func() error {
		got := map[string]map[string]string{}
		for _, l := range readAccessLog(t, logPath) {
			got[l["requestId"]] = l
		}
		for id, what := range ids {
			l, ok := got[id]
			if !ok {
				return fmt.Errorf("%s: no access log line", what)
			}
			if l["status"] != "500" || l["responseType"] != "API_CONFIGURATION_ERROR" {
				return fmt.Errorf("%s: logged %v, want status 500 API_CONFIGURATION_ERROR", what, l)
			}
		}
		return nil
	})
	m := dp.metrics(t)
	n5xx := m["apigateway_5XXError"+metricLabels("resets", "s", "GET", "/{proxy+}")] +
		m["apigateway_5XXError"+metricLabels("resets", "s", "GET", "/stream/{proxy+}")]
	if n5xx != float64(len(ids)) {
		t.Errorf("5XXError = %v, want %d", n5xx, len(ids))
	}
	if n := strings.Count(dp.Logs(), "response stream failed"); n != broken {
		t.Errorf("%d \"response stream failed\" log lines, want %d:\n%s", n, broken, dp.Logs())
	}
}

// between returns the text of s between the first before and the next after.
func between(s, before, after string) string {
	_, s, _ = strings.Cut(s, before)
	s, _, _ = strings.Cut(s, after)
	return s
}

// TestDataplaneMalformedChunkedBody: a request body whose chunked framing
// breaks off is the client's error: 400, counted as a 4XX, not an
// integration failure (it was a 500 and a 5XX).
func TestDataplaneMalformedChunkedBody(t *testing.T) {
	dp := startDataPlane(t, "")
	be := newTestBackend(t)
	a := dp.newAPI(t, "chunks")
	a.proxy(t, "/p/{proxy+}", "ANY", be.URL+"/{proxy}", nil)
	a.mock(t, "/mock", "POST", `{"ok":true}`)
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/p/sleep?d=0s"), 200, "slept")

	valid := fmt.Sprintf("%x\r\n%s\r\n", 300000, bytes.Repeat([]byte("a"), 300000))
	for _, p := range []string{"/p/upload", "/mock"} {
		for name, body := range map[string]string{
			"bad chunk size":       valid + "zz\r\nabc\r\n0\r\n\r\n",
			"missing chunk CRLF":   valid + "3\r\nabcXY0\r\n\r\n",
			"bad first chunk size": "nothex\r\n" + valid,
		} {
			raw := "POST /_aws/execute-api/" + a.ID + "/s" + p + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n" + body
			r, _ := dp.rawDo(t, raw)
			expect(t, p+": "+name, r, 400, bodyBadRequest)
			checkIDs(t, p+": "+name, r)
		}
	}
	m := dp.metrics(t)
	for _, res := range []string{"/mock"} {
		labels := metricLabels("chunks", "s", "POST", res)
		if m["apigateway_5XXError"+labels] != 0 || m["apigateway_4XXError"+labels] == 0 {
			t.Errorf("%s: 4XX %v, 5XX %v", res, m["apigateway_4XXError"+labels], m["apigateway_5XXError"+labels])
		}
	}
	labels := metricLabels("chunks", "s", "ANY", "/p/{proxy+}")
	if m["apigateway_5XXError"+labels] != 0 {
		t.Errorf("/p/{proxy+}: 5XX %v", m["apigateway_5XXError"+labels])
	}
	if strings.Contains(dp.Logs(), "request failed") {
		t.Errorf("a client's broken body was logged as a failure:\n%s", dp.Logs())
	}
}

// TestDataplaneProtocolEdges: Expect: 100-continue over the body limit,
// header names with a space, HTTP versions other than 1.x.
func TestDataplaneProtocolEdges(t *testing.T) {
	dp := startDataPlane(t, "")
	be := newTestBackend(t)
	a := dp.newAPI(t, "edges")
	a.proxy(t, "/p/{proxy+}", "ANY", be.URL+"/{proxy}", nil)
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/p/sleep?d=0s"), 200, "slept")
	target := "/_aws/execute-api/" + a.ID + "/s/p/echo"

	t.Run("Expect: 100-continue over the limit", func(t *testing.T) {
		// The 413 comes at once, without a 100 Continue first; the client
		// never sends the body.
		out := rawRequest(t, hostOf(dp.HTTP), "PUT "+target+" HTTP/1.1\r\nHost: x\r\nContent-Length: 11534336\r\nExpect: 100-continue\r\n\r\n", 5*time.Second)
		if !strings.HasPrefix(out, "HTTP/1.1 413 ") || strings.Contains(out, "100 Continue") || !strings.HasSuffix(out, bodyTooLarge) {
			t.Errorf("got %q", out)
		}
		if !strings.Contains(out, "x-amzn-RequestId: ") {
			t.Errorf("no x-amzn-RequestId: %q", out)
		}
		// Within the limit: 100 Continue, then the answer once the body is
		// sent.
		c, err := net.Dial("tcp", hostOf(dp.HTTP))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "PUT "+target+" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
		br := bufio.NewReader(c)
		line, _ := br.ReadString('\n')
		if line != "HTTP/1.1 100 Continue\r\n" {
			t.Fatalf("first line %q", line)
		}
		_, _ = br.ReadString('\n')
		_, _ = io.WriteString(c, "hello")
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		if e := decodeEcho(t, "after 100 Continue", result{Status: res.StatusCode, Header: res.Header, Body: string(b)}); e.BodyLen != 5 {
			t.Errorf("the backend got %d bytes", e.BodyLen)
		}
	})

	t.Run("header name with a space", func(t *testing.T) {
		before := be.conns.Load()
		for _, h := range []string{"Bad Name: v", "X-A B: 1", "Transfer Encoding: chunked"} {
			r, _ := dp.rawDo(t, "GET "+target+" HTTP/1.1\r\nHost: x\r\n"+h+"\r\nConnection: close\r\n\r\n")
			expect(t, h, r, 400, bodyBadRequest)
			checkIDs(t, h, r)
		}
		if n := be.conns.Load() - before; n != 0 {
			t.Errorf("the backend was reached (%d connections)", n)
		}
	})

	t.Run("HTTP versions", func(t *testing.T) {
		for _, v := range []string{"HTTP/2.0", "HTTP/9.9", "HTTP/3.0", "HTTP/0.9"} {
			r, _ := dp.rawDo(t, "GET "+target+" "+v+"\r\nHost: x\r\nConnection: close\r\n\r\n")
			expect(t, v, r, 505, `{"message":"HTTP Version Not Supported"}`)
			checkIDs(t, v, r)
		}
		for _, v := range []string{"HTTP/1.1", "HTTP/1.0"} {
			r, _ := dp.rawDo(t, "GET "+target+" "+v+"\r\nHost: x\r\nConnection: close\r\n\r\n")
			if e := decodeEcho(t, v, r); e.URI != "/echo" {
				t.Errorf("%s: the backend saw %q", v, e.URI)
			}
		}
	})
}
