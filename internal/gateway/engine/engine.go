// Package engine runs the data plane on fasthttp: it adapts fasthttp's
// request context to the gateway's Request and Response without copying,
// and owns the listener settings that protect the gateway (timeouts, header
// size, graceful shutdown).
//
// fasthttp was chosen by measurement (README, "Data-plane engine"): the
// pipeline never sees it, so another engine only needs another adapter.
package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/rawconn"
)

// Limits protect the listener from slow or abusive clients.
const (
	// ReadTimeout bounds reading a request (headers and streamed body).
	ReadTimeout = 60 * time.Second
	// WriteTimeout bounds writing a response.
	WriteTimeout = 60 * time.Second
	// IdleTimeout closes idle keep-alive connections.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes bounds the request line and headers (AWS allows 10,240
	// bytes of header values).
	MaxHeaderBytes = 16 << 10
)

// Server is a data-plane listener.
type Server struct {
	srv *fasthttp.Server
	// base is every request's context: cancelled when Shutdown begins, as
	// fasthttp's own request context is. A fasthttp.RequestCtx is not a
	// context the context package knows, so each context derived from it
	// (a Lambda invocation's timeout) cost a goroutine watching it; one
	// derived from base costs none.
	base context.Context
	stop context.CancelFunc
}

// New returns a server that hands every request to the front door.
func New(door *front.Door, log *slog.Logger) *Server {
	s := &Server{}
	s.base, s.stop = context.WithCancel(context.Background())
	s.srv = &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.DisableNormalizing()
			if status, msg := malformed(&ctx.Request.Header); status != 0 {
				reject(ctx, status, msg)
				ctx.SetConnectionClose()
				return
			}
			door.Serve(s.base, (*request)(ctx), (*response)(ctx))
			if n := ctx.Request.Header.ContentLength(); ctx.Response.StatusCode() >= 400 && (n == -1 || n > lingerAbove) {
				// An error answered early (413, 403, 415, …) can leave much
				// of a large body on the wire. fasthttp then closes the
				// connection with unread data, so the kernel sends a reset,
				// which can destroy the response before the client has read
				// it (a Go client reports "connection reset by peer" instead
				// of the 413). Close lingeringly instead.
				raw := ctx.Conn()
				hijackClose(ctx, func(c net.Conn) { lingerClose(raw, c) })
			}
		},
		ErrorHandler:                  errorHandler,
		ExpectHandler:                 expect,
		Name:                          "",
		StreamRequestBody:             true,
		MaxRequestBodySize:            pipeline.MaxBody + 1,
		ReadBufferSize:                MaxHeaderBytes,
		WriteBufferSize:               16 << 10,
		ReadTimeout:                   ReadTimeout,
		WriteTimeout:                  WriteTimeout,
		IdleTimeout:                   IdleTimeout,
		DisableHeaderNamesNormalizing: true,
		DisablePreParseMultipartForm:  true,
		NoDefaultServerHeader:         true,
		NoDefaultContentType:          true,
		CloseOnShutdown:               true,
		KeepHijackedConns:             true, // upgraded connections close themselves (upgrade.go)
		Logger:                        fasthttpLogger{log},
	}
	return s
}

// Serve accepts connections on ln until Shutdown. Plain TCP connections
// read and write with raw system calls (package rawconn).
func (s *Server) Serve(ln net.Listener) error {
	return s.srv.Serve(rawconn.Listener(ln))
}

// ServeConn serves the requests of one connection and closes it (a
// hijacked connection is closed by its hijack handler).
func (s *Server) ServeConn(c net.Conn) error {
	return s.srv.ServeConn(c)
}

// Shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	return s.srv.ShutdownWithContext(ctx)
}

// Lingering close (cf. nginx's lingering_close): bounds, and the body size
// above which it applies (fasthttp itself discards up to 256 KB of unread
// body and keeps the connection).
const (
	lingerAbove    = 256 << 10
	lingerTimeout  = 2 * time.Second
	lingerMaxBytes = 4 * pipeline.MaxBody
)

// lingerClose runs once the response has been sent (fasthttp flushes it
// before calling a hijack handler) on a connection whose request body may
// be partly unread. It half-closes the connection, so that the client knows
// no other response will follow, and discards what the client still sends,
// for a bounded time and size, so that the close fasthttp does afterwards
// finds no unread data and does not reset the connection.
func lingerClose(raw, c net.Conn) {
	if cw, ok := raw.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, io.LimitReader(c, lingerMaxBytes))
}

// errorHandler answers requests fasthttp rejects before the pipeline runs
// (malformed requests, oversized headers, read timeouts).
func errorHandler(ctx *fasthttp.RequestCtx, err error) {
	ctx.Response.Header.DisableNormalizing()
	status, msg := fasthttp.StatusBadRequest, "Bad Request"
	var big *fasthttp.ErrSmallBuffer
	switch {
	case errors.As(err, &big):
		status, msg = fasthttp.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large"
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status = fasthttp.StatusRequestEntityTooLarge
	case isTimeout(err):
		status, msg = fasthttp.StatusRequestTimeout, "Request Timeout"
	}
	reject(ctx, status, msg)
}

// reject answers a request the pipeline never sees: status with AWS's
// {"message":…} body (413 has API Gateway's plain-text one), and the
// identifiers every response carries, which the pipeline would have set
// (they were missing on 400/408/431).
func reject(ctx *fasthttp.RequestCtx, status int, msg string) {
	id, ext := pipeline.NewRequestIDs()
	ctx.Response.Header.Set("x-amzn-RequestId", id)
	ctx.Response.Header.Set("x-amz-apigw-id", ext)
	ctx.SetStatusCode(status)
	if status == fasthttp.StatusRequestEntityTooLarge {
		ctx.Response.Header.Set("Content-Type", "text/plain; charset=utf-8")
		ctx.SetBodyString("HTTP content length exceeded 10485760 bytes.")
		return
	}
	ctx.Response.Header.Set("Content-Type", "application/json")
	ctx.SetBodyString(`{"message":"` + msg + `"}`)
}

// malformed finds what fasthttp accepts in a request head but an HTTP/1.1
// server must refuse, so that no such request reaches a backend:
//
//   - a major HTTP version other than 1 ("HTTP/2.0", "HTTP/9.9"), which
//     fasthttp serves as HTTP/1.0: 505 (RFC 9110 §15.6.6); a later minor
//     version of 1 is served as HTTP/1.1's peer (RFC 9112 §2.3);
//   - a header name with a space in it ("Bad Name: v"; RFC 9112 §5.1
//     allows no whitespace there, and a server must answer 400), which
//     fasthttp keeps and the proxy integration would forward verbatim.
//
// fasthttp has already checked the rest of the head (method, target,
// header bytes, values, framing). It costs a scan of the header names.
func malformed(h *fasthttp.RequestHeader) (int, string) {
	if p := h.Protocol(); len(p) < 7 || string(p[:7]) != "HTTP/1." {
		return fasthttp.StatusHTTPVersionNotSupported, "HTTP Version Not Supported"
	}
	bad := false
	h.VisitAll(func(k, _ []byte) {
		if bytes.IndexByte(k, ' ') >= 0 {
			bad = true
		}
	})
	if bad {
		return fasthttp.StatusBadRequest, "Bad Request"
	}
	return 0, ""
}

// expect answers "Expect: 100-continue" (fasthttp calls it before reading
// the body): a declared body over API Gateway's limit gets its 413 at once,
// and the client never sends the body; otherwise 100 Continue. Without
// this the client got 100 Continue, sent up to 10 MB, then got the 413.
// (fasthttp's documentation asks ExpectHandler not to touch the response,
// but writes whatever it holds, with the returned status and Connection:
// close; TestExpectContinueOverLimit checks that it still does.)
func expect(ctx *fasthttp.RequestCtx) int {
	if ctx.Request.Header.ContentLength() > pipeline.MaxBody {
		ctx.Response.Header.DisableNormalizing()
		reject(ctx, fasthttp.StatusRequestEntityTooLarge, "")
		return fasthttp.StatusRequestEntityTooLarge
	}
	return fasthttp.StatusContinue
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	if f.l != nil {
		f.l.Debug("fasthttp", "msg", strings.TrimSpace(fmt.Sprintf(format, args...)))
	}
}

// s2b/b2s: zero-copy conversions; the pipeline's strings live only as long
// as the request (documented on pipeline.Request).
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

type request fasthttp.RequestCtx

func (r *request) ctx() *fasthttp.RequestCtx { return (*fasthttp.RequestCtx)(r) }

func (r *request) Method() string { return b2s(r.ctx().Method()) }
func (r *request) Host() string   { return b2s(r.ctx().Request.Header.Host()) }

// Path is the path as the client sent it. fasthttp parses a request target
// starting with "//" as host and path ("//stage/pets" → host "stage"), so
// such targets are taken from the request line itself: API Gateway serves
// "//stage/pets" as "/stage/pets" (recorded
// invocation-payload-with-prepended-slash-to-stage).
func (r *request) Path() string {
	raw := r.ctx().Request.Header.RequestURI()
	if len(raw) > 1 && raw[0] == '/' && raw[1] == '/' {
		if i := bytes.IndexByte(raw, '?'); i >= 0 {
			raw = raw[:i]
		}
		return b2s(raw)
	}
	return b2s(r.ctx().Request.URI().PathOriginal())
}
func (r *request) RawQuery() string { return b2s(r.ctx().Request.URI().QueryString()) }
func (r *request) Protocol() string { return b2s(r.ctx().Request.Header.Protocol()) }
func (r *request) TLS() bool        { return r.ctx().IsTLS() }

// TLSState is the connection's TLS state (pipeline.TLSRequest), nil over
// plain HTTP.
func (r *request) TLSState() *tls.ConnectionState { return r.ctx().TLSConnectionState() }

func (r *request) Header(name string) string {
	h := &r.ctx().Request.Header
	switch {
	case strings.EqualFold(name, "Host"):
		return b2s(h.Host())
	case strings.EqualFold(name, "Content-Type"):
		return b2s(h.ContentType())
	case strings.EqualFold(name, "User-Agent"):
		return b2s(h.UserAgent())
	}
	var out []byte
	found := false
	h.VisitAll(func(k, v []byte) {
		if !found && len(k) == len(name) && strings.EqualFold(b2s(k), name) {
			out, found = v, true
		}
	})
	return b2s(out)
}

func (r *request) VisitHeaders(fn func(name, value []byte)) {
	r.ctx().Request.Header.VisitAll(fn)
}

func (r *request) RemoteAddr() netip.AddrPort {
	if a, ok := r.ctx().RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

func (r *request) ContentLength() int64 {
	// fasthttp reports -1 for a chunked body and -2 when the request has
	// neither Content-Length nor Transfer-Encoding: a request then has no
	// body (RFC 9112 §6.3).
	n := r.ctx().Request.Header.ContentLength()
	if n == -2 {
		return 0
	}
	return int64(n)
}

func (r *request) Body() io.Reader {
	if s := r.ctx().RequestBodyStream(); s != nil {
		return s
	}
	body := r.ctx().Request.Body()
	if len(body) == 0 {
		return http.NoBody
	}
	return bytes.NewReader(body)
}

type response fasthttp.RequestCtx

func (w *response) ctx() *fasthttp.RequestCtx { return (*fasthttp.RequestCtx)(w) }

func (w *response) SetStatus(code int) { w.ctx().SetStatusCode(code) }
func (w *response) Status() int        { return w.ctx().Response.StatusCode() }

func (w *response) SetHeader(name, value string) {
	if strings.EqualFold(name, "Content-Type") {
		w.ctx().Response.Header.SetContentType(value)
		return
	}
	w.ctx().Response.Header.Set(name, value)
}

func (w *response) AddHeader(name, value string) {
	if strings.EqualFold(name, "Content-Type") {
		w.ctx().Response.Header.SetContentType(value)
		return
	}
	w.ctx().Response.Header.Add(name, value)
}

// AddHeaderBytes adds a header without converting it to strings (the
// proxy integration copies backend headers this way).
func (w *response) AddHeaderBytes(k, v []byte) { w.ctx().Response.Header.AddBytesKV(k, v) }

// DelHeader removes every line of a header, whatever the casing it was
// set with (response header names are kept as written, not normalized).
func (w *response) DelHeader(name string) {
	h := &w.ctx().Response.Header
	var buf [4]string
	names := buf[:0]
	h.VisitAll(func(k, _ []byte) {
		if len(k) == len(name) && strings.EqualFold(b2s(k), name) {
			names = append(names, string(k))
		}
	})
	for _, n := range names {
		h.Del(n)
	}
}

func (w *response) SetBody(b []byte) { w.ctx().Response.SetBody(b) }

func (w *response) SetBodyStream(r io.Reader, size int) {
	if size < 0 && !w.ctx().Request.Header.IsHTTP11() {
		// fasthttp frames a stream of unknown length with chunked encoding,
		// which HTTP/1.0 clients cannot read (they print the chunk sizes as
		// part of the body). Such clients get the body read whole and sent
		// with a Content-Length instead; they are rare, and API Gateway's
		// responses are bounded anyway. (A stream that fails here is the
		// pipeline's to answer: its Close reports it.)
		b, _ := io.ReadAll(r)
		if c, ok := r.(io.Closer); ok {
			_ = c.Close()
		}
		w.ctx().Response.SetBody(b)
		return
	}
	if size >= 0 {
		// fasthttp holds a fixed-length stream's status line in its write
		// buffer until 16 KB of body fill it: a stream failing before then
		// was dropped whole, and the client got an empty reply. Sent at
		// once, a failure later is an incomplete message (fasthttp stops
		// and closes the connection). Chunked streams go out with their
		// first chunk, which the integration has already read.
		w.ctx().Response.ImmediateHeaderFlush = true
	}
	w.ctx().Response.SetBodyStream(r, size)
}

// StreamUntil implements pipeline.Streaming: the connection's write
// deadline becomes the stream's (a second later, so that the integration's
// own deadline ends it first), and the header is flushed before the body.
func (w *response) StreamUntil(deadline time.Time) {
	_ = w.ctx().SetWriteDeadline(deadline.Add(time.Second))
	w.ctx().Response.ImmediateHeaderFlush = true
}

// ResponseHeader implements pipeline.ResponseHeaders: the first value of
// a header, whatever the casing it was set with.
func (w *response) ResponseHeader(name string) string {
	h := &w.ctx().Response.Header
	if v := h.Peek(name); len(v) > 0 {
		return string(v)
	}
	var out string
	found := false
	h.VisitAll(func(k, v []byte) {
		if !found && len(k) == len(name) && strings.EqualFold(b2s(k), name) {
			out, found = string(v), true
		}
	})
	return out
}

func (w *response) BodySize() int {
	resp := &w.ctx().Response
	if resp.IsBodyStream() {
		if n := resp.Header.ContentLength(); n >= 0 {
			return n
		}
		return -1
	}
	return len(resp.Body())
}

var _ pipeline.Request = (*request)(nil)
var _ pipeline.TLSRequest = (*request)(nil)
var _ pipeline.Response = (*response)(nil)
var _ pipeline.ResponseHeaders = (*response)(nil)
var _ pipeline.Upgrader = (*response)(nil)
var _ pipeline.Streaming = (*response)(nil)
