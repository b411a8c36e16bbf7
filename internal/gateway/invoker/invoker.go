// Package invoker is the seam between the data plane and what runs Lambda
// functions (internal/lambda: the local runtime, or a remote Lambda
// endpoint). The data plane's integrations and authorizers call a Lambda;
// the runtime implements it and depends on nothing else of the data plane.
package invoker

import (
	"context"
	"errors"
	"io"
)

// Lambda invokes a Lambda function (locally or remotely).
type Lambda interface {
	// Invoke runs function (a name or ARN) with payload. A function error
	// is not an error: it is reported in the result.
	Invoke(ctx context.Context, function string, payload []byte) (Result, error)
}

// Result is a function's answer.
type Result struct {
	Payload []byte
	// FunctionError is X-Amz-Function-Error: "" on success, else
	// "Unhandled" (or "Handled").
	FunctionError string
}

// StreamingLambda is a Lambda that can hand over a function's response as
// the function writes it (Lambda's InvokeWithResponseStream), for API
// Gateway's streaming integrations.
type StreamingLambda interface {
	// InvokeStream runs function (a name or ARN) with payload. A function
	// error is not an error: the stream ends with it.
	InvokeStream(ctx context.Context, function string, payload []byte) (Stream, error)
}

// Stream is a function's answer as it is produced.
type Stream struct {
	// ContentType is the response's content type, as the function's
	// runtime gave it.
	ContentType string
	// Body yields the response; it ends with io.EOF, or with a
	// *FunctionError when the function failed (at once or half-way). The
	// caller must Close it.
	Body io.ReadCloser
}

// FunctionError ends a Stream whose function failed.
type FunctionError struct {
	// Payload is Lambda's error document.
	Payload []byte
}

// Error implements error.
func (e *FunctionError) Error() string { return "lambda function error: " + string(e.Payload) }

// Errors an invoker reports (wrapped), which the data plane maps to API
// Gateway's answers.
var (
	// ErrFunctionNotFound: no such function (AWS: a permission or
	// configuration problem, 500 Internal server error).
	ErrFunctionNotFound = errors.New("lambda function not found")
	// ErrThrottled: the function's concurrency is exhausted (502).
	ErrThrottled = errors.New("lambda function throttled")
	// ErrPayloadTooLarge: the request exceeds Lambda's 6 MB.
	ErrPayloadTooLarge = errors.New("lambda request payload too large")
)
