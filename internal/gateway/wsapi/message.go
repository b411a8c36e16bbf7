package wsapi

import (
	"context"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
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
	cl := &call{ctx: context.Background(), stage: st, route: r, conn: c, body: msg, requestID: requestID, now: now}
	lg := eventLog{stage: st, route: r, conn: c, eventType: eventMessage, requestID: requestID, start: now, status: 200}
	defer func() {
		if st.AccessLog != nil || st.Metrics != nil {
			if st.AccessLog != nil {
				lg.messageID = cl.messageID()
			}
			st.logEvent(&lg)
		}
	}()
	if r == nil {
		c.sendError(&lg, 403, pipeline.AccessDenied, msgForbidden, requestID)
		return
	}
	env := st.env()
	if err := env.Throttling.Check(context.Background(), st.routeLimit(r), now); err != nil {
		c.sendError(&lg, 429, pipeline.Throttled, msgTooManyRequests, requestID)
		return
	}
	if why := r.Models.check(msg); why != "" {
		lg.status, lg.errType, lg.errMessage, lg.invalid = 400, pipeline.BadRequestBody, "Bad request body", why
		_ = c.send(badBodyFrame(c.id, cl.messageID()))
		return
	}
	if r.Integration == nil {
		// [U: a route without a target]
		c.sendError(&lg, 500, pipeline.IntegrationFailure, msgInternalError, requestID)
		return
	}
	lg.integStart = time.Now()
	res, err := r.Integration.Invoke(cl)
	lg.integTime = time.Since(lg.integStart)
	if err != nil {
		env.log().Warn("websocket message failed", "api", c.apiID, "stage", c.stage, "route", r.Key,
			"connectionId", c.id, "requestId", requestID, "err", err)
		c.sendError(&lg, 500, pipeline.IntegrationFailure, msgInternalError, requestID)
		return
	}
	lg.integCode = res.status
	if r.TwoWay && len(res.body) > 0 {
		_ = c.send(res.body)
	}
}

// sendError sends the error frame and records it for the access log.
func (c *conn) sendError(lg *eventLog, status int, t pipeline.ResponseType, message, requestID string) {
	lg.status, lg.errType, lg.errMessage = status, t, message
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
	lg := eventLog{stage: st, route: r, conn: c, eventType: eventDisconnect, requestID: requestID, start: now,
		status: 200, integStart: time.Now()}
	res, err := r.Integration.Invoke(&call{ctx: ctx, stage: st, route: r, conn: c, ev: ev})
	lg.integTime = time.Since(lg.integStart)
	if err != nil {
		st.env().log().Warn("websocket $disconnect failed", "api", c.apiID, "stage", c.stage,
			"connectionId", c.id, "err", err)
		lg.status, lg.errType, lg.errMessage = 500, pipeline.IntegrationFailure, msgInternalError
	} else {
		lg.integCode = res.status
	}
	st.logEvent(&lg)
}
