package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
)

// LambdaProxy is an AWS_PROXY integration: the request becomes a payload
// 1.0 event, the function's result becomes the response.
type LambdaProxy struct {
	inv     invoker.Lambda
	fn      upstream.LambdaFunction
	timeout time.Duration
	badVerb bool
	// stream: responseTransferMode STREAM (lambdastream.go).
	stream bool
	limits upstream.StreamLimits
}

// NewLambdaProxy compiles an AWS_PROXY integration.
func NewLambdaProxy(in *model.Integration, inv invoker.Lambda) (*LambdaProxy, error) {
	fn, err := upstream.ParseLambdaFunction(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	return &LambdaProxy{inv: inv, fn: fn, timeout: timeoutOf(in),
		// Lambda is invoked with POST; any other integration method fails
		// every request with 500 [V].
		badVerb: model.Deref(in.HTTPMethod) != "POST",
		stream:  streams(in), limits: upstream.DefaultStreamLimits}, nil
}

// streams reports responseTransferMode STREAM.
func streams(in *model.Integration) bool { return model.Deref(in.ResponseTransferMode) == "STREAM" }

// Streams implements rest.StreamingIntegration.
func (l *LambdaProxy) Streams() bool { return l.stream }

// Invoke implements rest.Integration.
func (l *LambdaProxy) Invoke(x *rest.Exchange) error {
	if l.badVerb {
		return pipeline.Fail(pipeline.APIConfigurationError, errors.New("AWS_PROXY integrations must use httpMethod POST"))
	}
	body, err := x.ReadBody()
	if err != nil {
		return err
	}
	payload := NewProxyEventV1(x, body).AppendJSON(make([]byte, 0, 2048+2*len(body)))
	if l.stream {
		return l.invokeStream(x, payload)
	}
	res, err := l.call(x, payload)
	if err != nil {
		return err
	}
	if res.FunctionError != "" {
		return functionFailure(res.FunctionError, res.Payload)
	}
	r, err := parseProxyResponseV1(res.Payload)
	if err != nil {
		return err
	}
	x.IntegrationStatus = 200
	writeProxyResponse(x, r)
	return nil
}

// functionFailure is the answer to a function error: 502 Internal server
// error [V].
func functionFailure(kind string, payload []byte) error {
	return &pipeline.Failure{Type: pipeline.Default5XX, Message: "Internal server error", Status: 502,
		ErrorType: "InternalServerErrorException",
		Cause:     fmt.Errorf("lambda function error (%s): %.512s", kind, payload)}
}

func (l *LambdaProxy) call(x *rest.Exchange, payload []byte) (invoker.Result, error) {
	return invokeTraced(x, l.inv, l.fn.Resolve(x.Variables()), payload, l.timeout)
}

// invokeTraced invokes fn, recording the call for a test invocation's
// log: Lambda's Invoke URL for the function (Tollgate's local functions
// included), the event and the function's answer.
func invokeTraced(x *rest.Exchange, inv invoker.Lambda, fn string, payload []byte, timeout time.Duration) (invoker.Result, error) {
	tr := x.EndpointTrace()
	if tr != nil {
		tr.Request(lambdaInvokeURL(fn), rest.LambdaHeaders(x), payload)
	}
	res, err := upstream.InvokeLambda(&x.Exchange, inv, fn, payload, timeout)
	if tr != nil && err == nil {
		tr.Response(rest.LambdaResponseHeaders(len(res.Payload)), res.Payload)
	}
	return res, err
}

// lambdaInvokeURL is Lambda's Invoke URL for fn, in fn's region (the
// function's ARN's, else us-east-1) [C: test-invocation logs].
func lambdaInvokeURL(fn string) string {
	region := "us-east-1"
	if parts := strings.Split(fn, ":"); len(parts) > 3 && parts[0] == "arn" && parts[3] != "" {
		region = parts[3]
	}
	return "https://lambda." + region + ".amazonaws.com/2015-03-31/functions/" + fn + "/invocations"
}

// Lambda is an AWS integration to Lambda (non-proxy): the request template
// makes the event, integration responses map the result, chosen by
// matching selection patterns against a function error's errorMessage.
type Lambda struct {
	inv       invoker.Lambda
	fn        upstream.LambdaFunction
	timeout   time.Duration
	requests  *RequestTemplates
	responses *Responses
}

// NewLambda compiles an AWS integration whose URI invokes Lambda.
func NewLambda(in *model.Integration, inv invoker.Lambda) (*Lambda, error) {
	fn, err := upstream.ParseLambdaFunction(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	rt, err := NewRequestTemplates(in)
	if err != nil {
		return nil, err
	}
	rs, err := NewResponses(in.IntegrationResponses)
	if err != nil {
		return nil, err
	}
	return &Lambda{inv: inv, fn: fn, timeout: timeoutOf(in), requests: rt, responses: rs}, nil
}

// Invoke implements rest.Integration.
func (l *Lambda) Invoke(x *rest.Exchange) error {
	payload, _, err := l.requests.Transform(x)
	if err != nil {
		return err
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	res, err := invokeTraced(x, l.inv, l.fn.Resolve(x.Variables()), payload, l.timeout)
	if err != nil {
		return err
	}
	x.IntegrationStatus = 200
	selector := ""
	if res.FunctionError != "" {
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &doc)
		selector = doc.ErrorMessage
	}
	var r *response
	if res.FunctionError == "" {
		r = l.responses.def
		if r == nil {
			r, err = l.responses.Select(selector)
		}
	} else {
		r, err = l.responses.Select(selector)
	}
	if err != nil {
		return err
	}
	return r.write(x, backendResult{header: func(string) []string { return nil }, body: res.Payload})
}
