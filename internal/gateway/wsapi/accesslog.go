package wsapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// An access-log line is written for each event of a connection: its
// $connect (the handshake), each message and its $disconnect, with the
// $context variables WebSocket APIs define ($context.connectionId,
// eventType, messageId, routeKey, status, …) [D: "Logging variables for
// WebSocket APIs"]. An accepted $connect logs status 200, as AWS does for
// the route [U]; a refused one the status it was refused with; a message
// 200, or the error frame's status (403 Forbidden, 429, 500).

// eventLog is what an event's log line reads.
type eventLog struct {
	stage      *Stage
	route      *Route
	conn       *conn
	eventType  string
	requestID  string
	messageID  string
	start      time.Time
	status     int
	errType    pipeline.ResponseType
	errMessage string
	integStart time.Time
	integTime  time.Duration
	integCode  int
	invalid    string           // why the message failed validation
	req        pipeline.Request // the handshake's; nil: the connection's
}

// logEvent writes an event's access-log line (when the stage has an
// access log) and counts it in the stage's metrics: apigateway_Count and
// the 4XX/5XX errors by route (a route's count is its ConnectCount or
// MessageCount), IntegrationLatency.
func (st *Stage) logEvent(e *eventLog) {
	if st.AccessLog == nil && st.Metrics == nil {
		return
	}
	c := e.conn
	x := &pipeline.Exchange{Req: e.req, RequestID: e.requestID, ExtendedID: e.requestID, Start: e.start,
		Address: pipeline.Address{DomainName: c.domainName, APIID: st.APIID, StageName: st.Name},
		Stage:   &st.StageInfo, Status: e.status, ErrorType: e.errType, ErrorMessage: e.errMessage,
		IntegrationStart: e.integStart, IntegrationLatency: e.integTime, IntegrationStatus: e.integCode,
		Connection:      &pipeline.Connection{ID: c.id, EventType: e.eventType, MessageID: e.messageID, ConnectedAt: c.connectedAt},
		ValidationError: e.invalid,
	}
	if x.Req == nil {
		x.Req = connRequest{c}
	}
	if e.route != nil {
		x.Route = &e.route.RouteInfo
	}
	if len(c.authorizer) > 0 {
		x.Auth.Authorized = true
		x.Auth.Context = c.authorizerText()
		x.Auth.PrincipalID = x.Auth.Context["principalId"]
	}
	x.ResponseLength = -1
	if st.AccessLog != nil {
		st.AccessLog.Write(x)
	}
	st.Metrics.Observe(x, time.Since(e.start), observe.CacheNone)
}

// authorizerText is the $connect authorizer's context as
// $context.authorizer.{key} reads it: strings [D].
func (c *conn) authorizerText() map[string]string {
	var m map[string]any
	_ = json.Unmarshal(c.authorizer, &m)
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch s := v.(type) {
		case string:
			out[k] = s
		default:
			b, _ := json.Marshal(s)
			out[k] = string(b)
		}
	}
	return out
}

// connRequest presents a connection to the $context variables that read
// the request of a message or $disconnect event: the client's address and
// agent; a WebSocket event has no method, path or headers.
type connRequest struct{ c *conn }

func (connRequest) Method() string   { return "" }
func (connRequest) Host() string     { return "" }
func (connRequest) Path() string     { return "" }
func (connRequest) RawQuery() string { return "" }
func (r connRequest) Header(name string) string {
	if len(name) == len("User-Agent") && equalFoldASCII(name, "User-Agent") {
		return r.c.identity.UserAgent
	}
	return ""
}
func (connRequest) VisitHeaders(func(name, value []byte)) {}
func (r connRequest) RemoteAddr() netip.AddrPort {
	a, err := netip.ParseAddr(r.c.identity.SourceIP)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a, 0)
}
func (connRequest) ContentLength() int64 { return 0 }
func (connRequest) Body() io.Reader      { return http.NoBody }
func (connRequest) Protocol() string     { return "HTTP/1.1" }
func (connRequest) TLS() bool            { return false }

var _ pipeline.Request = connRequest{}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
