package wsapi

import (
	"context"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/throttle"
)

// route selects a message's route: the route whose key the selection
// expression evaluates to, else $default (nil: none) [D]. The reserved
// keys are never selected by a message.
func (d *Deployment) route(msg []byte) *Route {
	if key, ok := d.Selection.Eval(msg); ok && key != "" && key[0] != '$' {
		if r := d.Routes[key]; r != nil {
			return r
		}
	}
	return d.Default
}

// routeLimit is the stage's throttle for r, or nil.
func (st *Stage) routeLimit(r *Route) *throttle.RouteLimit {
	if r.Index >= len(st.RouteLimits) || st.RouteLimits[r.Index].Key == "" {
		return nil
	}
	return &st.RouteLimits[r.Index]
}

// message serves one message: route selection, throttles, the
// integration, and for a two-way route its answer. What cannot be
// served gets the error frame [D][C].
func (c *conn) message(msg []byte, now time.Time) {
	st, _ := c.hub.lookup(c.apiID, c.stage).(*Stage)
	if st == nil || st.Deployment == nil {
		c.closeWith(1001, "Going away") // the stage is gone [U]
		return
	}
	requestID := newID()
	r := st.Deployment.route(msg)
	if r == nil {
		c.sendError(msgForbidden, requestID)
		return
	}
	env := st.env()
	if err := env.Throttling.Check(context.Background(), st.routeLimit(r), now); err != nil {
		c.sendError(msgTooManyRequests, requestID)
		return
	}
	if r.Integration == nil {
		c.sendError(msgInternalError, requestID) // [U: a route without a target]
		return
	}
	res, err := r.Integration.Invoke(&call{ctx: context.Background(), stage: st, route: r, conn: c, body: msg,
		requestID: requestID, now: now})
	if err != nil {
		env.log().Warn("websocket message failed", "api", c.apiID, "stage", c.stage, "route", r.Key,
			"connectionId", c.id, "requestId", requestID, "err", err)
		c.sendError(msgInternalError, requestID)
		return
	}
	if r.TwoWay && len(res.body) > 0 {
		_ = c.send(res.body)
	}
}

func (c *conn) sendError(message, requestID string) {
	_ = c.send(errorFrame(message, c.id, requestID))
}

// disconnectTimeout bounds $disconnect, which runs after the socket has
// closed and whose answer is ignored [D: best effort].
const disconnectTimeout = 29 * time.Second

// disconnect runs $disconnect for a connection that ended with code and
// reason [D][G].
func (c *conn) disconnect(code int, reason string) {
	st, _ := c.hub.lookup(c.apiID, c.stage).(*Stage)
	if st == nil || st.Deployment == nil || st.Deployment.Disconnect == nil || st.Deployment.Disconnect.Integration == nil {
		return
	}
	r := st.Deployment.Disconnect
	now := time.Now()
	requestID := newID()
	// The DISCONNECT event's headers are a few synthetic ones [G: the
	// captured apigw-websocket-request-disconnect.json].
	ev := &event{
		Headers: map[string]string{"Host": c.domainName, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""},
		MultiValueHeaders: map[string][]string{"Host": {c.domainName}, "x-api-key": {""},
			"X-Forwarded-For": {""}, "x-restapi": {""}},
		StageVariables: st.Variables,
		RequestContext: c.context(disconnectKey, eventDisconnect, requestID, now),
	}
	ev.RequestContext.DisconnectStatusCode = code
	ev.RequestContext.DisconnectReason = &reason
	ctx, cancel := context.WithTimeout(context.Background(), disconnectTimeout)
	defer cancel()
	if _, err := r.Integration.Invoke(&call{ctx: ctx, stage: st, route: r, conn: c, ev: ev}); err != nil {
		st.env().log().Warn("websocket $disconnect failed", "api", c.apiID, "stage", c.stage,
			"connectionId", c.id, "err", err)
	}
}
