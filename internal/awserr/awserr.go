// Package awserr is the single place where Tollgate's management errors are
// given their AWS shape: an HTTP status, an error type carried in the
// x-amzn-ErrorType header, and a JSON body {"message": "..."}.
//
// Handlers return *Error values (directly or wrapped with %w); anything else
// that reaches the boundary is an internal failure and becomes a 500 with a
// generic message, never the Go error text.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error is an AWS-shaped API error.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the AWS error type, sent in x-amzn-ErrorType.
	Code string
	// Message is the human-readable message, sent as {"message": ...}.
	Message string
	// RetryAfter, when positive, is sent as the Retry-After header (seconds).
	RetryAfter int
	// MessageKey names the body member holding Message: "message" when
	// empty. (Lambda's ResourceNotFoundException uses "Message".)
	MessageKey string
	// Fields are extra string members of the body, such as Lambda's
	// "Type": "User" and TooManyRequestsException's "Reason".
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New returns an *Error with the given status, code and message.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// BadRequest is a 400 BadRequestException.
func BadRequest(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "BadRequestException", sprintf(format, args...))
}

// NotFound is a 404 NotFoundException.
func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "NotFoundException", sprintf(format, args...))
}

// Conflict is a 409 ConflictException.
func Conflict(format string, args ...any) *Error {
	return New(http.StatusConflict, "ConflictException", sprintf(format, args...))
}

// LimitExceeded is a 429 LimitExceededException.
func LimitExceeded(format string, args ...any) *Error {
	return New(http.StatusTooManyRequests, "LimitExceededException", sprintf(format, args...))
}

// Serialization is a 400 SerializationException: the body is not valid JSON
// or a member has the wrong JSON type.
func Serialization(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "SerializationException", sprintf(format, args...))
}

// UnknownOperation is the answer to a method and path no operation is
// bound to: a 404 UnknownOperationException [U: AWS's message text].
func UnknownOperation(method, path string) *Error {
	return New(http.StatusNotFound, "UnknownOperationException", "No operation matches "+method+" "+path)
}

// ServiceUnavailable is a 503 ServiceUnavailableException with
// Retry-After: what (its "configuration store", its "usage store") cannot
// be reached for now (a cluster's database or Redis is down or
// restarting); the call may be retried [U: AWS sends this type with a
// retryAfterSeconds header for its own outages; the message is ours].
func ServiceUnavailable(what string) *Error {
	e := New(http.StatusServiceUnavailable, "ServiceUnavailableException",
		"The service is unavailable: its "+what+" cannot be reached. Retry later.")
	e.RetryAfter = 1
	return e
}

// Internal is the generic 500 sent when an unexpected error escapes a handler.
func Internal() *Error {
	return New(http.StatusInternalServerError, "InternalFailure",
		"The request processing has failed because of an unknown error, exception or failure.")
}

// Validation accumulates model-constraint violations and renders them as AWS
// does: "1 validation error detected: ...", "2 validation errors detected:
// ...; ...".
type Validation struct {
	msgs []string
}

// Enum records a value outside an enumeration. allowed is printed in the
// order given (AWS prints its own set order; callers pass it verbatim).
func (v *Validation) Enum(value, at string, allowed []string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, at, strings.Join(allowed, ", ")))
}

// EnumList records a list member whose elements must be enum values.
func (v *Validation) EnumList(value []string, at string, allowed []string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value '[%s]' at '%s' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [%s]]",
		strings.Join(value, ", "), at, strings.Join(allowed, ", ")))
}

// Pattern records a value that does not match a regular expression.
func (v *Validation) Pattern(value, at, pattern string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s",
		value, at, pattern))
}

// Add records a free-form constraint message.
func (v *Validation) Add(msg string) { v.msgs = append(v.msgs, msg) }

// Err returns nil if nothing was recorded, otherwise a 400 ValidationException.
func (v *Validation) Err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return New(http.StatusBadRequest, "ValidationException", "1 validation error detected: "+v.msgs[0])
	}
	return New(http.StatusBadRequest, "ValidationException",
		strconv.Itoa(len(v.msgs))+" validation errors detected: "+strings.Join(v.msgs, "; "))
}

// As extracts an *Error from err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
