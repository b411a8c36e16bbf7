package pipeline

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
)

// Request is the client's request. Strings returned may alias the engine's
// buffers: they are valid until the exchange ends and must not be retained.
type Request interface {
	Method() string
	// Host is the Host header (no port stripping).
	Host() string
	// Path is the raw, still escaped, request path.
	Path() string
	// RawQuery is the query string without '?'.
	RawQuery() string
	// Header returns the first value of a header (case-insensitive), or "".
	Header(name string) string
	// VisitHeaders calls fn for every header line in order, with the
	// client's casing. The slices are only valid during the call.
	VisitHeaders(fn func(name, value []byte))
	// RemoteAddr is the client address.
	RemoteAddr() netip.AddrPort
	// ContentLength is the declared body size, -1 when unknown (chunked).
	ContentLength() int64
	// Body streams the request body.
	Body() io.Reader
	// Protocol is e.g. "HTTP/1.1".
	Protocol() string
	// TLS reports whether the request came over TLS.
	TLS() bool
}

// Response is what the pipeline sends back.
type Response interface {
	SetStatus(code int)
	Status() int
	SetHeader(name, value string)
	AddHeader(name, value string)
	DelHeader(name string)
	// SetBody sends b (copied) as the body.
	SetBody(b []byte)
	// SetBodyStream sends r as the body; size -1 means unknown (chunked). If
	// r is an io.Closer it is closed once written.
	SetBodyStream(r io.Reader, size int)
	// BodySize is the body length when known, else -1.
	BodySize() int
}

// MaxBody is API Gateway's request payload limit (10 MB).
const MaxBody = 10 << 20

// ErrTooLarge answers bodies over MaxBody (413, plain text). Integrations
// return it when a streamed body turns out too large.
var ErrTooLarge = errors.New("request body too large")

// ErrBadRequest answers requests the gateway will not take as sent: a path
// with a dot-segment, a request body whose framing is broken. The answer is
// the one the engine gives malformed requests, 400 {"message":"Bad
// Request"}, not a customisable gateway response: AWS rejects malformed
// requests in front of the API [U: AWS does not document these answers].
var ErrBadRequest = errors.New("bad request")

// ErrRequestTimeout answers a client that stopped sending its body: 408,
// as the engine answers one that stops sending its headers.
var ErrRequestTimeout = errors.New("request timeout")

// ClientBodyError classifies a failure to read the client's request body:
// whatever it is (broken chunked framing, a body shorter than its
// Content-Length, a read timeout), it is the client's, answered with a 4xx
// and counted as one, never as an integration failure.
func ClientBodyError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w: reading the request body: %w", ErrRequestTimeout, err)
	}
	return fmt.Errorf("%w: reading the request body: %w", ErrBadRequest, err)
}
