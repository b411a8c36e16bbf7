package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoed is what the echo backend saw.
type echoed struct {
	Method   string      `json:"method"`
	URI      string      `json:"uri"`
	Host     string      `json:"host"`
	Header   http.Header `json:"header"`
	Chunked  bool        `json:"chunked"`
	BodyLen  int64       `json:"bodyLen"`
	BodySHA  string      `json:"bodySha"`
	BodyText string      `json:"body,omitempty"`
}

// testBackend is an HTTP backend for proxy integrations. It counts the
// connections it accepts.
type testBackend struct {
	*httptest.Server
	conns      atomic.Int64
	firstBytes chan struct{} // closed once /upload has read its first MB
	firstOnce  sync.Once
	release    chan struct{} // /slow sends its last chunk once closed
}

func newTestBackend(t *testing.T) *testBackend {
	t.Helper()
	b := &testBackend{firstBytes: make(chan struct{}), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		e := echoed{Method: r.Method, URI: r.RequestURI, Host: r.Host, Header: r.Header, BodyLen: n,
			BodySHA: hex.EncodeToString(h.Sum(nil)), Chunked: len(r.TransferEncoding) > 0}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(e)
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Backend", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("Connection", "X-Hop-Resp")
		w.Header().Set("X-Hop-Resp", "dropped")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, "created")
	})
	mux.HandleFunc("/cors", func(w http.ResponseWriter, r *http.Request) {
		// A backend with CORS headers of its own.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "DELETE")
		_, _ = io.WriteString(w, "cors")
	})
	mux.HandleFunc("/large", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(pattern(n))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first-chunk;")
		w.(http.Flusher).Flush()
		select {
		case <-b.release:
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "last-chunk")
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		first, err := io.CopyN(h, r.Body, 1<<20)
		if err == nil {
			b.firstOnce.Do(func() { close(b.firstBytes) })
		}
		rest, _ := io.Copy(h, r.Body)
		_ = json.NewEncoder(w).Encode(echoed{BodyLen: first + rest, BodySHA: hex.EncodeToString(h.Sum(nil)),
			Chunked: len(r.TransferEncoding) > 0})
	})
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("d"))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "slept")
	})
	b.Server = httptest.NewUnstartedServer(mux)
	b.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			b.conns.Add(1)
		}
	}
	b.Start()
	t.Cleanup(b.Close)
	return b
}

// pattern returns n deterministic bytes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// decodeEcho decodes an echo backend answer.
func decodeEcho(t testing.TB, what string, r result) echoed {
	t.Helper()
	var e echoed
	if r.Status != 200 {
		t.Fatalf("%s: %s", what, r)
	}
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
		t.Fatalf("%s: %v: %s", what, err, r.Body)
	}
	return e
}

// TestDataplaneHTTPProxy: HTTP_PROXY forwards method, path, query and
// headers (minus hop-by-hop), streams bodies both ways, passes the
// backend's status and headers through and reuses upstream connections.
func TestDataplaneHTTPProxy(t *testing.T) {
	dp := startDataPlane(t, "")
	be := newTestBackend(t)
	a := dp.newAPI(t, "proxy")
	a.method(t, "/{proxy+}", "ANY", map[string]any{"requestParameters": map[string]bool{"method.request.path.proxy": true}})
	a.integration(t, "/{proxy+}", "ANY", map[string]any{
		"type": "HTTP_PROXY", "httpMethod": "ANY", "uri": be.URL + "/{proxy}",
		"requestParameters": map[string]string{"integration.request.path.proxy": "method.request.path.proxy"},
	})
	a.proxy(t, "/fixed", "POST", be.URL+"/echo/fixed", nil) // integration method ANY: the client's
	a.deploy(t, "s")
	eventually(t, "proxy deployed", func() error {
		r, err := dp.send(t, "GET", a.url("s", "/echo/x"), nil, nil)
		if err != nil || r.Status != 200 {
			return fmt.Errorf("%v %v", r, err)
		}
		return nil
	})

	t.Run("method path query", func(t *testing.T) {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			e := decodeEcho(t, m, dp.do(t, m, a.url("s", "/echo/a/b%20c?k=1&k=2&e=x%20y&plus=a+b&empty="), nil, nil))
			if e.Method != m || e.URI != "/echo/a/b%20c?k=1&k=2&e=x%20y&plus=a+b&empty=" {
				t.Errorf("%s: backend saw %s %s", m, e.Method, e.URI)
			}
		}
		e := decodeEcho(t, "fixed", dp.do(t, "POST", a.url("s", "/fixed?q=1"), nil, strings.NewReader("hi")))
		if e.Method != "POST" || e.URI != "/echo/fixed?q=1" || e.BodyLen != 2 {
			t.Errorf("fixed URI: backend saw %+v", e)
		}
		// HEAD is proxied too (through ANY): no body, the backend's
		// Content-Length.
		if r := dp.do(t, "HEAD", a.url("s", "/large?n=5000"), nil, nil); r.Status != 200 || r.Body != "" || r.Header.Get("Content-Length") != "5000" {
			t.Errorf("HEAD: %s %v", r, r.Header)
		}
	})

	t.Run("headers", func(t *testing.T) {
		// Raw bytes: a Go client would not send all of these as written.
		raw := "GET /_aws/execute-api/" + a.ID + "/s/echo/hop?x=1 HTTP/1.1\r\n" +
			"Host: " + hostOf(dp.HTTP) + "\r\n" +
			"Connection: close, X-Hop-Custom\r\n" +
			"X-Hop-Custom: secret\r\n" +
			"Keep-Alive: timeout=5\r\n" +
			"TE: trailers\r\n" +
			"Upgrade: websocket\r\n" +
			"Proxy-Authorization: Basic dTpw\r\n" +
			"Trailer: X-T\r\n" +
			"X-Forwarded-For: 10.1.2.3\r\n" +
			"X-Custom: kept\r\n" +
			"x-lower-case: kept too\r\n" +
			"X-Multi: 1\r\n" +
			"X-Multi: 2\r\n" +
			"User-Agent: raw-test\r\n" +
			"\r\n"
		out := rawRequest(t, hostOf(dp.HTTP), raw, 5*time.Second)
		res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
		if err != nil {
			t.Fatalf("%v: %q", err, out)
		}
		body, _ := io.ReadAll(res.Body)
		e := decodeEcho(t, "raw", result{Status: res.StatusCode, Header: res.Header, Body: string(body)})
		for _, h := range []string{"X-Hop-Custom", "Keep-Alive", "Te", "Upgrade", "Proxy-Authorization", "Trailer", "Connection"} {
			if v, ok := e.Header[h]; ok {
				t.Errorf("hop-by-hop header %s reached the backend: %q", h, v)
			}
		}
		if e.Header.Get("X-Custom") != "kept" || e.Header.Get("X-Lower-Case") != "kept too" || e.Header.Get("User-Agent") != "raw-test" {
			t.Errorf("end-to-end headers lost: %v", e.Header)
		}
		if got := e.Header.Values("X-Multi"); strings.Join(got, ",") != "1,2" {
			t.Errorf("X-Multi: %q", got)
		}
		if e.Host != hostOf(be.URL) {
			t.Errorf("Host %q, want the backend's %q", e.Host, hostOf(be.URL))
		}
		if got := e.Header.Get("X-Forwarded-For"); got != "10.1.2.3, 127.0.0.1" {
			t.Errorf("X-Forwarded-For %q", got)
		}
		if e.URI != "/echo/hop?x=1" {
			t.Errorf("URI %q", e.URI)
		}
		// Without an incoming X-Forwarded-For, the client's address.
		e = decodeEcho(t, "xff", dp.do(t, "GET", a.url("s", "/echo/xff"), nil, nil))
		if got := e.Header.Values("X-Forwarded-For"); len(got) != 1 || got[0] != "127.0.0.1" {
			t.Errorf("X-Forwarded-For %q", got)
		}
	})

	t.Run("response status and headers", func(t *testing.T) {
		r := dp.do(t, "GET", a.url("s", "/status"), nil, nil)
		if r.Status != 201 || r.Body != "created" {
			t.Fatalf("status: %s", r)
		}
		if r.Header.Get("X-Backend") != "yes" || strings.Join(r.Header.Values("Set-Cookie"), ",") != "a=1,b=2" ||
			r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("headers not passed through: %v", r.Header)
		}
		if r.Header.Get("X-Hop-Resp") != "" || r.Header.Get("Keep-Alive") != "" {
			t.Errorf("hop-by-hop response headers passed through: %v", r.Header)
		}
		checkIDs(t, "proxy", r)
	})

	t.Run("large response", func(t *testing.T) {
		for _, q := range []string{"n=6000000", "n=6000000&chunked=1"} {
			r := dp.do(t, "GET", a.url("s", "/large?"+q), nil, nil)
			if r.Status != 200 || len(r.Body) != 6000000 || sha([]byte(r.Body)) != sha(pattern(6000000)) {
				t.Errorf("%s: %d, %d bytes", q, r.Status, len(r.Body))
			}
		}
	})

	t.Run("streamed response", func(t *testing.T) {
		res, err := dp.Client.Get(a.url("s", "/slow"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		first := make([]byte, len("first-chunk;"))
		got := make(chan error, 1)
		go func() { _, err := io.ReadFull(res.Body, first); got <- err }()
		select {
		case err := <-got:
			if err != nil || string(first) != "first-chunk;" {
				t.Fatalf("first chunk: %q %v", first, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the first chunk did not arrive before the backend finished: the response is buffered")
		}
		close(be.release)
		rest, err := io.ReadAll(res.Body)
		if err != nil || string(rest) != "last-chunk" {
			t.Errorf("rest: %q %v", rest, err)
		}
	})

	t.Run("streamed 9 MB chunked upload", func(t *testing.T) {
		const size = 9 << 20
		data := pattern(size)
		pr, pw := io.Pipe()
		sawFirst := make(chan bool, 1)
		go func() {
			_, _ = pw.Write(data[:2<<20])
			// The backend reads the first MB while the client still holds
			// the rest: the gateway streams, it does not buffer.
			select {
			case <-be.firstBytes:
				sawFirst <- true
			case <-time.After(5 * time.Second):
				sawFirst <- false
			}
			_, _ = pw.Write(data[2<<20:])
			_ = pw.Close()
		}()
		req, _ := http.NewRequest("POST", a.url("s", "/upload"), pr)
		req.Header.Set("Content-Type", "application/octet-stream")
		res, err := dp.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !<-sawFirst {
			t.Error("the backend did not get the first bytes before the client sent the rest: the request body is buffered")
		}
		var e echoed
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 200 || e.BodyLen != size || e.BodySHA != sha(data) {
			t.Errorf("upload: %d %s (want %d bytes)", res.StatusCode, b, size)
		}
		if !e.Chunked {
			t.Error("an upload of unknown length should reach the backend chunked")
		}
	})

	t.Run("fixed-length upload", func(t *testing.T) {
		data := pattern(3 << 20)
		e := decodeEcho(t, "upload", dp.do(t, "PUT", a.url("s", "/echo/put"), nil, strings.NewReader(string(data))))
		if e.BodyLen != int64(len(data)) || e.BodySHA != sha(data) || e.Header.Get("Content-Length") != strconv.Itoa(len(data)) {
			t.Errorf("upload: %d bytes, Content-Length %q", e.BodyLen, e.Header.Get("Content-Length"))
		}
	})

	t.Run("HTTP/1.0 client", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skip("no curl")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, q := range []string{"n=100000", "n=100000&chunked=1"} {
			out, err := exec.CommandContext(ctx, "curl", "-sS", "--http1.0", "--raw", "-o", "-", "-w", "\n%{http_code} %{size_download}",
				a.url("s", "/large?"+q)).Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			s := string(out)
			i := strings.LastIndexByte(s, '\n')
			if tail := s[i+1:]; tail != "200 100000" || s[:i] != string(pattern(100000)) {
				t.Errorf("HTTP/1.0 %s: %s (body intact: %v): %q", q, tail, s[:i] == string(pattern(100000)), s[:min(len(s), 20)])
			}
		}
	})

	t.Run("curl uploads", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skip("no curl")
		}
		dir := t.TempDir()
		for _, c := range []struct {
			name string
			size int
			args []string
		}{
			// -T sends Content-Length and "Expect: 100-continue".
			{"PUT with Expect: 100-continue", 9 << 20, []string{"-T"}},
			{"POST chunked", 9 << 20, []string{"-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream", "--data-binary"}},
			{"PUT over the limit", 11 << 20, []string{"-T"}},
			{"POST chunked over the limit", 11 << 20, []string{"-H", "Transfer-Encoding: chunked", "--data-binary"}},
		} {
			data := pattern(c.size)
			file := filepath.Join(dir, "body")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			ref := file
			if c.args[len(c.args)-1] == "--data-binary" {
				ref = "@" + file
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			args := append([]string{"-sS", "-w", "\n%{http_code}"}, c.args...)
			out, err := exec.CommandContext(ctx, "curl", append(args, ref, a.url("s", "/upload"))...).CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("%s: curl: %v: %s", c.name, err, out)
				continue
			}
			s := string(out)
			i := strings.LastIndexByte(s, '\n')
			body, code := s[:i], s[i+1:]
			if c.size > 10<<20 {
				if code != "413" || body != bodyTooLarge {
					t.Errorf("%s: %s %q", c.name, code, body[:min(len(body), 200)])
				}
				continue
			}
			var e echoed
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != "200" || e.BodyLen != int64(c.size) || e.BodySHA != sha(data) {
				t.Errorf("%s: %s %q", c.name, code, body[:min(len(body), 200)])
			}
		}
	})

	t.Run("upstream keep-alive", func(t *testing.T) {
		before := be.conns.Load()
		for i := 0; i < 50; i++ {
			r := dp.do(t, "GET", a.url("s", "/echo/ka"), nil, nil)
			if r.Status != 200 {
				t.Fatalf("request %d: %s", i, r)
			}
		}
		if n := be.conns.Load() - before; n > 5 {
			t.Errorf("50 sequential requests opened %d backend connections; upstream connections are not reused", n)
		}
	})
}

// TestDataplaneProxyStageVariable: an integration URI with
// ${stageVariables.host} follows UpdateStage without a redeployment.
func TestDataplaneProxyStageVariable(t *testing.T) {
	dp := startDataPlane(t, "")
	one := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "one "+r.URL.Path)
	}))
	defer one.Close()
	two := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "two "+r.URL.Path)
	}))
	defer two.Close()
	a := dp.newAPI(t, "stagevar")
	a.proxy(t, "/svc", "GET", "http://${stageVariables.host}/${stageVariables.prefix}/svc", nil)
	a.deploy(t, "s")
	a.patchStage(t, "s", replaceOp("/variables/host", hostOf(one.URL)), replaceOp("/variables/prefix", "v1"))
	dp.waitFor(t, a.url("s", "/svc"), 200, "one /v1/svc")
	a.patchStage(t, "s", replaceOp("/variables/host", hostOf(two.URL)))
	dp.waitFor(t, a.url("s", "/svc"), 200, "two /v1/svc")
}
