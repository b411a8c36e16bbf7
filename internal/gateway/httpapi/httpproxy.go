package httpapi

import (
	"bytes"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// httpProxy is an HTTP_PROXY integration: the request, rewritten by the
// integration's parameter mappings, goes to integrationUri and the
// backend's answer comes back unchanged but for response mappings [D:
// "Create HTTP proxy integrations for HTTP APIs"].
type httpProxy struct {
	clients   *upstream.Clients
	uri       *upstream.URITemplate
	method    string // "" = the client's method (integrationMethod ANY)
	timeout   time.Duration
	requests  *parammap.RequestMapping
	responses *parammap.ResponseMapping
	// bodyNeed is set when a response mapping reads $response.body: how
	// much of the backend's body (read whole by the client) the mappings
	// read for the status it answered.
	bodyNeed upstream.BodyNeed
}

func (p *httpProxy) Responses() *parammap.ResponseMapping { return p.responses }

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

var uriBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// keepBuffer puts used back in the pooled *bp when a long URI made it
// larger than the buffer. used may also be a tail of *bp (the $default
// route's path is built after the URI): keeping that would shrink the
// buffer a little on every request, until each one allocated.
func keepBuffer(bp *[]byte, used []byte) {
	if cap(used) > cap(*bp) {
		*bp = used[:0]
	}
}

// Invoke implements Integration. The backend URL is integrationUri with
// {variable} placeholders filled from the route's path parameters (as
// the client sent them, still escaped) and ${stageVariables.x} from the
// stage; the $default route appends the whole request path to it, a
// named stage's prefix included [D][U: whether the prefix stays]. The
// client's query string always goes along [D]. Headers are the client's
// without hop-by-hop ones, Host set to the backend's, plus forwarded,
// via and x-amzn-trace-id as API Gateway adds them [C].
func (p *httpProxy) Invoke(x *Exchange) error {
	if p.clients == nil {
		return pipeline.Fail(pipeline.APIConfigurationError, errNoClients)
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.DisableNormalizing()
	method := p.method
	if method == "" {
		method = x.Req.Method()
	}
	req.Header.SetMethod(method)

	bp := uriBufs.Get().(*[]byte)
	defer uriBufs.Put(bp)
	vars := x.Variables()
	buf := p.uri.AppendTo((*bp)[:0], x.Match.Params.Get, vars)
	if err := p.uri.CheckTarget(b2s(buf), vars); err != nil {
		return err
	}
	if x.Match.Route.Default {
		// The whole request path follows the URI's own path, before its
		// query string (which fasthttp parses out of the URI).
		base, query := buf, []byte(nil)
		if i := bytes.IndexByte(buf, '?'); i >= 0 {
			base, query = buf[:i], buf[i:]
		}
		base = bytes.TrimSuffix(base, []byte{'/'})
		buf = append(append(append(buf[len(buf):], base...), x.rawPath()...), query...)
	}
	req.SetRequestURIBytes(buf)
	u := req.URI()
	u.DisablePathNormalizing = true
	q := append(buf[:0], u.QueryString()...)
	if raw := x.Req.RawQuery(); raw != "" {
		if len(q) > 0 {
			q = append(q, '&')
		}
		q = append(q, raw...)
	}
	u.SetQueryStringBytes(q)
	keepBuffer(bp, q)

	upstream.ForwardHeaders(&x.Exchange, req)
	forwarded(x, req)
	if p.requests != nil {
		ed := newRequestEditor(req)
		p.requests.Apply(x, ed)
		if err := ed.finish(); err != nil {
			return err
		}
	}
	if p.bodyNeed != nil {
		body, err := upstream.ForwardReading(&x.Exchange, p.clients.Client(false), req, p.timeout, p.bodyNeed)
		x.backendBody = body
		return err
	}
	return upstream.Forward(&x.Exchange, p.clients.Client(false), req, p.timeout)
}

// responseBodyNeed is what an HTTP backend's body response mappings read,
// by status: the first 100 KB for JSONPaths [D], the whole body (up to
// upstream.MaxResponseBody [U]) for $response.body; nil when none does.
func responseBodyNeed(m *parammap.ResponseMapping) upstream.BodyNeed {
	if !m.ReadsBody() {
		return nil
	}
	return func(status int) int {
		n := m.BodyPrefix(status)
		if n == parammap.WholeBody {
			return upstream.MaxResponseBody
		}
		return n
	}
}

// forwarded adds what API Gateway tells an HTTP backend about the client:
// forwarded (RFC 7239) and via [C: a backend's echo of an HTTP API
// request]; upstream.ForwardHeaders set the trace headers.
func forwarded(x *Exchange, req *fasthttp.Request) {
	host, _ := splitHost(x.DomainName)
	proto := "http"
	if x.Req.TLS() {
		proto = "https"
	}
	var b [128]byte
	f := append(b[:0], "for="...)
	if a := x.Req.RemoteAddr(); a.IsValid() {
		f = a.Addr().Unmap().AppendTo(f)
	}
	f = append(append(append(f, ";host="...), host...), ";proto="...)
	f = append(f, proto...)
	req.Header.SetBytesV("Forwarded", f)
	req.Header.Set("Via", "HTTP/1.1 AmazonAPIGateway")
}

// requestEditor applies request parameter mappings to the backend
// request: headers directly, the query string and the path once every
// mapping has run.
type requestEditor struct {
	req *fasthttp.Request
	queryEdits
	path    string
	pathSet bool
}

func newRequestEditor(req *fasthttp.Request) *requestEditor {
	e := &requestEditor{req: req}
	e.queryEdits.raw = func() string { return string(req.URI().QueryString()) }
	return e
}

func (e *requestEditor) SetHeader(name, value string) {
	e.DelHeader(name)
	e.req.Header.Add(name, value)
}

func (e *requestEditor) AddHeader(name, value string) { e.req.Header.Add(name, value) }

// DelHeader removes every line of a header whatever its casing (the
// request keeps the client's casing: normalizing is off).
func (e *requestEditor) DelHeader(name string) {
	var names []string
	e.req.Header.VisitAll(func(k, _ []byte) {
		if len(k) == len(name) && equalFold(b2s(k), name) {
			names = append(names, string(k))
		}
	})
	for _, n := range names {
		e.req.Header.Del(n)
	}
}

// SetPath replaces the path sent to the backend (overwrite:path) [D].
func (e *requestEditor) SetPath(path string) { e.path, e.pathSet = path, true }

var _ parammap.RequestEditor = (*requestEditor)(nil)

// finish writes the mapped query string and path. A mapped path with a
// dot-segment is refused, as request paths are (see package pathsafe).
func (e *requestEditor) finish() error {
	if q, ok := e.encoded(); ok {
		e.req.URI().SetQueryString(q)
	}
	if e.pathSet {
		p, err := mappedPath(e.path)
		if err != nil {
			return err
		}
		e.req.URI().SetPath(p)
	}
	return nil
}
