package upstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// A Lambda function answering an HTTP integration in the streaming mode
// (application/vnd.awslambda.http-integration-response) begins with a JSON
// prelude (statusCode, headers, multiValueHeaders, cookies), then 8 NUL
// bytes, then the body; "API Gateway begins the payload stream after it
// receives the valid metadata and delimiter" (API Gateway Developer Guide,
// "Set up a Lambda proxy integration with payload response streaming").
const (
	// HTTPIntegrationContentType is such a response's content type.
	HTTPIntegrationContentType = "application/vnd.awslambda.http-integration-response"
	// MaxPrelude bounds the prelude and its delimiter: 16 KB [U: from a
	// secondary summary of AWS's page].
	MaxPrelude = 16 << 10
)

var preludeDelimiter = make([]byte, 8)

// ErrNoPrelude: the response did not begin with a prelude and its
// delimiter within MaxPrelude bytes.
var ErrNoPrelude = errors.New("the function's response has no prelude (metadata and 8 NUL bytes) within its first 16 KB")

// ReadPrelude reads r up to the prelude's delimiter and returns the
// prelude and a reader of the body: what followed the delimiter, then the
// rest of r. A read error of r before the delimiter is returned as is; an
// r that ends first, or a prelude too long, is ErrNoPrelude.
func ReadPrelude(r io.Reader) (prelude []byte, body io.Reader, err error) {
	buf := make([]byte, 0, 1024)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), MaxPrelude)])
		buf = buf[:len(buf)+n]
		if i := bytes.Index(buf, preludeDelimiter); i >= 0 {
			return buf[:i], &preludeBody{first: buf[i+len(preludeDelimiter):], r: r, err: err}, nil
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil, nil, fmt.Errorf("%w (it ended after %d bytes)", ErrNoPrelude, len(buf))
		case err != nil:
			return nil, nil, err
		case len(buf) >= MaxPrelude:
			return nil, nil, ErrNoPrelude
		}
	}
}

// preludeBody is the body after a prelude: the bytes read with it, then
// the rest of the response (or the error that came with them).
type preludeBody struct {
	first []byte
	r     io.Reader
	err   error
}

func (b *preludeBody) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.r.Read(p)
}

// SetReadDeadline bounds the response's reads, when it can be.
func (b *preludeBody) SetReadDeadline(t time.Time) error {
	if d, ok := b.r.(ReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
