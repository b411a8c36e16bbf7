package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Payload limits of synchronous invocations, as Lambda enforces them.
const (
	// MaxRequestPayload is the largest invocation payload in bytes (6 MB).
	MaxRequestPayload = 6 * 1024 * 1024
	// MaxResponsePayload is the largest response a function may post in bytes.
	// Lambda allows 6 MB plus 100 bytes and names this figure in its error.
	MaxResponsePayload = 6*1024*1024 + 100
)

// FunctionErrorUnhandled is the value of [Result.FunctionError] (and of
// Lambda's X-Amz-Function-Error header) for every failed invocation.
const FunctionErrorUnhandled = "Unhandled"

// Errors returned by [Pool.Invoke]. Test for them with errors.Is.
var (
	// ErrTooManyRequests means the function's concurrency limit was reached
	// and no instance became free before the context ended. Lambda answers
	// 429 TooManyRequestsException ("Rate Exceeded.", reason
	// "ReservedFunctionConcurrentInvocationLimitExceeded"). The returned error
	// also wraps the context's error.
	ErrTooManyRequests = errors.New("concurrency limit reached")

	// ErrRequestTooLarge means the payload is larger than [MaxRequestPayload].
	// Lambda answers 413 RequestEntityTooLargeException ("Request must be
	// smaller than 6291456 bytes for the InvokeFunction operation").
	ErrRequestTooLarge = errors.New("request payload too large")

	// ErrClosed means the pool was closed before or during the invocation.
	ErrClosed = errors.New("pool closed")
)

// Error types that Lambda puts in the error documents it writes itself.
const (
	errTypeExit            = "Runtime.ExitError"
	errTypeEntrypoint      = "Runtime.InvalidEntrypoint"
	errTypeRuntimeUnknown  = "Runtime.Unknown"
	errTypeTimeout         = "Sandbox.Timedout"
	errTypeResponseSize    = "Function.ResponseSizeTooLarge"
	errTypeFunctionUnknown = "Function.Unknown"
)

// errorDoc is Lambda's error document: the payload of a failed invocation and
// the body of the Runtime API's own error answers.
type errorDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType,omitempty"`
}

// marshal encodes the document as Lambda does, without escaping <, > and &.
func (d errorDoc) marshal() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil { // cannot happen: strings only
		panic(fmt.Errorf("runtime: marshal error document: %w", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// sandboxError builds the document Lambda writes for failures it detects
// itself: "RequestId: <id> Error: <message>".
func sandboxError(errorType, requestID, message string) []byte {
	return errorDoc{
		ErrorType:    errorType,
		ErrorMessage: fmt.Sprintf("RequestId: %s Error: %s", requestID, message),
	}.marshal()
}

// timeoutError is Lambda's answer when the function runs past its timeout:
// {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: … Error: Task timed out after 3.00 seconds"}.
func timeoutError(requestID string, budget time.Duration) []byte {
	return sandboxError(errTypeTimeout, requestID,
		fmt.Sprintf("Task timed out after %.2f seconds", budget.Seconds()))
}

// exitError is Lambda's answer when the runtime process exits while it holds
// an invocation (or before it asked for one).
func exitError(requestID, exitStatus string) []byte {
	msg := "Runtime exited without providing a reason"
	if exitStatus != "" {
		msg = "Runtime exited with error: " + exitStatus
	}
	return sandboxError(errTypeExit, requestID, msg)
}

// oversizedResponseError is Lambda's answer when the function's response is
// larger than MaxResponsePayload.
func oversizedResponseError() []byte {
	return errorDoc{
		ErrorType: errTypeResponseSize,
		ErrorMessage: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).",
			MaxResponsePayload),
	}.marshal()
}

var validErrorType = regexp.MustCompile(`^(Runtime|Function)\.[A-Z][a-zA-Z]+$`)

// functionErrorPayload turns what a runtime posted to an error endpoint into
// the invocation's payload: a JSON body passes through unchanged (that is
// what aws-lambda-go and the other runtime clients send); anything else is
// wrapped into an error document typed by the Lambda-Runtime-Function-Error-Type
// header, as Lambda does when a runtime sends no usable body.
func functionErrorPayload(body []byte, headerType string) []byte {
	if len(body) > 0 && json.Valid(body) {
		return body
	}
	typ := headerType
	if !validErrorType.MatchString(typ) {
		typ = errTypeRuntimeUnknown
		if strings.HasPrefix(headerType, "Function.") {
			typ = errTypeFunctionUnknown
		}
	}
	msg := string(body)
	if msg == "" {
		msg = "Unknown application error occurred"
	}
	return errorDoc{ErrorType: typ, ErrorMessage: msg}.marshal()
}

// EntrypointFailure is the result of an invocation whose runtime cannot be
// started at all (a missing interpreter, say), as Lambda answers for an
// unstartable bootstrap: FunctionError Unhandled and
// {"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: <id> Error: <message>"}.
func EntrypointFailure(requestID, message string) Result {
	return Result{Payload: sandboxError(errTypeEntrypoint, requestID, message), FunctionError: FunctionErrorUnhandled}
}
