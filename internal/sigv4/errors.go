package sigv4

import (
	"fmt"
	"strings"
	"time"
)

// AWS error types ("__type" / x-amzn-ErrorType) that Verify can return in
// Error.Code. The caller chooses the HTTP status; AWS answers all of them
// with 403 Forbidden for the services Tollgate emulates.
const (
	// CodeMissingAuthenticationToken: the request carries neither an
	// Authorization header nor presigned query parameters.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature: the signature parameters are malformed or
	// incomplete (missing parameter, bad date, bad credential, algorithm).
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeInvalidSignature: the parameters are well formed but the request
	// fails verification (scope, clock skew, expiry, body hash, signature).
	CodeInvalidSignature = "InvalidSignatureException"
	// CodeUnrecognizedClient: the access key ID is unknown.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeMalformedQueryString: the query string holds an invalid
	// percent-escape, so no canonical query string can be built.
	CodeMalformedQueryString = "MalformedQueryString"
)

// Error is a verification failure shaped like the error AWS returns: Code is
// the AWS error type (one of the Code* constants) and Message is the text
// AWS puts in the response body. It carries no HTTP status; callers map it
// (AWS uses 403 for every one of these). Messages never contain a secret key
// or a derived signing key.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface as "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

const (
	msgMissingToken      = "Missing Authentication Token"
	msgUnrecognized      = "The security token included in the request is invalid."
	msgHostNotSigned     = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgBodyHashMismatch  = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgBothMechanisms = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter " +
		"or the Authorization header should be specified"
	msgMultipleAuthorization = "Only one 'Authorization' header is allowed."
)

func errMissingAuthenticationToken() *Error {
	return newError(CodeMissingAuthenticationToken, msgMissingToken)
}

func errUnrecognizedClient() *Error {
	return newError(CodeUnrecognizedClient, msgUnrecognized)
}

func errNotKeyValuePair(token, header string) *Error {
	return newError(CodeIncompleteSignature,
		"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", token, header)
}

func errUnsupportedAlgorithm(alg string) *Error {
	return newError(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '%s'.", alg)
}

func errBadDate(value string) *Error {
	return newError(CodeIncompleteSignature,
		"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", value)
}

func errBadCredential(cred string) *Error {
	return newError(CodeIncompleteSignature,
		"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", cred)
}

// errMissingHeaderParams builds AWS's cumulative message for an incomplete
// Authorization header: one sentence per missing parameter, in AWS's order,
// then the header itself.
func errMissingHeaderParams(missing []string, noDate bool, header string) *Error {
	var b strings.Builder
	for _, p := range missing {
		fmt.Fprintf(&b, "Authorization header requires '%s' parameter. ", p)
	}
	if noDate {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(header)
	return &Error{Code: CodeIncompleteSignature, Message: b.String()}
}

// errMissingQueryParams builds AWS's cumulative message for incomplete
// presigned (query-string) authentication.
func errMissingQueryParams(missing []string) *Error {
	var b strings.Builder
	for _, p := range missing {
		fmt.Fprintf(&b, "AWS query-string parameters must include '%s'. ", p)
	}
	b.WriteString("Re-examine the query-string parameters.")
	return &Error{Code: CodeIncompleteSignature, Message: b.String()}
}

// formatSpan renders a duration the way AWS does in skew messages
// ("15 min."), falling back to seconds for spans that are not whole minutes.
func formatSpan(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d sec", d/time.Second)
}

func errSignatureExpired(reqTime, now time.Time, window time.Duration) *Error {
	return newError(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s.)",
		reqTime.Format(isoBasic), now.Add(-window).Format(isoBasic), now.Format(isoBasic), formatSpan(window))
}

func errSignatureNotYetCurrent(reqTime, now time.Time, window time.Duration) *Error {
	return newError(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s.)",
		reqTime.Format(isoBasic), now.Add(window).Format(isoBasic), now.Format(isoBasic), formatSpan(window))
}

func errSignatureMismatch(canonicalRequest, stringToSign string) *Error {
	return newError(CodeInvalidSignature,
		"%s\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
		msgSignatureMismatch, canonicalRequest, stringToSign)
}
