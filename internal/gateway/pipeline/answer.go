package pipeline

import (
	"errors"
	"fmt"
	"net"
)

// ErrForbidden answers requests the gateway refuses in front of any API's
// customisation: 403 {"message":"Forbidden"} (ForbiddenException). A
// request that reaches no stage gets it [C/U], as do a disabled execute-api
// endpoint and a private API called from outside its networks [D].
var ErrForbidden = errors.New("forbidden")

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

// Refuse writes the gateway's fixed answer for err — ErrForbidden (403),
// ErrBadRequest (400), ErrRequestTimeout (408), ErrTooLarge (413, plain
// text [C][D]) — and reports whether err has one. No API customises these
// answers (they are not gateway responses).
func Refuse(resp Response, err error) bool {
	switch {
	case errors.Is(err, ErrForbidden):
		resp.SetStatus(403)
		resp.SetHeader("Content-Type", "application/json")
		resp.SetHeader("x-amzn-ErrorType", "ForbiddenException")
		resp.SetBody([]byte(`{"message":"Forbidden"}`))
	case errors.Is(err, ErrBadRequest):
		resp.SetStatus(400)
		resp.SetHeader("Content-Type", "application/json")
		resp.SetBody([]byte(`{"message":"Bad Request"}`))
	case errors.Is(err, ErrRequestTimeout):
		resp.SetStatus(408)
		resp.SetHeader("Content-Type", "application/json")
		resp.SetBody([]byte(`{"message":"Request Timeout"}`))
	case errors.Is(err, ErrTooLarge):
		resp.SetStatus(413)
		resp.SetHeader("Content-Type", "text/plain; charset=utf-8")
		resp.SetBody([]byte("HTTP content length exceeded 10485760 bytes."))
	default:
		return false
	}
	return true
}
