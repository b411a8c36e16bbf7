package upstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Hop-by-hop headers never cross the gateway, in either direction; the
// request side also drops the headers API Gateway never forwards [V][L],
// and the response side the gateway's own headers (a backend's values do
// not replace them) and Content-Length (the engine sets it).
var (
	hopByHop       = []string{"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}
	requestDropped = append([]string{"host", "content-length", "expect", "max-forwards", "content-md5"}, hopByHop...)
	// traceHeaders are set by TraceHeaders, not copied.
	traceHeaders    = []string{"x-amzn-trace-id", "traceparent"}
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

// MaxResponseBody bounds a backend response read into memory: API
// Gateway's integration payload limit, 10 MB.
const MaxResponseBody = pipeline.MaxBody

// ForwardHeaders copies the client's request headers to req as bytes,
// without hop-by-hop headers, those the client's Connection header names
// and those API Gateway never forwards; sets Host to req's URI host (set
// the URI first); appends the client's address to X-Forwarded-For; and
// sets the trace headers (TraceHeaders).
func ForwardHeaders(x *pipeline.Exchange, req *fasthttp.Request) {
	c := copiers.Get().(*headerCopier)
	c.req, c.connection, c.lower = req, x.Req.Header("Connection"), x.LowerHeaderNames()
	x.Req.VisitHeaders(c.visit)
	c.req, c.connection, c.lower = nil, "", false
	copiers.Put(c)
	req.Header.SetHostBytes(req.URI().Host())
	if ip := x.Req.RemoteAddr(); ip.IsValid() {
		var xff [64]byte
		b := xff[:0]
		if prev := x.Req.Header("X-Forwarded-For"); prev != "" {
			b = append(append(b, prev...), ", "...)
		}
		name := "X-Forwarded-For"
		if x.LowerHeaderNames() {
			name = "x-forwarded-for"
		}
		req.Header.SetBytesV(name, ip.Addr().Unmap().AppendTo(b))
	}
	TraceHeaders(x, req)
}

// TraceHeaders sets the trace headers of a request to an HTTP backend
// (set its URI first): X-Amzn-Trace-Id always (the client's, or one API
// Gateway adds [C]), and the W3C traceparent when there is one to hand
// on. A traced request's span gets the request's method and URL.
func TraceHeaders(x *pipeline.Exchange, req *fasthttp.Request) {
	if sp := x.Span(); sp != nil {
		pipeline.SetSpanBytes(sp, "url.full", req.URI().FullURI())
	}
	var b [128]byte
	name := "X-Amzn-Trace-Id"
	if x.LowerHeaderNames() {
		name = "x-amzn-trace-id"
	}
	req.Header.SetBytesV(name, x.AppendTraceHeader(b[:0]))
	if tp, ok := x.AppendTraceparent(b[:0]); ok {
		req.Header.SetBytesV("traceparent", tp)
	}
}

// headerCopier copies the client's headers to a backend request. Copiers
// are pooled with their visitor bound once: a closure made per request
// would cost an allocation (it escapes through the Request interface).
type headerCopier struct {
	req        *fasthttp.Request
	connection string // the client's Connection header
	// lower: names in lower case (pipeline.Address.LowerHeaderNames).
	// Content-Type is the exception: fasthttp writes its special headers
	// in their canonical form.
	lower bool
	name  []byte // scratch for a lower-cased name
	visit func(k, v []byte)
}

var copiers = sync.Pool{New: func() any {
	c := &headerCopier{}
	c.visit = c.add
	return c
}}

func (c *headerCopier) add(k, v []byte) {
	if headerIn(k, requestDropped) || headerIn(k, traceHeaders) || namedBy(c.connection, k) {
		return
	}
	if c.lower {
		c.name = append(c.name[:0], k...)
		for i, b := range c.name {
			if 'A' <= b && b <= 'Z' {
				c.name[i] = b + 'a' - 'A'
			}
		}
		k = c.name
	}
	c.req.Header.AddBytesKV(k, v)
}

// Forward sends req to a backend through client within timeout and answers
// x with the backend's response: status, headers (without hop-by-hop ones)
// and body, small bodies read whole, others streamed (StreamBody). A body
// the client sent goes along as a stream, cut off at MaxBody. Errors are
// the gateway's answers: ErrTooLarge or a ClientBodyError for the client's
// body, a Failure (INTEGRATION_TIMEOUT, API_CONFIGURATION_ERROR) for the
// backend.
func Forward(x *pipeline.Exchange, client *fasthttp.Client, req *fasthttp.Request, timeout time.Duration) error {
	_, err := ForwardReading(x, client, req, timeout, nil)
	return err
}

// BodyNeed says, for a backend's status, how many of its body's first
// bytes the caller needs (0: none; at most MaxResponseBody are read).
type BodyNeed func(status int) int

// ForwardReading is Forward for a caller that reads the backend's body
// (HTTP API response mappings of $response.body): it also returns up to
// need(status) of the body's first bytes, read before the client is
// answered; the rest of a longer body is streamed as Forward streams it.
// The bytes are the caller's until x completes.
func ForwardReading(x *pipeline.Exchange, client *fasthttp.Client, req *fasthttp.Request, timeout time.Duration, need BodyNeed) ([]byte, error) {
	resp, err := send(x, client, req, time.Now().Add(timeout))
	if err != nil {
		return nil, err
	}
	return respond(x, resp, req.Header.IsHead(), need)
}

// ForwardStream is Forward for responseTransferMode STREAM: the status
// line and the backend's headers go to the client at once, and its body
// follows as it arrives, whatever its size, paced by lim, until deadline
// (client is a StreamClient, whose reads also end after lim.Idle).
func ForwardStream(x *pipeline.Exchange, client *fasthttp.Client, req *fasthttp.Request, deadline time.Time, lim StreamLimits) error {
	resp, err := send(x, client, req, deadline)
	if err != nil {
		return err
	}
	stream := resp.BodyStream()
	if req.Header.IsHead() || resp.Header.ContentLength() == 0 || stream == nil {
		_, err := respond(x, resp, req.Header.IsHead(), nil)
		return err
	}
	x.IntegrationStatus = resp.StatusCode()
	copyResponseHeader(x.Resp, resp)
	x.StreamBodyUntil(LimitStream(&upstreamBody{r: stream, resp: resp}, deadline, lim), resp.Header.ContentLength(), deadline)
	return nil
}

// send sends req (with the client's body, if any, as a stream) and returns
// the backend's response.
func send(x *pipeline.Exchange, client *fasthttp.Client, req *fasthttp.Request, deadline time.Time) (*fasthttp.Response, error) {
	var body *limitedBody
	if n := x.Req.ContentLength(); n != 0 {
		body = &limitedBody{r: x.BodyReader()}
		req.SetBodyStream(body, int(n))
	}
	resp := fasthttp.AcquireResponse()
	err := client.DoDeadline(req, resp, deadline)
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		switch {
		case body != nil && body.tooLarge:
			return nil, pipeline.ErrTooLarge
		case body != nil && body.err != nil:
			// The client's body broke off or its framing is malformed: the
			// client's error, not the backend's.
			return nil, pipeline.ClientBodyError(body.err)
		}
		return nil, Failure(err)
	}
	return resp, nil
}

// copyResponseHeader sends the backend's status and headers, without
// hop-by-hop ones and those its Connection header names.
func copyResponseHeader(out pipeline.Response, resp *fasthttp.Response) {
	out.SetStatus(resp.StatusCode())
	rconnection := resp.Header.Peek("Connection")
	add := headerAdder(out)
	resp.Header.VisitAll(func(k, v []byte) {
		if headerIn(k, responseDropped) || namedBy(b2s(rconnection), k) {
			return
		}
		add(k, v)
	})
}

// respond sends the backend's answer. Its body is read (or, when streamed,
// its first bytes are) before anything is written to the client, so that a
// backend failing before that still gets the gateway's own 5xx answer, with
// none of the backend's headers. A stream failing later is the exchange's
// to record (see pipeline.Exchange.StreamBody); the engine aborts it. It
// returns the body's first bytes need asks for (see ForwardReading).
func respond(x *pipeline.Exchange, resp *fasthttp.Response, head bool, need BodyNeed) (peek []byte, err error) {
	x.IntegrationStatus = resp.StatusCode()
	size := resp.Header.ContentLength()
	stream := resp.BodyStream()
	want := 0
	if need != nil && !head && size != 0 {
		want = min(need(resp.StatusCode()), MaxResponseBody)
	}
	var (
		whole  []byte  // the body, read whole
		pooled *[]byte // whole's buffer, when pooled
		pool   *sync.Pool
		rest   io.Reader // the rest of a streamed body after whole
	)
	switch {
	case head || size == 0:
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
			return nil, Failure(err)
		}
	case size < 0 && x.Req.Protocol() != "HTTP/1.1":
		// An HTTP/1.0 client cannot read chunked framing (RFC 9112 §7), the
		// only one a stream of unknown length could have: the body is read
		// whole and sent with its length. Such clients are rare, and API
		// Gateway's integration responses are bounded anyway.
		b, err := io.ReadAll(io.LimitReader(stream, MaxResponseBody+1))
		_ = resp.CloseBodyStream()
		if err == nil && len(b) > MaxResponseBody {
			err = errors.New("integration response exceeds 10485760 bytes")
		}
		if err != nil {
			fasthttp.ReleaseResponse(resp)
			return nil, Failure(err)
		}
		whole = b
	case want > 0:
		// A stream the caller reads the start of: that much is read now,
		// the rest (if any) streamed as the client takes it.
		b, err := io.ReadAll(io.LimitReader(stream, int64(want)))
		if err != nil {
			_ = resp.CloseBodyStream()
			fasthttp.ReleaseResponse(resp)
			return nil, Failure(err)
		}
		whole, peek = b, b
		if len(b) == want {
			rest = stream
		} else {
			_ = resp.CloseBodyStream()
		}
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
			return nil, Failure(err)
		}
		whole = (*pooled)[:n]
		if err == nil {
			rest = stream
		}
	}

	if want > 0 && peek == nil && len(whole) > 0 {
		peek = bytes.Clone(whole[:min(want, len(whole))]) // whole goes back to its pool
	}

	out := x.Resp
	copyResponseHeader(out, resp)
	if head && size > 0 {
		// A HEAD answer keeps the backend's Content-Length (the size a GET
		// would return); without this the client saw none.
		out.SetBody(nil)
		out.SetHeader("Content-Length", strconv.Itoa(size))
		fasthttp.ReleaseResponse(resp)
		return nil, nil
	}
	if rest != nil {
		x.StreamBody(&upstreamBody{first: whole, r: rest, resp: resp, buf: pooled, pool: pool}, size)
		return peek, nil
	}
	out.SetBody(whole) // copies
	if pooled != nil {
		pool.Put(pooled)
	}
	fasthttp.ReleaseResponse(resp)
	return peek, nil
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

// Failure maps a backend error to API Gateway's answer: a timeout
// is INTEGRATION_TIMEOUT (504 "Endpoint request timed out"); a backend that
// cannot be reached is API_CONFIGURATION_ERROR (500 "Internal server
// error") [V/L].
func Failure(err error) error {
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
		return n, Failure(err)
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
