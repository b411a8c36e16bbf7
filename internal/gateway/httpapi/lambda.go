package httpapi

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/parammap"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/proxyevent"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// lambdaProxy is an AWS_PROXY integration with a Lambda function: the
// request becomes a payload format 2.0 or 1.0 event, the function's
// answer the response [D: "Create AWS Lambda proxy integrations for HTTP
// APIs"].
type lambdaProxy struct {
	inv       invoker.Lambda
	fn        upstream.LambdaFunction
	v2        bool
	timeout   time.Duration
	requests  *parammap.RequestMapping
	responses *parammap.ResponseMapping
}

func (l *lambdaProxy) Responses() *parammap.ResponseMapping { return l.responses }

var eventBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// Invoke implements Integration. The event describes the request as the
// integration's request parameter mappings changed it (see eventEditor).
// A function error, an answer that cannot
// be read, or a failed invocation is 500 {"message":"Internal Server
// Error"}; the integration's timeout is 503 [D][C].
func (l *lambdaProxy) Invoke(x *Exchange) error {
	body, err := x.ReadBody()
	if err != nil {
		return err
	}
	var ev proxyevent.Request
	x.eventRequest(&ev, body)
	if l.requests != nil {
		ed := newEventEditor(x)
		l.requests.Apply(x, ed)
		if err := ed.finish(&ev); err != nil {
			return err
		}
	}
	bp := eventBufs.Get().(*[]byte)
	defer eventBufs.Put(bp)
	if l.v2 {
		*bp = proxyevent.AppendV2((*bp)[:0], &ev)
	} else {
		*bp = proxyevent.AppendV1((*bp)[:0], &ev)
	}
	res, err := upstream.InvokeLambda(&x.Exchange, l.inv, l.fn.Resolve(x.Variables()), *bp, l.timeout)
	if err != nil {
		return err
	}
	x.IntegrationStatus = 200
	if res.FunctionError != "" {
		return pipeline.Fail(pipeline.IntegrationFailure,
			fmt.Errorf("lambda function error (%s): %.512s", res.FunctionError, res.Payload))
	}
	var r *proxyevent.Response
	if l.v2 {
		r, err = proxyevent.DecodeResponseV2(res.Payload)
	} else {
		r, err = proxyevent.DecodeResponseV1(res.Payload)
	}
	if err != nil {
		return pipeline.Fail(pipeline.IntegrationFailure, err)
	}
	x.response = r
	x.Resp.SetStatus(r.StatusCode)
	for _, h := range r.Headers {
		if isGatewayHeader(h.Name) {
			continue
		}
		x.Resp.AddHeader(h.Name, h.Value)
	}
	x.Resp.SetBody(r.Body)
	return nil
}

// isGatewayHeader reports a header the gateway sets itself, which a
// function's answer does not replace.
func isGatewayHeader(name string) bool {
	return (len(name) == len(headerRequestID) && equalFold(name, headerRequestID)) ||
		(len(name) == len(headerAmznRequestID) && equalFold(name, headerAmznRequestID))
}

func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		c, d := a[i], b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// errNoClients marks a Stage compiled without HTTP clients.
var errNoClients = errors.New("no HTTP clients configured")
