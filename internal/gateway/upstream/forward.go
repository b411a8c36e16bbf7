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

// Forward sends req to a backend through client (a Clients.Client, whose
// answers are read whole) within timeout and answers x with the backend's
// response: status, headers (without hop-by-hop ones) and body. A body the
// client sent goes along as a stream, cut off at MaxBody. Errors are the
// gateway's answers: ErrTooLarge or a ClientBodyError for the client's
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
// need(status) of the body's first bytes. The bytes are the caller's
// until x completes.
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

// respond sends the backend's answer, its body read whole by the client
// (ForwardStream sends here only the answers of a stream client that have
// no body to stream: HEAD, empty, or read whole already). It returns the
// body's first bytes need asks for (see ForwardReading).
//
// Answers are read whole, as API Gateway reads them when it does not
// stream (responseTransferMode BUFFERED): a backend failing half-way gets
// the gateway's own 5xx answer, with none of the backend's headers, and a
// body over MaxResponseBody fails the integration (see Failure) [U: the
// answer to an oversized backend body]. Reading small bodies through
// fasthttp's response streams cost four allocations and about 3 % of the
// proxy's throughput.
func respond(x *pipeline.Exchange, resp *fasthttp.Response, head bool, need BodyNeed) (peek []byte, err error) {
	defer fasthttp.ReleaseResponse(resp)
	x.IntegrationStatus = resp.StatusCode()
	size := resp.Header.ContentLength()
	var whole []byte
	if head || size == 0 {
		_ = resp.CloseBodyStream() // a stream client's, if any
	} else {
		whole = resp.Body()
	}
	if need != nil && len(whole) > 0 {
		if want := min(need(resp.StatusCode()), MaxResponseBody); want > 0 {
			peek = bytes.Clone(whole[:min(want, len(whole))]) // whole goes with resp
		}
	}

	out := x.Resp
	copyResponseHeader(out, resp)
	if head && size > 0 {
		// A HEAD answer keeps the backend's Content-Length (the size a GET
		// would return); without this the client saw none.
		out.SetBody(nil)
		out.SetHeader("Content-Length", strconv.Itoa(size))
		return nil, nil
	}
	out.SetBody(whole) // copies
	return peek, nil
}

// Failure maps a backend error to API Gateway's answer: a timeout
// is INTEGRATION_TIMEOUT (504 "Endpoint request timed out"); a backend that
// cannot be reached is API_CONFIGURATION_ERROR (500 "Internal server
// error") [V/L].
func Failure(err error) error {
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		// API Gateway's integration payload limit is 10 MB; a larger
		// backend answer is a failed integration [U: AWS's exact answer].
		return pipeline.Fail(pipeline.APIConfigurationError, errors.New("integration response exceeds 10485760 bytes"))
	}
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

// upstreamBody streams a backend response body to the client (STREAM
// mode) and releases the backend response once done. A read error is the
// backend's failure (API Gateway's answer to it, for the exchange to
// record); io.EOF ends the body.
type upstreamBody struct {
	r    io.Reader
	resp *fasthttp.Response
}

func (u *upstreamBody) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		return n, Failure(err)
	}
	return n, err
}

func (u *upstreamBody) Close() error {
	err := u.resp.CloseBodyStream()
	fasthttp.ReleaseResponse(u.resp)
	return err
}
