// Package gatewaytest provides in-memory pipeline.Request and
// pipeline.Response implementations, to drive the pipeline without an HTTP
// engine in tests and benchmarks.
package gatewaytest

import (
	"bytes"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Request is an in-memory request.
type Request struct {
	M, HostName, P, Q string
	Headers           [][2]string
	BodyBytes         []byte
	Remote            netip.AddrPort
	ChunkedBody       bool
	// BodyErr, when set, is returned by the body after BodyBytes, as by a
	// client whose body breaks off.
	BodyErr error
	reader  bytes.Reader
}

// NewRequest builds a GET-style request for method and target ("/path?query").
func NewRequest(method, host, target string, body []byte, headers ...string) *Request {
	p, q, _ := strings.Cut(target, "?")
	r := &Request{M: method, HostName: host, P: p, Q: q, BodyBytes: body, Remote: netip.MustParseAddrPort("203.0.113.7:50000")}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, [2]string{headers[i], headers[i+1]})
	}
	return r
}

// Reset rewinds the body so the request can be served again.
func (r *Request) Reset() { r.reader.Reset(r.BodyBytes) }

func (r *Request) Method() string   { return r.M }
func (r *Request) Host() string     { return r.HostName }
func (r *Request) Path() string     { return r.P }
func (r *Request) RawQuery() string { return r.Q }
func (r *Request) Protocol() string { return "HTTP/1.1" }
func (r *Request) TLS() bool        { return false }

func (r *Request) Header(name string) string {
	if strings.EqualFold(name, "Host") {
		return r.HostName
	}
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (r *Request) VisitHeaders(fn func(name, value []byte)) {
	fn([]byte("Host"), []byte(r.HostName))
	for _, h := range r.Headers {
		fn([]byte(h[0]), []byte(h[1]))
	}
}

func (r *Request) RemoteAddr() netip.AddrPort { return r.Remote }

func (r *Request) ContentLength() int64 {
	if r.ChunkedBody {
		return -1
	}
	return int64(len(r.BodyBytes))
}

func (r *Request) Body() io.Reader {
	r.reader.Reset(r.BodyBytes)
	if r.BodyErr != nil {
		return io.MultiReader(&r.reader, errReader{r.BodyErr})
	}
	return &r.reader
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Response records what the pipeline sent.
type Response struct {
	Code    int
	Headers http.Header
	Raw     map[string]string // last value set per exact header name
	BodyBuf []byte
	Stream  io.Reader
	size    int
	// ReadStreams makes SetBodyStream read a stream whole at once and
	// close it, as an engine that cannot stream to a client does.
	ReadStreams bool
}

// NewResponse returns an empty response (status 200).
func NewResponse() *Response {
	return &Response{Code: 200, Headers: http.Header{}, Raw: map[string]string{}}
}

// Reset clears the response for reuse.
func (w *Response) Reset() {
	w.Code = 200
	clear(w.Headers)
	clear(w.Raw)
	w.BodyBuf = w.BodyBuf[:0]
	w.Stream = nil
}

func (w *Response) SetStatus(code int) { w.Code = code }
func (w *Response) Status() int        { return w.Code }
func (w *Response) SetHeader(n, v string) {
	w.Headers.Set(n, v)
	w.Raw[n] = v
}
func (w *Response) AddHeader(n, v string) {
	w.Headers.Add(n, v)
	w.Raw[n] = v
}
func (w *Response) DelHeader(n string) { w.Headers.Del(n) }
func (w *Response) SetBody(b []byte)   { w.BodyBuf = append(w.BodyBuf[:0], b...); w.Stream = nil }
func (w *Response) SetBodyStream(r io.Reader, size int) {
	w.Stream, w.size = r, size
	if w.ReadStreams {
		w.Body()
	}
}
func (w *Response) BodySize() int {
	if w.Stream != nil {
		return w.size
	}
	return len(w.BodyBuf)
}

// ResponseHeader implements pipeline.ResponseHeaders.
func (w *Response) ResponseHeader(n string) string { return w.Headers.Get(n) }

// Body returns the body, draining (and closing) a stream.
func (w *Response) Body() []byte {
	if w.Stream != nil {
		b, _ := io.ReadAll(w.Stream)
		if c, ok := w.Stream.(io.Closer); ok {
			_ = c.Close()
		}
		w.Stream = nil
		w.BodyBuf = b
	}
	return w.BodyBuf
}

var (
	_ pipeline.Request         = (*Request)(nil)
	_ pipeline.Response        = (*Response)(nil)
	_ pipeline.ResponseHeaders = (*Response)(nil)
)
