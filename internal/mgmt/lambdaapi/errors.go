package lambdaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// Lambda's error bodies carry "Type": "User" and the message under
// "message", except ResourceNotFoundException ("Message"); validation
// errors from the model carry the message only [V: LocalStack's
// recordings of AWS].
var userType = map[string]string{"Type": "User"}

func lambdaErr(status int, code, message string) *awserr.Error {
	e := awserr.New(status, code, message)
	e.Fields = userType
	return e
}

func invalidParameter(format string, args ...any) *awserr.Error {
	return lambdaErr(http.StatusBadRequest, "InvalidParameterValueException", fmt.Sprintf(format, args...))
}

func notFound(message string) *awserr.Error {
	e := lambdaErr(http.StatusNotFound, "ResourceNotFoundException", message)
	e.MessageKey = "Message"
	return e
}

// functionNotFound is "Function not found: <arn>".
func functionNotFound(arn string) *awserr.Error { return notFound("Function not found: " + arn) }

func conflict(message string) *awserr.Error {
	return lambdaErr(http.StatusConflict, "ResourceConflictException", message)
}

// accessDenied is Lambda's answer for a function ARN of another account
// (a 403 with no message).
func accessDenied() *awserr.Error {
	return awserr.New(http.StatusForbidden, "AccessDeniedException", "")
}

func preconditionFailed() *awserr.Error {
	return lambdaErr(http.StatusPreconditionFailed, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

// tooManyRequests is the throttling answer for a function whose reserved
// concurrency is exhausted.
func tooManyRequests() *awserr.Error {
	return &awserr.Error{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Rate Exceeded.",
		Fields: map[string]string{"Type": "User", "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"}}
}

// errRequestTooLarge is Lambda's answer to an oversized request:
// 413 RequestEntityTooLargeException {"Message": "Request must be smaller
// than 6291456 bytes for the InvokeFunction operation"} [C].
func errRequestTooLarge(operation string, limit int64) *awserr.Error {
	e := awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
		fmt.Sprintf("Request must be smaller than %d bytes for the %s operation", limit, operation))
	e.MessageKey = "Message"
	return e
}

func serviceError(message string) *awserr.Error {
	e := lambdaErr(http.StatusInternalServerError, "ServiceException", message)
	e.Fields = map[string]string{"Type": "Service"}
	e.MessageKey = "Message"
	return e
}

// mapErr turns the Lambda service's errors into API errors.
func (a *API) mapErr(err error, fr ref) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, lambda.ErrNotFound):
		return functionNotFound(a.arn(fr.name, fr.qualifier))
	case errors.Is(err, lambda.ErrExists):
		return conflict("Function already exist: " + fr.name)
	case errors.Is(err, lambda.ErrStatic):
		// Tollgate's own: the command line owns these functions.
		return invalidParameter("Function %s is registered with --function and cannot be changed through the API", fr.name)
	case errors.Is(err, lambda.ErrBadZip):
		return invalidParameter("%s", lambda.ErrBadZip.Error())
	case errors.Is(err, lambda.ErrZipTooLarge):
		return invalidParameter("%s", lambda.ErrZipTooLarge.Error())
	case errors.Is(err, runtime.ErrRequestTooLarge):
		return errRequestTooLarge("InvokeFunction", runtime.MaxRequestPayload)
	case errors.Is(err, runtime.ErrTooManyRequests):
		return tooManyRequests()
	case errors.Is(err, lambda.ErrClosed), errors.Is(err, runtime.ErrClosed):
		return serviceError("The service is shutting down.")
	case errors.Is(err, context.Canceled):
		return err
	}
	if e, ok := awserr.As(err); ok {
		return e
	}
	return err
}

// validation accumulates model-constraint violations: a 400
// ValidationException "1 validation error detected: …" whose body has only
// a message.
type validation struct{ msgs []string }

func (v *validation) add(format string, args ...any) {
	v.msgs = append(v.msgs, fmt.Sprintf(format, args...))
}

func (v *validation) pattern(value, at, pattern string) {
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, at, pattern)
}

func (v *validation) maxLen(value, at string, n int) {
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, at, n)
}

func (v *validation) min(value int, at string, n int) {
	v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", value, at, n)
}

func (v *validation) max(value int, at string, n int) {
	v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", value, at, n)
}

func (v *validation) enum(value, at string, allowed []string) {
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, at, strings.Join(allowed, ", "))
}

func (v *validation) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return awserr.New(http.StatusBadRequest, "ValidationException", "1 validation error detected: "+v.msgs[0])
	}
	return awserr.New(http.StatusBadRequest, "ValidationException",
		fmt.Sprintf("%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; ")))
}
