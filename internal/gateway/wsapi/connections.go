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
	var rec *connreg.Record
	if hub != nil {
		rec, err = hub.registry.Get(ctx, id)
	}
	if hub == nil || err != nil || rec.APIID != st.APIID || rec.Stage != st.Name {
		// Closed, never opened, or another API's or stage's [M][C].
		mgmtError(resp, 410, "GoneException", "")
		return
	}
	c := hub.local(id)
	switch method {
	case "POST":
		if c == nil || c.send(body) != nil {
			// [U: a connection of another node, until a cluster forwards
			// them]
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
			mgmtError(resp, 410, "GoneException", "")
			return
		}
		// $disconnect then reports 1000 "Connection Closed Normally"
		// [C: boto3#3789].
		c.closeWith(1000, "Connection Closed Normally")
		resp.SetStatus(204)
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
