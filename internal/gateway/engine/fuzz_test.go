package engine_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/tollgate/tollgate/internal/gateway/engine"
	"github.com/tollgate/tollgate/internal/model"
)

// FuzzDataPlane feeds raw bytes — request lines, headers, bodies, chunked
// or not, several requests on one connection — through the engine and the
// pipeline to an API whose routes proxy to a recording backend, and checks
// that
//
//   - nothing panics and every connection ends (no hang),
//   - no answer is a 5xx (but 505 for an HTTP version other than 1.x):
//     nothing here can fail but the client's input, and a malformed
//     request is the client's error,
//   - the backend never receives a path with a dot-segment under any
//     reading (decoded, with '\' or ";parameters"), and
//   - every request the backend receives was answered to the client (no
//     request smuggled past the gateway's own parsing).
//
// The seed corpus is testdata/fuzz/FuzzDataPlane; `go test` runs it.
func FuzzDataPlane(f *testing.F) {
	fz := newFuzzGateway(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, received := fz.exchange(t, raw)
		for _, m := range statusLine.FindAllSubmatch(out, -1) {
			// 505 is the answer RFC 9110 §15.6.6 prescribes for an HTTP
			// major version the server does not implement: the client's.
			if m[1][0] == '5' && string(m[1]) != "505" {
				t.Fatalf("a 5xx for the input:\n%q\nanswer:\n%q", raw, out)
			}
		}
		for _, r := range received {
			if readsAsDotSegment(r.path) {
				t.Fatalf("the backend received %q, a path with a dot-segment, for the input:\n%q", r.path, raw)
			}
			if !bytes.Contains(out, []byte("X-Backend-Id: "+strconv.Itoa(r.id)+"\r\n")) {
				t.Fatalf("the backend received %s %q, which the client got no answer to, for the input:\n%q\nanswer:\n%q", r.method, r.path, raw, out)
			}
		}
	})
}

// statusLine finds every response's status line, also those that follow
// a body on the same line (pipelined responses): no body or header the
// gateway sends here carries the text.
var statusLine = regexp.MustCompile(`HTTP/1\.1 (\d{3}) `)

// fuzzGateway is an engine serving the "fz" API's stage "s", whose
// integrations reach backend over an in-memory listener.
type fuzzGateway struct {
	srv     *engine.Server
	backend *recordingBackend
}

func newFuzzGateway(tb testing.TB) *fuzzGateway {
	be := &recordingBackend{ln: fasthttputil.NewInmemoryListener()}
	go func() { _ = fasthttp.Serve(be.ln, be.serve) }()
	tb.Cleanup(func() { be.ln.Close() })
	proxy := func(uri string, params map[string]string) *model.Integration {
		return &model.Integration{Type: "HTTP_PROXY", HTTPMethod: model.Ptr("ANY"), URI: model.Ptr(uri), RequestParameters: params, TimeoutInMillis: 29000}
	}
	method := func(verb, auth string, in *model.Integration, params map[string]bool) map[string]*model.Method {
		return map[string]*model.Method{verb: {HTTPMethod: verb, AuthorizationType: auth, RequestParameters: params, MethodIntegration: in,
			MethodResponses: map[string]*model.MethodResponse{"200": {StatusCode: "200"}}}}
	}
	// NEVER: a request of another content type gets 415; passed through,
	// its body would not name the MOCK's status, a 500 AWS gives too (the
	// API's configuration, not the client, would be at fault).
	mock := &model.Integration{Type: "MOCK", TimeoutInMillis: 29000, PassthroughBehavior: model.Ptr("NEVER"),
		RequestTemplates:     map[string]*string{"application/json": model.Ptr(`{"statusCode": 200}`)},
		IntegrationResponses: map[string]*model.IntegrationResponse{"200": {StatusCode: "200", ResponseTemplates: map[string]*string{"application/json": model.Ptr(`{"len":$input.body.length()}`)}}}}
	snap := &model.Snapshot{API: model.RestApi{ID: "fz", Name: "fz"}, Resources: []model.Resource{
		{ID: "root", Path: "/", ResourceMethods: method("GET", "NONE", mock, nil)},
		{ID: "pub", ParentID: "root", PathPart: "public", Path: "/public"},
		{ID: "pp", ParentID: "pub", PathPart: "{proxy+}", Path: "/public/{proxy+}", ResourceMethods: method("ANY", "NONE",
			proxy("http://backend/public/{proxy}", map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}),
			map[string]bool{"method.request.path.proxy": true})},
		{ID: "item", ParentID: "pub", PathPart: "{id}", Path: "/public/{id}"},
		{ID: "itemx", ParentID: "item", PathPart: "x", Path: "/public/{id}/x", ResourceMethods: method("POST", "NONE",
			proxy("http://backend/items/{id}/x", map[string]string{"integration.request.path.id": "method.request.path.id"}),
			map[string]bool{"method.request.path.id": true})},
		{ID: "adm", ParentID: "root", PathPart: "admin", Path: "/admin", ResourceMethods: method("ANY", "AWS_IAM", proxy("http://backend/admin", nil), nil)},
		{ID: "files", ParentID: "root", PathPart: "files", Path: "/files", ResourceMethods: method("GET", "NONE",
			proxy("http://backend/public/{f}", map[string]string{"integration.request.path.f": "method.request.header.X-File"}),
			map[string]bool{"method.request.header.X-File": false})},
		{ID: "mock", ParentID: "root", PathPart: "mock", Path: "/mock", ResourceMethods: method("POST", "NONE", mock, nil)},
	}}
	h := newHandler(tb, snap, &model.Stage{StageName: "s"}, func(string) (net.Conn, error) { return be.ln.Dial() })
	return &fuzzGateway{srv: engine.New(h, slog.New(slog.DiscardHandler)), backend: be}
}

// exchange serves raw as one client connection and returns what the
// gateway wrote back, and what the backend received meanwhile.
func (g *fuzzGateway) exchange(t *testing.T, raw []byte) ([]byte, []received) {
	g.backend.take()
	c := newClientConn(raw)
	go func() { _ = g.srv.ServeConn(c) }()
	select {
	case <-c.closed:
	case <-time.After(10 * time.Second):
		t.Fatalf("the gateway did not finish the connection for the input:\n%q", raw)
	}
	return c.written(), g.backend.take()
}

// received is a request the backend received.
type received struct {
	id           int
	method, path string
}

// recordingBackend answers every request 200, tagged X-Backend-Id, and
// records it.
type recordingBackend struct {
	ln   *fasthttputil.InmemoryListener
	mu   sync.Mutex
	next int
	got  []received
}

func (b *recordingBackend) serve(ctx *fasthttp.RequestCtx) {
	b.mu.Lock()
	b.next++
	id := b.next
	p, _, _ := strings.Cut(string(ctx.Request.Header.RequestURI()), "?")
	b.got = append(b.got, received{id: id, method: string(ctx.Method()), path: p})
	b.mu.Unlock()
	ctx.Response.Header.Set("X-Backend-Id", strconv.Itoa(id))
	ctx.SetBodyString("ok")
}

// take returns and forgets what the backend received.
func (b *recordingBackend) take() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	got := b.got
	b.got = nil
	return got
}

// readsAsDotSegment reports whether a server could read p as having a "."
// or ".." segment: as written, percent-decoded until stable, with '\' as a
// separator, or with ";parameters" cut off. It is the fuzz target's own
// oracle, written independently of package pathsafe.
func readsAsDotSegment(p string) bool {
	decoded := p
	for {
		next, err := url.PathUnescape(decoded)
		if err != nil {
			next = decodeValid(decoded)
		}
		if next == decoded {
			break
		}
		decoded = next
	}
	for _, r := range []string{p, decoded, strings.ReplaceAll(decoded, "\\", "/")} {
		for _, seg := range strings.Split(r, "/") {
			seg, _, _ = strings.Cut(seg, ";")
			if seg == "." || seg == ".." {
				return true
			}
		}
	}
	return false
}

// decodeValid decodes the valid %XX escapes of s, leaving malformed ones.
func decodeValid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// clientConn is a client connection: the server reads in, then EOF (the
// client has sent everything); what the server writes is kept. closed is
// closed when the server closes the connection.
type clientConn struct {
	in     *bytes.Reader
	mu     sync.Mutex
	out    bytes.Buffer
	closed chan struct{}
	once   sync.Once
}

func newClientConn(in []byte) *clientConn {
	return &clientConn{in: bytes.NewReader(in), closed: make(chan struct{})}
}

func (c *clientConn) Read(p []byte) (int, error) {
	if c.in.Len() == 0 {
		return 0, io.EOF
	}
	return c.in.Read(p)
}

func (c *clientConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *clientConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.out.Bytes()...)
}

func (c *clientConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *clientConn) CloseWrite() error   { return nil }
func (c *clientConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 443} }
func (c *clientConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
}
func (c *clientConn) SetDeadline(time.Time) error      { return nil }
func (c *clientConn) SetReadDeadline(time.Time) error  { return nil }
func (c *clientConn) SetWriteDeadline(time.Time) error { return nil }
