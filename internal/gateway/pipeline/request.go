package pipeline

import (
	"io"
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
