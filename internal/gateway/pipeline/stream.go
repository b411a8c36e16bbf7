package pipeline

import (
	"io"
	"time"
)

// Owner is an API type's side of its exchanges: it completes an exchange
// whose streamed body outlives the pipeline (access log, metrics, return to
// its pool). An API type's exchange implements it, so that the interface
// holds a pointer and setting it allocates nothing.
type Owner interface {
	// StreamDone is called once, on the goroutine that served the request,
	// when the engine has sent and closed a body passed to StreamBody after
	// the pipeline returned. err is why the stream broke off (nil: it was
	// sent whole); ResponseLength is what was sent.
	StreamDone(err error)
}

// Begin marks the pipeline as running for owner: a stream closed before
// End leaves the exchange's completion to the pipeline.
func (x *Exchange) Begin(owner Owner) {
	x.owner, x.serving = owner, true
}

// End is called once the pipeline has returned. pending reports that a
// streamed body is still being sent: the stream's Close then completes the
// exchange (Owner.StreamDone), and the pipeline must leave it alone.
// Otherwise streamErr is why a stream that the engine read whole before
// sending anything broke off (nil: it did not, or there was none): the
// client is still to get that failure's answer. Then Settle.
func (x *Exchange) End() (pending bool, streamErr error) {
	x.serving = false
	if x.streamed && !x.streamClosed {
		x.Status = x.Resp.Status()
		return true, nil
	}
	if x.streamErr != nil {
		x.streamed = false
		return false, x.streamErr
	}
	return false, nil
}

// Settle records the status and length of the response the pipeline
// wrote, for the access log and metrics.
func (x *Exchange) Settle() {
	x.Status = x.Resp.Status()
	if !x.streamed {
		x.ResponseLength = x.Resp.BodySize()
	}
}

// StreamBody sends r as the response body (size -1: unknown) and defers
// the exchange's accounting — access log, metrics, return to the pool —
// until the engine has sent the stream and closed it, so that they record
// the real length and duration. Integrations stream through this, never
// through Resp.SetBodyStream directly.
//
// A read error other than io.EOF is the integration's failure (a
// *Failure, or an error taken as INTEGRATION_FAILURE): the engine stops
// sending and closes the connection, so the client sees an incomplete
// message, and the exchange is recorded with the status of that failure's
// answer (access log, 5XXError metric, a log line), not the status already
// sent. Integrations read a stream's first bytes before calling
// StreamBody, so that a backend failing at once still gets the gateway's
// own answer.
func (x *Exchange) StreamBody(r io.Reader, size int) {
	x.streamed = true
	x.Resp.SetBodyStream(&accountedStream{r: r, x: x}, size)
}

// Streaming is what an engine offers long streamed responses
// (responseTransferMode STREAM).
type Streaming interface {
	// StreamUntil lets the response be written until deadline instead of
	// within the engine's write timeout, and sends the status line and
	// headers at once, before the first bytes of the body.
	StreamUntil(deadline time.Time)
}

// StreamBodyUntil is StreamBody for a response that may take until
// deadline (a streamed integration response): the status line and headers
// go out at once, the body as the integration yields it.
func (x *Exchange) StreamBodyUntil(r io.Reader, size int, deadline time.Time) {
	if s, ok := x.Resp.(Streaming); ok {
		s.StreamUntil(deadline)
	}
	x.StreamBody(r, size)
}

// accountedStream counts a streamed body and completes its exchange when
// the engine closes it. Engines read and close on the goroutine that
// served the request, so no locking is needed.
type accountedStream struct {
	r   io.Reader
	x   *Exchange
	n   int
	err error
}

func (s *accountedStream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += n
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *accountedStream) Close() error {
	var err error
	if c, ok := s.r.(io.Closer); ok {
		err = c.Close()
	}
	x := s.x
	if x == nil {
		return err
	}
	s.x = nil
	x.ResponseLength = s.n
	x.streamErr = s.err
	if x.serving {
		// Closed before the pipeline returned (an engine that buffers the
		// stream): End reports it.
		x.streamClosed = true
		return err
	}
	if x.owner != nil {
		x.owner.StreamDone(x.streamErr)
	}
	return err
}
