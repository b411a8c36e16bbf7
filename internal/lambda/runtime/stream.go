package runtime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Response streaming: a runtime that posts its answer with
// Lambda-Runtime-Function-Response-Mode: streaming (chunked) hands the
// caller of [Pool.InvokeStream] the bytes as it writes them ("Lambda
// returns the response payload in chunks by using HTTP/1.1 chunked transfer
// encoding", AWS Lambda Developer Guide, "Using the Lambda runtime API for
// custom runtimes"). An error met half-way comes in the trailers
// Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body
// (the base64 error document), which the runtime declares up front.
const (
	hdrResponseMode    = "Lambda-Runtime-Function-Response-Mode"
	responseModeStream = "streaming"

	// MaxStreamedResponse is the most a streamed response may carry: 200 MB
	// ("a maximum response size of 200 MB", AWS Lambda Developer Guide,
	// "Response streaming for Lambda functions").
	MaxStreamedResponse = 200 * 1024 * 1024
)

// FunctionError ends a streamed response whose function failed: error
// trailers, a crash, a timeout, an oversized response. What the stream
// yielded before it is what the function sent.
type FunctionError struct {
	// Payload is Lambda's error document ({"errorMessage","errorType",…}).
	Payload []byte
}

// Error implements error.
func (e *FunctionError) Error() string { return "function error: " + string(e.Payload) }

// responseStream is a streamed response on its way from the runtime's POST,
// served on its connection's goroutine (the handler), to the caller of the
// invocation (the consumer), who reads the request body directly. The
// handler waits, without touching the body, until the consumer closes the
// stream; it then reads whatever the consumer left (the function runs on,
// as in Lambda), answers the runtime, and gives the instance back.
//
// The invocation ends once, claimed with instance.take: by the consumer at
// the end of the body (or at an error), by the function's timeout, or by
// the handler when the consumer left early.
type responseStream struct {
	in          *instance
	inv         *invocation
	body        io.Reader
	contentType string
	trailer     func() (typ, body string) // the error trailers, once body is at EOF
	conn        net.Conn                  // the runtime's connection

	// Set by instance.invoke before the consumer has the stream.
	start time.Time
	timer *time.Timer // the function's timeout, still running
	// Set by the pool before the consumer has the stream; nil when the
	// stream was abandoned.
	release func(healthy bool)

	closed    chan struct{} // closed by Close or abandon: the handler takes over
	closeOnce sync.Once

	// Owned by the consumer until closed, then by the handler.
	n          int64
	eof        bool  // the body was read to its end
	bodyFailed bool  // reading the body failed: the runtime's request is broken
	err        error // the sticky end of Read: io.EOF or a *FunctionError
	healthy    bool  // the ending found the instance fit for reuse
}

// isStreamingResponse reports a /response POST in the streaming mode.
func isStreamingResponse(ctx *fasthttp.RequestCtx) bool {
	return strings.EqualFold(string(ctx.Request.Header.Peek(hdrResponseMode)), responseModeStream)
}

// handleStreamingResponse serves a streaming /response: it hands the body
// to the invocation and waits until its consumer is done with it.
func (in *instance) handleStreamingResponse(ctx *fasthttp.RequestCtx, id string) {
	inv := in.pending(id)
	if inv == nil {
		renderInvalidRequestID(ctx)
		return
	}
	body := ctx.RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(ctx.Request.Body())
	}
	s := &responseStream{
		in:          in,
		inv:         inv,
		body:        body,
		contentType: string(ctx.Request.Header.ContentType()),
		trailer: func() (string, string) {
			return string(ctx.Request.Header.Peek(trailerErrorType)), string(ctx.Request.Header.Peek(trailerErrorBody))
		},
		conn:   ctx.Conn(),
		closed: make(chan struct{}),
	}
	if !in.startStream(inv, s) {
		renderInvalidRequestID(ctx)
		return
	}
	<-s.closed
	s.finish()
	if s.bodyFailed {
		ctx.SetConnectionClose()
	} else {
		renderAccepted(ctx)
	}
	if s.release != nil {
		s.release(s.healthy && !s.bodyFailed)
	}
}

// startStream hands s to the invocation's waiter, unless the invocation
// has ended already (a timeout, say).
func (in *instance) startStream(inv *invocation, s *responseStream) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.current != inv || inv.stream != nil {
		return false
	}
	inv.stream = s
	inv.done <- reply{stream: s} // capacity 1, and no other answer was sent
	return true
}

// abandon gives the handler back a stream no consumer received (the
// invocation ended another way first).
func (s *responseStream) abandon() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// finish runs on the handler once the consumer is done: it reads what the
// consumer left of the body, ending the invocation if nobody did.
func (s *responseStream) finish() {
	if s.eof || s.bodyFailed {
		return
	}
	// The consumer stopped early (or never started): the function goes on
	// until it ends its response or its timeout kills it.
	if _, err := io.Copy(io.Discard, s.body); err != nil {
		s.bodyFailed = true
		if s.in.take(s.inv) {
			s.stopTimer()
			s.in.kill()
		}
		return
	}
	s.eof = true
	if s.in.take(s.inv) {
		s.stopTimer()
		s.healthy = true
		drainLogs(s.in.readers[:]...)
	}
}

func (s *responseStream) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// timedOut runs when the function's timeout expires during the stream:
// the instance is killed, which breaks the body off.
func (s *responseStream) timedOut(budget time.Duration) {
	if !s.in.takeWith(s.inv, timeoutError(s.inv.id, budget)) {
		return
	}
	s.in.kill()
	s.in.log.Warn("invocation timed out while streaming its response; instance killed", "requestId", s.inv.id, "timeout", budget)
}

// Read returns the function's bytes as the runtime sends them; the stream
// ends with io.EOF, or a *FunctionError when the function failed.
func (s *responseStream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.body.Read(p)
	s.n += int64(n)
	switch {
	case s.n > MaxStreamedResponse:
		// The function may write on; the handler discards the rest.
		s.end(true, streamTooLargeError())
		n = 0
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		s.eof = true
		var payload []byte
		if typ, b64 := s.trailer(); typ != "" {
			doc, _ := base64.StdEncoding.DecodeString(b64)
			payload = functionErrorPayload(doc, typ)
		}
		s.end(true, payload)
	case isTimeout(err):
		// The caller's deadline (SetReadDeadline): the function may not
		// go on with a half-read response, so it ends here.
		s.bodyFailed = true
		if s.in.take(s.inv) {
			s.stopTimer()
			s.in.kill()
		}
		s.err = err
	default:
		s.bodyFailed = true
		s.broken(err)
	}
	// The consumer will not read the body again: the handler takes over
	// now, so that the instance is free as soon as possible.
	s.Close()
	return n, s.err
}

// end ends the invocation with the function's error payload (nil: it
// succeeded), unless it has ended another way.
func (s *responseStream) end(healthy bool, payload []byte) {
	if !s.in.take(s.inv) {
		s.err = s.otherEnd()
		return
	}
	s.stopTimer()
	drainLogs(s.in.readers[:]...)
	s.healthy = healthy
	if payload != nil {
		s.err = &FunctionError{Payload: payload}
	} else {
		s.err = io.EOF
	}
}

// broken ends a stream whose runtime connection failed: the process died,
// or was killed (by the timeout, or the pool closing).
func (s *responseStream) broken(cause error) {
	if !s.in.take(s.inv) {
		s.err = s.otherEnd()
		return
	}
	s.stopTimer()
	in := s.in
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-in.exited:
		in.log.Warn("runtime exited while streaming a response", "requestId", s.inv.id, "status", in.exitStatus)
		s.err = &FunctionError{Payload: exitError(s.inv.id, in.exitStatus)}
	case <-t.C:
		// The runtime broke its connection off but lives on: Lambda would
		// discard the environment.
		in.kill()
		in.log.Warn("runtime broke off a streamed response; instance killed", "requestId", s.inv.id, "error", cause)
		s.err = &FunctionError{Payload: exitError(s.inv.id, "")}
	}
}

// otherEnd is the error of an invocation ended by someone else.
func (s *responseStream) otherEnd() error {
	s.in.mu.Lock()
	payload := s.inv.failure
	s.in.mu.Unlock()
	if payload == nil {
		payload = exitError(s.inv.id, "")
	}
	return &FunctionError{Payload: payload}
}

// SetReadDeadline bounds the caller's reads: a read still waiting for the
// function at t fails with a timeout, which ends the invocation (the
// instance is killed; a caller that only stops reading uses Close).
func (s *responseStream) SetReadDeadline(t time.Time) error {
	if s.conn == nil {
		return nil
	}
	return s.conn.SetReadDeadline(t)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Close ends the consumer's use of the stream. The function runs on to the
// end of its response (or its timeout); the instance is reused after that.
func (s *responseStream) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

// streamTooLargeError is the error of a streamed response over
// MaxStreamedResponse [U: the message Lambda gives for this limit].
func streamTooLargeError() []byte {
	return errorDoc{
		ErrorType:    errTypeResponseSize,
		ErrorMessage: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxStreamedResponse),
	}.marshal()
}

// bufferStream reads a streamed response whole, as Invoke returns a
// function's answer: up to MaxResponsePayload bytes, else Lambda's
// oversized-response error (the function runs on; the rest is discarded).
func bufferStream(res Result) Result {
	s := res.Stream
	defer s.Close()
	out := Result{InitDuration: res.InitDuration}
	b, err := io.ReadAll(io.LimitReader(s, MaxResponsePayload+1))
	var fe *FunctionError
	switch {
	case errors.As(err, &fe):
		out.Payload, out.FunctionError = fe.Payload, FunctionErrorUnhandled
	case len(b) > MaxResponsePayload:
		out.Payload, out.FunctionError = oversizedResponseError(), FunctionErrorUnhandled
	default:
		out.Payload = b
	}
	if rs, ok := s.(*responseStream); ok {
		out.Duration = time.Since(rs.start)
	}
	return out
}
