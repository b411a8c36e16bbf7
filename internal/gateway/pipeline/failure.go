package pipeline

import (
	"errors"
	"fmt"
)

// ResponseType is a gateway response type (the responses API Gateway
// itself produces).
type ResponseType uint8

// Gateway response types.
const (
	NoError ResponseType = iota
	AccessDenied
	APIConfigurationError
	AuthorizerConfigurationError
	AuthorizerFailure
	BadRequestBody
	BadRequestParameters
	Default4XX
	Default5XX
	ExpiredToken
	IntegrationFailure
	IntegrationTimeout
	InvalidAPIKey
	InvalidSignature
	MissingAuthenticationToken
	QuotaExceeded
	RequestTooLarge
	ResourceNotFound
	Throttled
	Unauthorized
	UnsupportedMediaType
	WAFFiltered
	// NumResponseTypes is the number of response types (NoError included),
	// for tables indexed by ResponseType.
	NumResponseTypes
)

// responseTypeInfo is each type's name, x-amzn-ErrorType and default message
// (reference §2.4).
var responseTypeInfo = [NumResponseTypes]struct {
	name, errorType, message string
}{
	NoError:                      {"", "", ""},
	AccessDenied:                 {"ACCESS_DENIED", "AccessDeniedException", "User is not authorized to access this resource"},
	APIConfigurationError:        {"API_CONFIGURATION_ERROR", "InternalServerErrorException", "Internal server error"},
	AuthorizerConfigurationError: {"AUTHORIZER_CONFIGURATION_ERROR", "AuthorizerConfigurationException", ""},
	AuthorizerFailure:            {"AUTHORIZER_FAILURE", "AuthorizerFailureException", ""},
	BadRequestBody:               {"BAD_REQUEST_BODY", "BadRequestException", "Invalid request body"},
	BadRequestParameters:         {"BAD_REQUEST_PARAMETERS", "BadRequestException", "Missing required request parameters"},
	Default4XX:                   {"DEFAULT_4XX", "", ""},
	Default5XX:                   {"DEFAULT_5XX", "", ""},
	ExpiredToken:                 {"EXPIRED_TOKEN", "ExpiredTokenException", "The security token included in the request is expired"},
	IntegrationFailure:           {"INTEGRATION_FAILURE", "InternalServerErrorException", "Internal server error"},
	IntegrationTimeout:           {"INTEGRATION_TIMEOUT", "InternalServerErrorException", "Endpoint request timed out"},
	InvalidAPIKey:                {"INVALID_API_KEY", "ForbiddenException", "Forbidden"},
	InvalidSignature:             {"INVALID_SIGNATURE", "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	MissingAuthenticationToken:   {"MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException", "Missing Authentication Token"},
	QuotaExceeded:                {"QUOTA_EXCEEDED", "LimitExceededException", "Limit Exceeded"},
	RequestTooLarge:              {"REQUEST_TOO_LARGE", "RequestEntityTooLargeException", "Request Too Long"},
	ResourceNotFound:             {"RESOURCE_NOT_FOUND", "ResourceNotFoundException", "Not Found"},
	Throttled:                    {"THROTTLED", "TooManyRequestsException", "Too Many Requests"},
	Unauthorized:                 {"UNAUTHORIZED", "UnauthorizedException", "Unauthorized"},
	UnsupportedMediaType:         {"UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException", "Unsupported Media Type"},
	WAFFiltered:                  {"WAF_FILTERED", "ForbiddenException", "Forbidden"},
}

// String returns the AWS name ("MISSING_AUTHENTICATION_TOKEN").
func (t ResponseType) String() string {
	if t < NumResponseTypes {
		return responseTypeInfo[t].name
	}
	return "UNKNOWN"
}

// ErrorType is the x-amzn-ErrorType sent with the response.
func (t ResponseType) ErrorType() string { return responseTypeInfo[t].errorType }

// ParseResponseType maps an AWS name to a ResponseType.
func ParseResponseType(name string) (ResponseType, bool) {
	for i := range NumResponseTypes {
		if responseTypeInfo[i].name == name && i != NoError {
			return i, true
		}
	}
	return NoError, false
}

// Failure is an error that becomes a gateway response.
type Failure struct {
	Type ResponseType
	// Message is $context.error.message; "" renders as null.
	Message string
	// Status, when non-zero, replaces the gateway response's status code
	// (a malformed Lambda proxy response is a DEFAULT_5XX answered with
	// 502, a status no response type has by default).
	Status int
	// ErrorType, when set, replaces the type's x-amzn-ErrorType (a
	// DEFAULT_5XX has none of its own; a malformed Lambda proxy response
	// is sent as InternalServerErrorException [L]).
	ErrorType string
	// Cause is for the log only.
	Cause error
}

func (f *Failure) Error() string {
	if f.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", f.Type, f.Message, f.Cause)
	}
	return f.Type.String() + ": " + f.Message
}

func (f *Failure) Unwrap() error { return f.Cause }

// Fail returns a Failure of type t with its default message.
func Fail(t ResponseType, cause error) *Failure {
	return &Failure{Type: t, Message: responseTypeInfo[t].message, Cause: cause}
}

// FailWith returns a Failure of type t with a specific message.
func FailWith(t ResponseType, message string, cause error) *Failure {
	return &Failure{Type: t, Message: message, Cause: cause}
}

// FailureOf returns err's Failure; any other error is an integration
// failure.
func FailureOf(err error) *Failure {
	var f *Failure
	if !errors.As(err, &f) {
		f = Fail(IntegrationFailure, err)
	}
	return f
}
