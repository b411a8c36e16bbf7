package wsapi

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
)

// Event types of requestContext.eventType [D][G].
const (
	eventConnect    = "CONNECT"
	eventMessage    = "MESSAGE"
	eventDisconnect = "DISCONNECT"
)

// event is a Lambda proxy event of a WebSocket API
// (events.APIGatewayWebsocketProxyRequest), its members in the order of
// AWS's captured events [G: aws-lambda-go events/testdata
// apigw-websocket-request-{send-message,disconnect}.json, captured in
// 2024]: those have no resource, path or httpMethod.
type event struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  eventContext        `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// eventContext is the event's requestContext [D][G].
type eventContext struct {
	RouteKey             string          `json:"routeKey"`
	DisconnectStatusCode int             `json:"disconnectStatusCode,omitempty"`
	MessageID            string          `json:"messageId,omitempty"`
	EventType            string          `json:"eventType"`
	ExtendedRequestID    string          `json:"extendedRequestId"`
	RequestTime          string          `json:"requestTime"`
	MessageDirection     string          `json:"messageDirection"`
	DisconnectReason     *string         `json:"disconnectReason,omitempty"`
	Stage                string          `json:"stage"`
	ConnectedAt          int64           `json:"connectedAt"`
	RequestTimeEpoch     int64           `json:"requestTimeEpoch"`
	Identity             identity        `json:"identity"`
	RequestID            string          `json:"requestId"`
	DomainName           string          `json:"domainName"`
	ConnectionID         string          `json:"connectionId"`
	APIID                string          `json:"apiId"`
	Authorizer           json.RawMessage `json:"authorizer,omitempty"`
}

// identity is requestContext.identity: the client's address and agent,
// and for an AWS_IAM $connect the caller [D].
type identity struct {
	AccessKey string `json:"accessKey,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Caller    string `json:"caller,omitempty"`
	User      string `json:"user,omitempty"`
	UserARN   string `json:"userArn,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
	SourceIP  string `json:"sourceIp"`
}

// newID returns an id in the form of AWS's connection, message and
// request ids: 16 characters of URL-safe base64, the last an "="
// ("R1kmxc2VNjMCFIA=", "VNRXVFJOywMF3-Q=") [G][C].
func newID() string {
	var b [11]byte
	u := rand.Uint64()
	for i := range 8 {
		b[i] = byte(u >> (8 * i))
	}
	u = rand.Uint64()
	for i := 8; i < 11; i++ {
		b[i] = byte(u >> (8 * (i - 8)))
	}
	return base64.URLEncoding.EncodeToString(b[:])
}

// requestTime is requestContext.requestTime: "20/Jan/2024:11:55:00 +0000".
func requestTime(t time.Time) string {
	return string(proxyevent.AppendRequestTime(nil, t))
}

// errorFrame is the text frame API Gateway sends a client when it cannot
// route or serve a message, spaced exactly as AWS spaces it [C]:
// {"message": "Forbidden", "connectionId":"…", "requestId":"…"}.
func errorFrame(message, connectionID, requestID string) []byte {
	b := make([]byte, 0, 80+len(message))
	b = append(b, `{"message": `...)
	b = appendJSONString(b, message)
	b = append(b, `, "connectionId":`...)
	b = appendJSONString(b, connectionID)
	b = append(b, `, "requestId":`...)
	b = appendJSONString(b, requestID)
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// Error frame messages [C].
const (
	msgForbidden       = "Forbidden"
	msgInternalError   = "Internal server error"
	msgTooManyRequests = "Too Many Requests" // [U: AWS's text for a throttled message]
)
