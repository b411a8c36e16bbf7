package wsapi

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/websocket"
)

// Serve answers one request the front door addressed to this stage
// (pipeline.Target): an @connections call, or an opening handshake.
func (st *Stage) Serve(ctx context.Context, req pipeline.Request, resp pipeline.Response, at pipeline.Address) {
	requestID, extended := pipeline.NewRequestIDs()
	resp.SetHeader("x-amzn-RequestId", requestID)
	resp.SetHeader("x-amz-apigw-id", extended)
	extended = newID() // requestContext.requestId: "R1knPH17NjMFftw=" [G]
	if rest, ok := strings.CutPrefix(at.StagePath, "/@connections"); ok && (rest == "" || rest[0] == '/') {
		st.serveConnections(ctx, req, resp, at, rest)
		return
	}
	h := &handshake{ctx: ctx, stage: st, req: req, resp: resp, at: at, requestID: extended, start: time.Now()}
	err := h.run()
	if err != nil {
		var r *refusal
		if !errors.As(err, &r) {
			r = refuse(500, "Internal server error", err)
		}
		if r.status >= 500 && r.cause != nil {
			st.env().log().Warn("websocket handshake failed", "api", st.APIID, "stage", st.Name,
				"requestId", requestID, "status", r.status, "err", r.cause)
		}
		answer(resp, r.status, r.message)
		h.log.status, h.log.errMessage = r.status, r.message
	}
	if h.conn != nil {
		if h.log.status == 0 {
			h.log.status = resp.Status()
			if h.log.status == 101 {
				h.log.status = 200
			}
		}
		h.log.stage, h.log.conn, h.log.req = st, h.conn, req
		h.log.eventType, h.log.requestID, h.log.start = eventConnect, extended, h.start
		if st.Deployment != nil {
			h.log.route = st.Deployment.Connect
		}
		st.logEvent(&h.log)
	}
}

// answer sends a gateway answer: {"message":"…"}.
func answer(resp pipeline.Response, status int, message string) {
	resp.SetStatus(status)
	resp.SetHeader("Content-Type", "application/json")
	b := append(appendJSONString([]byte(`{"message":`), message), '}')
	resp.SetBody(b)
}

// handshake is one opening handshake, waiting for $connect.
type handshake struct {
	ctx       context.Context
	stage     *Stage
	req       pipeline.Request
	resp      pipeline.Response
	at        pipeline.Address
	requestID string
	start     time.Time
	conn      *conn
	q         url.Values
	x         *pipeline.Exchange
	log       eventLog
	// usageKey is the authorizer's usageIdentifierKey.
	usageKey string
}

// checkKey enforces apiKeyRequired on $connect: the key (x-api-key, or
// the authorizer's usageIdentifierKey when the API selects that) must be
// enabled and in a usage plan bound to the stage; otherwise 403 Forbidden
// [D][U: the plan's throttle and quota are not applied to a connection's
// messages].
func (h *handshake) checkKey() error {
	value := h.req.Header("x-api-key")
	if h.stage.Deployment.KeyFromAuthorizer {
		value = h.usageKey
	}
	keys := h.stage.env().Keys
	if value == "" || keys == nil {
		return refuse(403, "Forbidden", nil)
	}
	if _, _, ok := keys.Lookup(value, h.stage.APIID, h.stage.Name); !ok {
		return refuse(403, "Forbidden", nil)
	}
	return nil
}

func (h *handshake) query() url.Values {
	if h.q == nil {
		h.q, _ = url.ParseQuery(h.req.RawQuery())
		if h.q == nil {
			h.q = url.Values{}
		}
	}
	return h.q
}

// exchange presents the handshake to shared code (SigV4, policies).
func (h *handshake) exchange() *pipeline.Exchange {
	if h.x == nil {
		h.x = &pipeline.Exchange{Ctx: h.ctx, Req: h.req, Resp: h.resp, RequestID: h.requestID,
			ExtendedID: h.requestID, Start: h.start, Address: h.at, Stage: &h.stage.StageInfo}
	}
	return h.x
}

// connectARN is the ARN $connect is authorized on:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect [D].
func (h *handshake) connectARN() string {
	e := h.stage.env()
	return "arn:aws:execute-api:" + e.Region + ":" + e.AccountID + ":" + h.stage.APIID + "/" + h.stage.Name + "/" + connectKey
}

// run checks the handshake, runs $connect (authorizer, then integration)
// and, when it accepts, answers 101 and hands the connection to the hub
// [D: "Connecting to a WebSocket API"]. Whatever refuses the handshake
// is returned as a *refusal.
func (h *handshake) run() error {
	st, env := h.stage, h.stage.env()
	d := st.Deployment
	switch {
	case d == nil:
		return refuse(403, "Forbidden", nil) // [U]
	case d.DisableExecuteAPIEndpoint && h.at.Domain == nil:
		return refuse(403, "Forbidden", nil)
	case h.at.StagePath != "" && h.at.StagePath != "/":
		// A WebSocket API serves its stage's root only (a trailing "/" is
		// accepted) [D][U: the answer elsewhere].
		return refuse(403, "Forbidden", nil)
	}
	if err := checkUpgrade(h.req); err != nil {
		return err
	}
	hub := env.Hub
	if hub == nil {
		return refuse(500, "Internal server error", errors.New("no connection hub configured"))
	}
	if hub.draining.Load() {
		return refuse(503, "Service Unavailable", nil)
	}
	if err := env.admitConnection(h.ctx, h.start); err != nil {
		return err
	}
	h.conn = hub.newConn(h)
	if r := d.Connect; r != nil {
		if r.Auth != nil {
			if err := r.Auth.Authorize(h); err != nil {
				return err
			}
		}
		if r.APIKeyRequired {
			if err := h.checkKey(); err != nil {
				return err
			}
		}
		if err := r.Required.check(h); err != nil {
			return err
		}
		if r.Integration != nil {
			h.log.integStart = time.Now()
			res, err := r.Integration.Invoke(&call{ctx: h.ctx, stage: st, route: r, conn: h.conn, ev: h.connectEvent(), upgrade: h.req})
			h.log.integTime = time.Since(h.log.integStart)
			if res != nil {
				h.log.integCode = res.status
			}
			if err != nil {
				return refuse(500, "Internal server error", err) // [U: 500 or 502]
			}
			if res.status < 200 || res.status > 299 {
				// The handshake is refused with the integration's status
				// [D][C: serverless-offline#1301].
				h.resp.SetStatus(res.status)
				if len(res.body) > 0 {
					h.resp.SetBody(res.body)
				}
				return nil
			}
			if p := res.header("Sec-WebSocket-Protocol"); p != "" && h.req.Header("Sec-WebSocket-Protocol") != "" {
				h.resp.SetHeader("Sec-WebSocket-Protocol", p)
			}
		}
	}
	up, ok := h.resp.(pipeline.Upgrader)
	if !ok {
		return refuse(500, "Internal server error", errors.New("the engine cannot upgrade connections"))
	}
	if err := hub.register(h.ctx, h.conn); err != nil {
		if errors.Is(err, errDraining) {
			return refuse(503, "Service Unavailable", nil)
		}
		return refuse(500, "Internal server error", err)
	}
	h.resp.SetStatus(101)
	h.resp.SetHeader("Upgrade", "websocket")
	h.resp.SetHeader("Connection", "Upgrade")
	h.resp.SetHeader("Sec-WebSocket-Accept", websocket.AcceptKey(h.req.Header("Sec-WebSocket-Key")))
	c := h.conn
	up.Upgrade(func(nc net.Conn) { c.run(nc) })
	go c.expireUnattached()
	return nil
}

// checkUpgrade checks that a request is a WebSocket opening handshake
// (RFC 6455 §4.2.1). A request that is not one is refused with 426
// Upgrade Required [U: AWS's answer to plain HTTP on a WebSocket API];
// a malformed one with 400.
func checkUpgrade(req pipeline.Request) error {
	if !headerHasToken(req.Header("Upgrade"), "websocket") {
		return refuse(426, "Upgrade Required", nil)
	}
	if req.Method() != "GET" || !headerHasToken(req.Header("Connection"), "upgrade") {
		return refuse(400, "Bad Request", nil)
	}
	if req.Header("Sec-WebSocket-Version") != "13" || !websocket.ValidKey(req.Header("Sec-WebSocket-Key")) {
		return refuse(400, "Bad Request", nil)
	}
	return nil
}

func headerHasToken(v, token string) bool {
	for _, t := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// connectEvent is the CONNECT event: the handshake's headers (with the
// ones API Gateway adds) and query string [D][G].
func (h *handshake) connectEvent() *event {
	c := h.conn
	ev := &event{Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}}
	h.req.VisitHeaders(func(k, v []byte) {
		name := string(k)
		ev.Headers[name] = string(v)
		ev.MultiValueHeaders[name] = append(ev.MultiValueHeaders[name], string(v))
	})
	// API Gateway's own headers [D][G].
	addHeader(ev, "X-Amzn-Trace-Id", "Root=1-"+strconv.FormatInt(h.start.Unix(), 16)+"-"+strings.ToLower(strings.TrimRight(c.id, "="))+"00000000")
	xff := c.identity.SourceIP
	if prev := h.req.Header("X-Forwarded-For"); prev != "" {
		xff = prev + ", " + xff
	}
	addHeader(ev, "X-Forwarded-For", xff)
	port, proto := "80", "http"
	if h.req.TLS() {
		port, proto = "443", "https"
	}
	addHeader(ev, "X-Forwarded-Port", port)
	addHeader(ev, "X-Forwarded-Proto", proto)
	if q := h.query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = map[string][]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	ev.StageVariables = h.stage.Variables
	ev.RequestContext = c.context(connectKey, eventConnect, h.requestID, h.start)
	return ev
}

func addHeader(ev *event, name, value string) {
	for k := range ev.Headers {
		if strings.EqualFold(k, name) {
			delete(ev.Headers, k)
			delete(ev.MultiValueHeaders, k)
		}
	}
	ev.Headers[name] = value
	ev.MultiValueHeaders[name] = []string{value}
}
