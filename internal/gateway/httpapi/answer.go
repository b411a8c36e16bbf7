package httpapi

import (
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// headerRequestID carries the request id on every response of an HTTP API
// (REST APIs send x-amzn-RequestId instead) [D][C].
const headerRequestID = "apigw-requestid"

// headerAmznRequestID carries the same id: Tollgate's contract is that
// every data-plane response, of any API type, has x-amzn-RequestId, so
// that clients and tests find the id in one place [T].
const headerAmznRequestID = "x-amzn-RequestId"

// setRequestID puts id in both request id headers of resp.
func setRequestID(resp pipeline.Response, id string) {
	resp.SetHeader(headerRequestID, id)
	resp.SetHeader(headerAmznRequestID, id)
}

// newRequestID returns a request id as HTTP APIs print them: 16
// characters, the last an "=" ("Mc7UVioPPHcEKPA=") [D]. It is also the
// extended request id ($context.extendedRequestId equals
// $context.requestId in HTTP APIs [D]).
func newRequestID() string { return pipeline.NewExtendedID() }

// answer is one of the gateway's own responses. HTTP APIs have no gateway
// responses to customise: every answer is a status and a compact JSON
// message, with content-type application/json [D][C].
type answer struct {
	status  int
	message string
	body    []byte
}

func newAnswer(status int, message string) *answer {
	return &answer{status: status, message: message, body: []byte(`{"message":"` + message + `"}`)}
}

// The gateway's answers (reference: "Troubleshooting HTTP APIs" and
// captures of real responses).
var (
	notFound       = newAnswer(404, "Not Found")                       // no stage, no route [D]
	unauthorized   = newAnswer(401, "Unauthorized")                    // missing or invalid identity [D][C]
	forbidden      = newAnswer(403, "Forbidden")                       // denied [C]
	tooMany        = newAnswer(429, "Too Many Requests")               // throttled [D status; U body]
	internalError  = newAnswer(500, "Internal Server Error")           // integration or authorizer failure [D]
	unavailable    = newAnswer(503, "Service Unavailable")             // integration timeout [C]
	badRequest     = newAnswer(400, "Bad Request")                     // [U]
	tooLarge       = newAnswer(413, "Request Entity Too Large")        // over 10 MB [U: body]
	headTooLarge   = newAnswer(431, "Request Header Fields Too Large") // over 10240 bytes [U]
	requestTimeout = newAnswer(408, "Request Timeout")
)

// answerFor maps a failure's type to the answer HTTP APIs give it.
func answerFor(t pipeline.ResponseType) *answer {
	switch t {
	case pipeline.ResourceNotFound:
		return notFound
	case pipeline.Unauthorized:
		return unauthorized
	case pipeline.AccessDenied, pipeline.InvalidSignature, pipeline.MissingAuthenticationToken,
		pipeline.ExpiredToken, pipeline.InvalidAPIKey, pipeline.WAFFiltered:
		// IAM failures of every kind are 403 {"message":"Forbidden"} [L][U].
		return forbidden
	case pipeline.Throttled, pipeline.QuotaExceeded:
		return tooMany
	case pipeline.IntegrationTimeout:
		return unavailable
	case pipeline.RequestTooLarge:
		return tooLarge
	case pipeline.BadRequestBody, pipeline.BadRequestParameters:
		return badRequest
	}
	return internalError
}

// writeAnswer sends a.
func writeAnswer(resp pipeline.Response, a *answer) {
	resp.SetStatus(a.status)
	resp.SetHeader("Content-Type", "application/json")
	resp.SetBody(a.body)
}
