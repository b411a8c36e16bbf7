package wsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// Non-proxy integrations transform what they send and what they answer
// with templates [D: "Setting up a WebSocket API integration request",
// "Setting up WebSocket API integration responses"]:
//
//   - the request: the requestTemplates entry the integration's
//     templateSelectionExpression picks (else "$default"), rendered with
//     the message as $input; with none, the message itself
//     (passthroughBehavior WHEN_NO_MATCH, the default) [U: NEVER and
//     WHEN_NO_TEMPLATES are taken as WHEN_NO_MATCH];
//   - the answer, on a two-way route: the integration response whose key
//     matches (an HTTP backend's status code; a Lambda function's error
//     message, "$default" when it succeeded), rendered with the backend's
//     body as $input; with no template, the body itself.

// requestBody renders the request a non-proxy integration sends.
func requestBody(c *call, t *templates) ([]byte, error) {
	tpl := t.pick(c.body, 0)
	if tpl == nil {
		return c.body, nil
	}
	out, err := tpl.render(c, c.body)
	if err != nil {
		return nil, fmt.Errorf("%w: request template: %w", errIntegration, err)
	}
	return out, nil
}

// answerBody renders a two-way route's answer from the backend's body and
// the key the integration responses are matched against (a status code
// is matched as a number).
func answerBody(c *call, rs *integrationResponses, key string, status int, body []byte) ([]byte, error) {
	if c.route == nil || !c.route.TwoWay {
		return nil, nil
	}
	ir := rs.matchKey(key)
	if ir == nil {
		return body, nil // no integration response: the body as it is [U]
	}
	tpl := ir.templates.pick(body, status)
	if tpl == nil {
		return body, nil
	}
	out, err := tpl.render(c, body)
	if err != nil {
		return nil, fmt.Errorf("%w: response template: %w", errIntegration, err)
	}
	return out, nil
}

// httpIntegration is an HTTP (non-proxy) integration: the rendered
// request is the body of a request to the URI (integrationMethod, POST by
// default); the backend's status selects the integration response.
type httpIntegration struct {
	clients   *upstream.Clients
	uri       string
	method    string
	timeout   time.Duration
	requests  *templates
	responses *integrationResponses
}

// Invoke implements Integration.
func (h *httpIntegration) Invoke(c *call) (*result, error) {
	if h.clients == nil {
		return nil, fmt.Errorf("%w: no HTTP clients configured", errIntegration)
	}
	body, err := requestBody(c, h.requests)
	if err != nil {
		return nil, err
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(substituteVars(h.uri, c.stage.Variables))
	req.Header.SetMethod(h.method)
	req.Header.SetContentType("application/json")
	req.SetBody(body)
	if err := h.clients.Client(false).DoTimeout(req, resp, h.timeout); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errIntegration, h.uri, err)
	}
	status := resp.StatusCode()
	out := &result{status: status}
	if c.upgrade != nil {
		return out, nil // $connect: the status decides
	}
	if out.body, err = answerBody(c, h.responses, strconv.Itoa(status), status, resp.Body()); err != nil {
		return nil, err
	}
	out.body = append([]byte(nil), out.body...)
	return out, nil
}

// lambdaIntegration is an AWS (non-proxy) integration with a Lambda
// function: the rendered request is the function's payload; its error
// message ("" when it succeeded: the $default response) selects the
// integration response, its output is the answer's $input.
type lambdaIntegration struct {
	inv       invoker.Lambda
	fn        upstream.LambdaFunction
	timeout   time.Duration
	requests  *templates
	responses *integrationResponses
}

// Invoke implements Integration.
func (l *lambdaIntegration) Invoke(c *call) (*result, error) {
	if l.inv == nil {
		return nil, fmt.Errorf("%w: no Lambda invoker configured", errIntegration)
	}
	payload, err := requestBody(c, l.requests)
	if err != nil {
		return nil, err
	}
	if c.route != nil && (c.route.Key == connectKey || c.route.Key == disconnectKey) {
		// $connect and $disconnect have no message: the event is the
		// payload [U].
		if payload, err = json.Marshal(c.event()); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(c.ctx, l.timeout)
	defer cancel()
	fn := l.fn.Resolve(c.stage.Variables)
	res, err := l.inv.Invoke(ctx, fn, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: function %s: %w", errIntegration, fn, err)
	}
	// A function error selects the integration response whose pattern
	// matches its message; an error no pattern matches, like success,
	// takes $default, as REST's non-proxy Lambda integrations do [D][U].
	key, status := "", 200
	if res.FunctionError != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		key = fe.ErrorMessage
	}
	out := &result{status: status}
	if out.body, err = answerBody(c, l.responses, key, status, res.Payload); err != nil {
		return nil, err
	}
	return out, nil
}
