package integration

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// HTTPProxy forwards the whole request to an HTTP backend and streams the
// backend's response back unchanged (HTTP_PROXY).
type HTTPProxy struct {
	clients  *Clients
	insecure bool
	method   string // "" = the client's method (integration httpMethod ANY)
	uri      *uriTemplate
	mappings []requestMapping
	timeout  time.Duration
}

// NewHTTPProxy compiles an HTTP_PROXY integration.
func NewHTTPProxy(in *model.Integration, clients *Clients) (*HTTPProxy, error) {
	uri, err := parseURI(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	maps, err := parseRequestMappings(in.RequestParameters)
	if err != nil {
		return nil, err
	}
	p := &HTTPProxy{clients: clients, uri: uri, mappings: maps, timeout: timeoutOf(in)}
	if m := model.Deref(in.HTTPMethod); m != "ANY" {
		p.method = m
	}
	if in.TLSConfig != nil {
		p.insecure = in.TLSConfig.InsecureSkipVerification
	}
	return p, nil
}

func timeoutOf(in *model.Integration) time.Duration {
	ms := in.TimeoutInMillis
	if ms <= 0 {
		ms = 29000
	}
	return time.Duration(ms) * time.Millisecond
}

// Hop-by-hop headers never cross the gateway, in either direction; the
// request side also drops the headers API Gateway never forwards [V][L],
// and the response side the gateway's own headers (a backend's values do
// not replace them) and Content-Length (the engine sets it).
var (
	hopByHop        = []string{"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}
	requestDropped  = append([]string{"host", "content-length", "expect", "max-forwards", "content-md5"}, hopByHop...)
	responseDropped = append([]string{"content-length", "x-amzn-requestid", "x-amz-apigw-id"}, hopByHop...)
)

// headerIn reports whether name (any case) is one of the lower-case names.
func headerIn(name []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(name) && equalFoldASCII(name, n) {
			return true
		}
	}
	return false
}

// namedBy reports whether a Connection header value lists name.
func namedBy(connection string, name []byte) bool {
	for connection != "" {
		var tok string
		tok, connection, _ = strings.Cut(connection, ",")
		tok = strings.TrimSpace(tok)
		if len(tok) == len(name) && equalFoldASCII(name, tok) {
			return true
		}
	}
	return false
}

func equalFoldASCII(b []byte, s string) bool {
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// headerAdder returns how to add backend headers to out: as bytes when
// the engine supports it (no conversions), else as strings.
func headerAdder(out pipeline.Response) func(k, v []byte) {
	if br, ok := out.(interface{ AddHeaderBytes(k, v []byte) }); ok {
		return br.AddHeaderBytes
	}
	return func(k, v []byte) { out.AddHeader(string(k), string(v)) }
}

func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

var uriBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func appendQuery(q []byte, part string) []byte {
	if len(q) > 0 {
		q = append(q, '&')
	}
	return append(q, part...)
}

// Invoke implements rest.Integration.
func (p *HTTPProxy) Invoke(x *rest.Exchange) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.Header.DisableNormalizing()

	method := p.method
	if method == "" {
		method = x.Req.Method()
	}
	req.Header.SetMethod(method)

	// The hot path allocates little: the URI and query are built in a
	// pooled buffer (fasthttp copies them), headers are copied as bytes.
	bp := uriBufs.Get().(*[]byte)
	defer uriBufs.Put(bp)
	buf := p.uri.appendTo((*bp)[:0], func(name string) (string, bool) { return p.pathParam(x, name) }, x.Variables())
	if err := p.uri.checkTarget(b2s(buf), x.Variables()); err != nil {
		return err
	}
	req.SetRequestURIBytes(buf)
	u := req.URI()
	u.DisablePathNormalizing = true

	// Query: the URI's own, then the client's (raw, as sent), then mapped
	// parameters. QueryArgs is never touched: parsing it would make fasthttp
	// re-encode the client's bytes.
	q := append(buf[:0], u.QueryString()...)
	if raw := x.Req.RawQuery(); raw != "" {
		q = appendQuery(q, raw)
	}
	connection := x.Req.Header("Connection")
	x.Req.VisitHeaders(func(k, v []byte) {
		if headerIn(k, requestDropped) || namedBy(connection, k) {
			return
		}
		req.Header.AddBytesKV(k, v)
	})
	req.Header.SetHostBytes(u.Host())
	if ip := x.Req.RemoteAddr(); ip.IsValid() {
		var xff [64]byte
		b := xff[:0]
		if prev := x.Req.Header("X-Forwarded-For"); prev != "" {
			b = append(append(b, prev...), ", "...)
		}
		req.Header.SetBytesV("X-Forwarded-For", ip.Addr().Unmap().AppendTo(b))
	}
	for _, m := range p.mappings {
		if m.target == "path" {
			continue
		}
		v, ok := m.src.Resolve(x)
		if !ok {
			continue
		}
		switch m.target {
		case "querystring":
			q = appendQuery(q, url.QueryEscape(m.name)+"="+url.QueryEscape(v))
		case "header":
			req.Header.Set(m.name, v)
		}
	}
	if len(q) > 0 {
		u.SetQueryStringBytes(q)
	}
	*bp = q[:0]

	var body *limitedBody
	if n := x.Req.ContentLength(); n != 0 {
		body = &limitedBody{r: x.BodyReader()}
		req.SetBodyStream(body, int(n))
	}

	resp := fasthttp.AcquireResponse()
	err := p.clients.pick(p.insecure).DoDeadline(req, resp, time.Now().Add(p.timeout))
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		switch {
		case body != nil && body.tooLarge:
			return pipeline.ErrTooLarge
		case body != nil && body.err != nil:
			// The client's body broke off or its framing is malformed: the
			// client's error, not the backend's.
			return pipeline.ClientBodyError(body.err)
		}
		return upstreamFailure(err)
	}
	return p.respond(x, resp, method)
}

// respond sends the backend's answer. Its body is read (or, when streamed,
// its first bytes are) before anything is written to the client, so that a
// backend failing before that still gets the gateway's own 5xx answer, with
// none of the backend's headers. A stream failing later is the exchange's
// to record (see rest.Exchange.StreamBody); the engine aborts it.
func (p *HTTPProxy) respond(x *rest.Exchange, resp *fasthttp.Response, method string) error {
	x.IntegrationStatus = resp.StatusCode()
	size := resp.Header.ContentLength()
	stream := resp.BodyStream()
	var (
		whole  []byte  // the body, read whole
		pooled *[]byte // whole's buffer, when pooled
		pool   *sync.Pool
		rest   io.Reader // the rest of a streamed body after whole
	)
	switch {
	case method == "HEAD" || size == 0:
		_ = resp.CloseBodyStream()
	case stream == nil:
		whole = resp.Body()
	case size > 0 && size <= smallBody:
		// Small bodies of known size (most API responses) are read whole:
		// the backend connection goes back to the pool at once, and the
		// client gets headers and body in one write instead of a stream.
		pool = &smallBufs
		if size > smallBufSize {
			pool = &largeBufs
		}
		pooled = pool.Get().(*[]byte)
		whole = (*pooled)[:size]
		_, err := io.ReadFull(stream, whole)
		_ = resp.CloseBodyStream()
		if err != nil {
			pool.Put(pooled)
			fasthttp.ReleaseResponse(resp)
			return upstreamFailure(err)
		}
	case size < 0 && x.Req.Protocol() != "HTTP/1.1":
		// An HTTP/1.0 client cannot read chunked framing (RFC 9112 §7), the
		// only one a stream of unknown length could have: the body is read
		// whole and sent with its length. Such clients are rare, and API
		// Gateway's integration responses are bounded anyway.
		b, err := io.ReadAll(io.LimitReader(stream, maxBackendBody+1))
		_ = resp.CloseBodyStream()
		if err == nil && len(b) > maxBackendBody {
			err = errors.New("integration response exceeds 10485760 bytes")
		}
		if err != nil {
			fasthttp.ReleaseResponse(resp)
			return upstreamFailure(err)
		}
		whole = b
	default:
		// A stream: its first bytes are read now (a read returns what has
		// arrived, so streaming is not delayed), the rest as the client
		// takes them.
		pool = &smallBufs
		pooled = pool.Get().(*[]byte)
		n, err := stream.Read(*pooled)
		if err != nil && err != io.EOF {
			pool.Put(pooled)
			_ = resp.CloseBodyStream()
			fasthttp.ReleaseResponse(resp)
			return upstreamFailure(err)
		}
		whole = (*pooled)[:n]
		if err == nil {
			rest = stream
		}
	}

	out := x.Resp
	out.SetStatus(resp.StatusCode())
	rconnection := resp.Header.Peek("Connection")
	add := headerAdder(out)
	resp.Header.VisitAll(func(k, v []byte) {
		if headerIn(k, responseDropped) || namedBy(b2s(rconnection), k) {
			return
		}
		add(k, v)
	})
	if method == "HEAD" && size > 0 {
		// A HEAD answer keeps the backend's Content-Length (the size a GET
		// would return); without this the client saw none.
		out.SetBody(nil)
		out.SetHeader("Content-Length", strconv.Itoa(size))
		fasthttp.ReleaseResponse(resp)
		return nil
	}
	if rest != nil {
		x.StreamBody(&upstreamBody{first: whole, r: rest, resp: resp, buf: pooled, pool: pool}, size)
		return nil
	}
	out.SetBody(whole) // copies
	if pooled != nil {
		pool.Put(pooled)
	}
	fasthttp.ReleaseResponse(resp)
	return nil
}

// smallBody is the largest backend body read whole rather than streamed.
// Two pools of buffers serve it, so that the usual small answer does not
// hold (and after each GC reallocate) a 64 KB buffer.
const (
	smallBody    = 64 << 10
	smallBufSize = 4 << 10
)

var (
	smallBufs = sync.Pool{New: func() any { b := make([]byte, smallBufSize); return &b }}
	largeBufs = sync.Pool{New: func() any { b := make([]byte, smallBody); return &b }}
)

// pathParam resolves a {placeholder}: a mapped integration.request.path
// value, else the method's path parameter of the same name.
func (p *HTTPProxy) pathParam(x *rest.Exchange, name string) (string, bool) {
	for _, m := range p.mappings {
		if m.target == "path" && m.name == name {
			v, ok := m.src.Resolve(x)
			return pathValue(m.src, v), ok
		}
	}
	return x.Match.Params.Get(name)
}

// pathValue returns a mapped value ready to be placed in the integration
// URI's path. Method path parameters are already in their escaped form
// (they are taken from the request path undecoded), so they go in as they
// are: escaping them again sent "a%2Fb" as "a%252Fb", and a greedy
// "a/b" as "a%2Fb". Other sources (headers, query strings, literals,
// stage and context variables) are plain text and are escaped.
func pathValue(src rest.Source, v string) string {
	if src.Kind == rest.SrcPath {
		return v
	}
	return url.PathEscape(v)
}

// upstreamFailure maps a backend error to API Gateway's answer: a timeout
// is INTEGRATION_TIMEOUT (504 "Endpoint request timed out"); a backend that
// cannot be reached is API_CONFIGURATION_ERROR (500 "Internal server
// error") [V/L].
func upstreamFailure(err error) error {
	var ne net.Error
	if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return pipeline.Fail(pipeline.IntegrationTimeout, err)
	}
	return pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("network error communicating with endpoint: %w", err))
}

// limitedBody streams the request body to the backend and stops at
// MaxBody bytes. It keeps the error reading the client's body, which is
// the client's, not the backend's.
type limitedBody struct {
	r        io.Reader
	n        int64
	tooLarge bool
	err      error
}

var errBodyTooLarge = errors.New("request body exceeds 10485760 bytes")

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > pipeline.MaxBody {
		b.tooLarge = true
		return 0, errBodyTooLarge
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// upstreamBody streams a backend response body to the client, its first
// bytes already read, and releases the backend response once done. A read
// error is the backend's failure (API Gateway's answer to it, for the
// exchange to record); io.EOF ends the body.
type upstreamBody struct {
	first []byte
	r     io.Reader
	resp  *fasthttp.Response
	buf   *[]byte // first's pooled buffer
	pool  *sync.Pool
}

func (u *upstreamBody) Read(p []byte) (int, error) {
	if len(u.first) > 0 {
		n := copy(p, u.first)
		u.first = u.first[n:]
		return n, nil
	}
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		return n, upstreamFailure(err)
	}
	return n, err
}

func (u *upstreamBody) Close() error {
	err := u.resp.CloseBodyStream()
	fasthttp.ReleaseResponse(u.resp)
	if u.buf != nil {
		u.pool.Put(u.buf)
		u.buf, u.first = nil, nil
	}
	return err
}
