package pipeline

import (
	"strconv"
	"time"
)

// Connection is what an exchange of a WebSocket API records of its event:
// the connection, the event type (CONNECT, MESSAGE, DISCONNECT) and the
// message's id.
type Connection struct {
	ID, EventType, MessageID string
	ConnectedAt              time.Time
}

// The $context variables only WebSocket APIs define [D: "Logging
// variables for WebSocket APIs"].
const (
	CtxConnectionID CtxVar = CtxNull + 1 + iota
	CtxEventType
	CtxMessageID
	CtxConnectedAt
)

var wsVarNames = map[string]CtxVar{
	"connectionId": CtxConnectionID,
	"eventType":    CtxEventType,
	"messageId":    CtxMessageID,
	"connectedAt":  CtxConnectedAt,
	"routeKey":     CtxRouteKey,
}

// ParseWebSocketContextVar resolves a variable name (without
// "$context.") as WebSocket APIs define them: ParseContextVar's, plus
// connectionId, eventType, messageId, connectedAt and routeKey.
func ParseWebSocketContextVar(name string) CtxVar {
	if v, ok := wsVarNames[name]; ok {
		return v
	}
	return ParseContextVar(name)
}

// ParseWebSocketTemplate is ParseTemplate with the $context variables of
// WebSocket APIs, for their access logs.
func ParseWebSocketTemplate(s string) *Template { return parseTemplate(s, ParseWebSocketContextVar) }

// appendConnection appends a WebSocket variable's value.
func (x *Exchange) appendConnection(buf []byte, v CtxVar) ([]byte, bool) {
	c := x.Connection
	if c == nil {
		return buf, false
	}
	switch v {
	case CtxConnectionID:
		return append(buf, c.ID...), c.ID != ""
	case CtxEventType:
		return append(buf, c.EventType...), c.EventType != ""
	case CtxMessageID:
		return append(buf, c.MessageID...), c.MessageID != ""
	case CtxConnectedAt:
		return strconv.AppendInt(buf, c.ConnectedAt.UnixMilli(), 10), !c.ConnectedAt.IsZero()
	}
	return buf, false
}
