package integration

import (
	"errors"
	"io"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// invokeStream runs an AWS_PROXY integration in responseTransferMode
// STREAM: the function is invoked for a streamed response (the event is
// the same payload 1.0), its prelude gives the status and headers, and
// its body goes to the client as the function writes it, within the
// integration timeout and API Gateway's stream limits. Until the prelude
// is complete the client gets the gateway's own answers: 502 for a
// function error or a missing or malformed prelude [U], 504 for the
// timeout; a failure after that breaks the response off.
func (l *LambdaProxy) invokeStream(x *rest.Exchange, payload []byte) error {
	deadline := time.Now().Add(l.timeout)
	st, err := upstream.InvokeLambdaStream(&x.Exchange, l.inv, l.fn.Resolve(x.Variables()), payload, deadline)
	if err != nil {
		return err
	}
	limited := upstream.LimitStream(functionErrors{st.Body}, deadline, l.limits)
	prelude, body, err := upstream.ReadPrelude(limited)
	if err != nil {
		limited.Close()
		if errors.Is(err, upstream.ErrNoPrelude) {
			return malformed(err.Error())
		}
		return err
	}
	r, err := parseStreamPrelude(prelude)
	if err != nil {
		limited.Close()
		return err
	}
	x.IntegrationStatus = 200
	writeProxyHeader(x.Resp, r)
	x.StreamBodyUntil(&closingReader{Reader: body, c: limited}, -1, deadline)
	return nil
}

// functionErrors turns a function's failure into the gateway's (502).
type functionErrors struct{ io.ReadCloser }

func (f functionErrors) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	var fe *invoker.FunctionError
	if errors.As(err, &fe) {
		err = functionFailure("Unhandled", fe.Payload)
	}
	return n, err
}

// SetReadDeadline bounds the function's reads, when they can be.
func (f functionErrors) SetReadDeadline(t time.Time) error {
	if d, ok := f.ReadCloser.(upstream.ReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// closingReader reads one reader and closes another.
type closingReader struct {
	io.Reader
	c io.Closer
}

func (r *closingReader) Close() error { return r.c.Close() }
