package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fastjson"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// Integration is a route's backend. It answers one event of a
// connection.
type Integration interface {
	Invoke(c *call) (*result, error)
}

// call is one event of a connection on its way to an integration.
type call struct {
	ctx   context.Context
	stage *Stage
	route *Route
	conn  *conn
	// ev is the event; for a message it is built on first use (event), so
	// that integrations that read none of it (a static MOCK) cost nothing.
	ev *event
	// upgrade is the opening handshake's request (CONNECT only).
	upgrade pipeline.Request
	// body is the message (MESSAGE only), requestID and now its request
	// id and arrival.
	body      []byte
	requestID string
	now       time.Time
	msgID     string
}

// messageID is the message's id (requestContext.messageId), made on first
// use.
func (c *call) messageID() string {
	if c.msgID == "" {
		c.msgID = newID()
	}
	return c.msgID
}

// event returns the call's event.
func (c *call) event() *event {
	if c.ev == nil {
		body := string(c.body)
		c.ev = &event{RequestContext: c.conn.context(c.route.Key, eventMessage, c.requestID, c.now), Body: &body,
			StageVariables: c.stage.Variables}
		c.ev.RequestContext.MessageID = c.messageID()
	}
	return c.ev
}

// header is one response header of an integration.
type header struct{ name, value string }

// result is what an integration answered: for $connect, the status that
// accepts (2xx) or refuses the handshake and the headers of the answer
// (Sec-WebSocket-Protocol); for a two-way route, the body sent to the
// client.
type result struct {
	status  int
	headers []header
	body    []byte
}

func (r *result) header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h.name, name) {
			return h.value
		}
	}
	return ""
}

// errIntegration marks an integration that failed (function error,
// invocation failure, timeout, unreadable answer): a refused handshake
// (500) or the Internal server error frame.
var errIntegration = errors.New("integration failed")

// lambdaProxy is an AWS_PROXY integration with a Lambda function: the
// event is events.APIGatewayWebsocketProxyRequest's, the answer
// {"statusCode":…, "headers":{…}, "body":"…"} [D].
type lambdaProxy struct {
	inv     invoker.Lambda
	fn      upstream.LambdaFunction
	timeout time.Duration
}

// Invoke implements Integration.
func (l *lambdaProxy) Invoke(c *call) (*result, error) {
	if l.inv == nil {
		return nil, fmt.Errorf("%w: no Lambda invoker configured", errIntegration)
	}
	payload, err := json.Marshal(c.event())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.ctx, l.timeout)
	defer cancel()
	fn := l.fn.Resolve(c.stage.Variables)
	res, err := l.inv.Invoke(ctx, fn, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: function %s: %w", errIntegration, fn, err)
	}
	if res.FunctionError != "" {
		return nil, fmt.Errorf("%w: function %s failed (%s): %.512s", errIntegration, fn, res.FunctionError, res.Payload)
	}
	return decodeAnswer(res.Payload)
}

var answerParsers fastjson.ParserPool

// decodeAnswer reads a Lambda proxy answer. An answer that is not a JSON
// object with a statusCode (null, nothing, a bare value) accepts with 200
// and has no body [U: AWS documents only the structured answer]; a
// statusCode that is not a number is a failure.
func decodeAnswer(payload []byte) (*result, error) {
	p := answerParsers.Get()
	defer answerParsers.Put(p)
	v, err := p.ParseBytes(payload)
	if err != nil || v.Type() != fastjson.TypeObject || v.Get("statusCode") == nil {
		return &result{status: 200}, nil
	}
	out := &result{}
	sc := v.Get("statusCode")
	switch sc.Type() {
	case fastjson.TypeNumber:
		out.status = sc.GetInt()
	case fastjson.TypeString:
		out.status, err = strconv.Atoi(string(sc.GetStringBytes()))
	default:
		err = errors.New("not a number")
	}
	if err != nil || out.status < 100 || out.status > 599 {
		return nil, fmt.Errorf("%w: statusCode %s", errIntegration, sc.MarshalTo(nil))
	}
	if h := v.Get("headers"); h != nil && h.Type() == fastjson.TypeObject {
		o, _ := h.Object()
		o.Visit(func(k []byte, hv *fastjson.Value) {
			if hv.Type() == fastjson.TypeString {
				out.headers = append(out.headers, header{string(k), string(hv.GetStringBytes())})
			}
		})
	}
	if b := v.Get("body"); b != nil && b.Type() == fastjson.TypeString {
		out.body = append([]byte(nil), b.GetStringBytes()...)
	}
	return out, nil
}

// mock is a MOCK integration: its request template (selected by the
// integration's templateSelectionExpression) gives the status, as
// {"statusCode": 200}; without one the status is 200 [U]. On a two-way
// route, the integration response matching the status renders the answer
// (a MOCK has no backend body: $input.body is empty [U]).
type mock struct {
	requests  *templates
	responses *integrationResponses
}

// Invoke implements Integration.
func (m *mock) Invoke(c *call) (*result, error) {
	status := 200
	if tpl := m.requests.pick(c.body, 0); tpl != nil {
		status = tpl.status
		if !tpl.isStatic {
			out, err := tpl.render(c, c.body)
			if err != nil {
				return nil, fmt.Errorf("%w: request template: %w", errIntegration, err)
			}
			if mt := mockStatusRE.FindSubmatch(out); mt != nil {
				status, _ = strconv.Atoi(string(mt[1]))
			}
		}
		if status == 0 {
			return nil, fmt.Errorf("%w: unable to parse statusCode. It should be an integer that is defined in the request template", errIntegration)
		}
	}
	res := &result{status: status}
	if c.route == nil || !c.route.TwoWay {
		return res, nil
	}
	ir := m.responses.match(status)
	if ir == nil {
		return res, nil // no integration response: nothing to send [U]
	}
	if tpl := ir.templates.pick(nil, status); tpl != nil {
		out, err := tpl.render(c, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: response template: %w", errIntegration, err)
		}
		res.body = out
	}
	return res, nil
}

// httpProxy is an HTTP_PROXY integration: a message is sent as the body
// of a request to the URI (integrationMethod, POST by default); $connect
// sends the handshake's headers [U: AWS documents HTTP_PROXY for
// WebSocket routes without the request's shape]. The backend's status
// accepts or refuses $connect; its body is a two-way route's answer.
type httpProxy struct {
	clients *upstream.Clients
	uri     string
	method  string
	timeout time.Duration
}

// Invoke implements Integration.
func (h *httpProxy) Invoke(c *call) (*result, error) {
	if h.clients == nil {
		return nil, fmt.Errorf("%w: no HTTP clients configured", errIntegration)
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.DisableNormalizing()
	req.SetRequestURI(substituteVars(h.uri, c.stage.Variables))
	req.Header.SetMethod(h.method)
	if c.upgrade != nil {
		c.upgrade.VisitHeaders(func(k, v []byte) {
			if !hopHeader(k) {
				req.Header.AddBytesKV(k, v)
			}
		})
	}
	req.Header.Set("connectionId", c.conn.id)
	if c.body != nil {
		req.SetBody(c.body)
	}
	if err := h.clients.Client(false).DoTimeout(req, resp, h.timeout); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errIntegration, h.uri, err)
	}
	out := &result{status: resp.StatusCode(), body: append([]byte(nil), resp.Body()...)}
	resp.Header.VisitAll(func(k, v []byte) {
		out.headers = append(out.headers, header{string(k), string(v)})
	})
	return out, nil
}

// hopHeader reports headers of the handshake that do not go to a
// backend: the connection's own (Upgrade, Sec-WebSocket-*), hop-by-hop
// ones and Host.
func hopHeader(k []byte) bool {
	s := strings.ToLower(string(k))
	switch s {
	case "host", "connection", "upgrade", "keep-alive", "te", "trailer", "transfer-encoding",
		"proxy-connection", "content-length":
		return true
	}
	return strings.HasPrefix(s, "sec-websocket-")
}

// substituteVars replaces ${stageVariables.x} in a URI.
func substituteVars(uri string, vars map[string]string) string {
	if !strings.Contains(uri, "${stageVariables.") {
		return uri
	}
	var b strings.Builder
	for {
		i := strings.Index(uri, "${stageVariables.")
		if i < 0 {
			b.WriteString(uri)
			return b.String()
		}
		end := strings.IndexByte(uri[i:], '}')
		if end < 0 {
			b.WriteString(uri)
			return b.String()
		}
		b.WriteString(uri[:i])
		b.WriteString(vars[uri[i+len("${stageVariables."):i+end]])
		uri = uri[i+end+1:]
	}
}

// failing is an integration Tollgate does not serve (AWS and HTTP
// non-proxy integrations, private integrations): every event fails.
type failing struct{ err error }

func (f failing) Invoke(*call) (*result, error) { return nil, f.err }
