package wsapi

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/policy"
)

// ManageAction is the IAM action of @connections calls [D].
const ManageAction = "execute-api:ManageConnections"

// serveConnections answers the connection-management API
// (apigatewaymanagementapi) at {stage}/@connections/{connectionId} [M][D]:
// POST (PostToConnection) sends the body to the client, GET
// (GetConnection) describes the connection, DELETE (DeleteConnection)
// closes it. Calls are SigV4-signed for execute-api by a user whose
// identity policies allow execute-api:ManageConnections on
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/@connections/{id}.
func (st *Stage) serveConnections(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address, rest string) {
	env := st.env()
	raw, _ := cutSlash(rest)
	id, err := url.PathUnescape(raw)
	if err != nil || id == "" || containsSlash(raw) {
		mgmtError(resp, 400, "BadRequestException", "Invalid connectionId") // [M][U: the message]
		return
	}
	method := req.Method()
	if method != "POST" && method != "GET" && method != "DELETE" {
		mgmtError(resp, 403, "ForbiddenException", "Forbidden") // [U]
		return
	}
	x := &pipeline.Exchange{Ctx: ctx, Req: req, Resp: resp, Start: time.Now(), Address: at, Stage: &st.StageInfo}
	user, err := env.Users.Authenticate(x)
	if err != nil {
		var f *pipeline.Failure
		if !errors.As(err, &f) {
			mgmtError(resp, 413, "PayloadTooLargeException", "Request entity too large")
			return
		}
		mgmtError(resp, 403, "ForbiddenException", "Forbidden")
		return
	}
	caller := user.Caller
	arn := "arn:aws:execute-api:" + env.Region + ":" + env.AccountID + ":" + st.APIID + "/" + st.Name + "/" + method + "/@connections/" + id
	pr := authz.PolicyRequest(x, arn, &caller)
	pr.Action = ManageAction
	if caller.AccountID != env.AccountID || user.Decide(pr) != policy.Allow {
		mgmtError(resp, 403, "ForbiddenException", "Forbidden")
		return
	}
	if err := env.Throttling.Check(ctx, nil, x.Start); err != nil {
		if f := (*pipeline.Failure)(nil); errors.As(err, &f) && f.Status == 503 {
			// The shared throttle does not answer and fails closed.
			mgmtError(resp, 503, "ServiceUnavailableException", "Service Unavailable")
			resp.SetHeader("Retry-After", "1")
			return
		}
		mgmtError(resp, 429, "LimitExceededException", "Limit Exceeded")
		return
	}
	var body []byte
	if method == "POST" {
		// The signature check read the body (at most the 10 MB any request
		// may carry); a message is at most 128 KB [M][D].
		body, err = x.ReadBody()
		if err != nil || len(body) > MaxMessage {
			mgmtError(resp, 413, "PayloadTooLargeException", "Message too long")
			return
		}
	}
	hub := env.Hub
	if hub == nil {
		mgmtError(resp, 410, "GoneException", "")
		return
	}
	// A connection this node holds is served without the shared registry.
	c := hub.local(id)
	var rec *connreg.Record
	if c != nil {
		rec = c.record()
	} else if rec, err = hub.registry.Get(ctx, id); err != nil {
		if errors.Is(err, connreg.ErrNotFound) {
			// Closed, or never opened [M][C].
			mgmtError(resp, 410, "GoneException", "")
		} else {
			hub.cannotTell(resp, id, err)
		}
		return
	}
	if rec.APIID != st.APIID || rec.Stage != st.Name || (c == nil && (hub.relay == nil || rec.Node == hub.node)) {
		// Another API's or stage's [M][C]; or recorded as this node's but
		// no longer open here.
		mgmtError(resp, 410, "GoneException", "")
		return
	}
	switch method {
	case "POST":
		if c == nil {
			hub.relayed(ctx, resp, rec, connreg.Call{Op: connreg.OpPost, ID: id, Data: body}, 200)
			return
		}
		if c.send(body) != nil {
			mgmtError(resp, 410, "GoneException", "")
			return
		}
		resp.SetStatus(200)
	case "GET":
		if c != nil {
			rec.LastActiveAt = time.Unix(0, c.lastActive.Load())
		}
		resp.SetStatus(200)
		resp.SetHeader("Content-Type", "application/json")
		b := []byte(`{"connectedAt":`)
		b = appendJSONString(b, isoMillis(rec.ConnectedAt))
		b = append(b, `,"identity":{"sourceIp":`...)
		b = appendJSONString(b, rec.SourceIP)
		b = append(b, `,"userAgent":`...)
		b = appendJSONString(b, rec.UserAgent)
		b = append(b, `},"lastActiveAt":`...)
		b = appendJSONString(b, isoMillis(rec.LastActiveAt))
		resp.SetBody(append(b, '}'))
	case "DELETE":
		if c == nil {
			hub.relayed(ctx, resp, rec, connreg.Call{Op: connreg.OpDelete, ID: id}, 204)
			return
		}
		// $disconnect then reports 1000 "Connection Closed Normally"
		// [C: boto3#3789].
		c.closeWith(1000, "Connection Closed Normally")
		resp.SetStatus(204)
	}
}

// relayed answers a call for a connection another node holds, once that
// node has performed it: status when done, 410 when it says the
// connection is gone (or it is), else as cannotTell says.
func (h *Hub) relayed(ctx context.Context, resp pipeline.Response, rec *connreg.Record, call connreg.Call, status int) {
	err := h.relay.Deliver(ctx, rec.Node, call)
	switch {
	case err == nil:
		resp.SetStatus(status)
	case errors.Is(err, connreg.ErrNotFound):
		mgmtError(resp, 410, "GoneException", "")
	case errors.Is(err, connreg.ErrUnavailable), errors.Is(err, connreg.ErrNoAnswer):
		h.cannotTell(resp, rec.ID, err)
	default:
		h.log.Error("relayed @connections call failed", "connectionId", rec.ID, "node", rec.Node, "err", err)
		mgmtError(resp, 500, "InternalServerErrorException", "Internal server error") // [U]
	}
}

// isoMillis is GetConnection's time format: "2020-04-30T20:10:33.236Z" [X].
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// mgmtError answers an @connections call with an error of the
// apigatewaymanagementapi model [M]: the type in x-amzn-ErrorType, the
// message in the body (GoneException has none [U]).
func mgmtError(resp pipeline.Response, status int, errorType, message string) {
	resp.SetStatus(status)
	resp.SetHeader("x-amzn-ErrorType", errorType)
	resp.SetHeader("Content-Type", "application/json")
	if message == "" {
		resp.SetBody([]byte(`{}`))
		return
	}
	resp.SetBody(append(appendJSONString([]byte(`{"message":`), message), '}'))
}

func cutSlash(s string) (string, bool) {
	if len(s) > 0 && s[0] == '/' {
		return s[1:], true
	}
	return s, false
}

func containsSlash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return true
		}
	}
	return false
}
