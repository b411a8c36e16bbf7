package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// LambdaInvoker invokes a Lambda function (locally or remotely).
type LambdaInvoker interface {
	// Invoke runs function (a name or ARN) with payload. A function error
	// is not an error: it is reported in the result.
	Invoke(ctx context.Context, function string, payload []byte) (LambdaResult, error)
}

// LambdaResult is a function's answer.
type LambdaResult struct {
	Payload []byte
	// FunctionError is X-Amz-Function-Error: "" on success, else
	// "Unhandled" (or "Handled").
	FunctionError string
}

// Errors an invoker reports, mapped to API Gateway's answers.
var (
	// ErrFunctionNotFound: no such function (AWS: a permission or
	// configuration problem, 500 Internal server error).
	ErrFunctionNotFound = errors.New("lambda function not found")
	// ErrLambdaThrottled: the function's concurrency is exhausted (502).
	ErrLambdaThrottled = errors.New("lambda function throttled")
	// ErrLambdaPayloadTooLarge: the request exceeds Lambda's 6 MB.
	ErrLambdaPayloadTooLarge = errors.New("lambda request payload too large")
)

// lambdaTarget is the function an integration URI names, possibly via a
// stage variable ("…:function:${stageVariables.fn}/invocations").
type lambdaTarget struct {
	parts []uriPart
}

// parseLambdaURI extracts the function from
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations.
func parseLambdaURI(uri string) (*lambdaTarget, error) {
	const marker = ":lambda:path/2015-03-31/functions/"
	i := strings.Index(uri, marker)
	if i < 0 || !strings.HasSuffix(uri, "/invocations") {
		return nil, fmt.Errorf("not a Lambda invocation URI: %q", uri)
	}
	fn := uri[i+len(marker) : len(uri)-len("/invocations")]
	if fn == "" {
		return nil, fmt.Errorf("no function in %q", uri)
	}
	t := &lambdaTarget{}
	for len(fn) > 0 {
		j := strings.Index(fn, "${stageVariables.")
		if j < 0 {
			t.parts = append(t.parts, uriPart{lit: fn})
			break
		}
		if j > 0 {
			t.parts = append(t.parts, uriPart{lit: fn[:j]})
		}
		end := strings.IndexByte(fn[j:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated stage variable in %q", uri)
		}
		t.parts = append(t.parts, uriPart{stageVar: fn[j+len("${stageVariables.") : j+end]})
		fn = fn[j+end+1:]
	}
	return t, nil
}

// LambdaFunction is the function a Lambda invocation URI names (integration
// or authorizer URIs), possibly through stage variables.
type LambdaFunction struct{ t *lambdaTarget }

// ParseLambdaFunction parses
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations.
func ParseLambdaFunction(uri string) (LambdaFunction, error) {
	t, err := parseLambdaURI(uri)
	return LambdaFunction{t}, err
}

// Resolve returns the function name or ARN with stage variables applied.
func (f LambdaFunction) Resolve(vars map[string]string) string { return f.t.resolve(vars) }

func (t *lambdaTarget) resolve(vars map[string]string) string {
	if len(t.parts) == 1 && t.parts[0].stageVar == "" {
		return t.parts[0].lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.stageVar != "" {
			b.WriteString(vars[p.stageVar])
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// LambdaProxy is an AWS_PROXY integration: the request becomes a payload
// 1.0 event, the function's result becomes the response.
type LambdaProxy struct {
	invoker LambdaInvoker
	target  *lambdaTarget
	timeout time.Duration
	badVerb bool
}

// NewLambdaProxy compiles an AWS_PROXY integration.
func NewLambdaProxy(in *model.Integration, invoker LambdaInvoker) (*LambdaProxy, error) {
	t, err := parseLambdaURI(model.Deref(in.URI))
	if err != nil {
		return nil, err
	}
	return &LambdaProxy{invoker: invoker, target: t, timeout: timeoutOf(in),
		// Lambda is invoked with POST; any other integration method fails
		// every request with 500 [V].
		badVerb: model.Deref(in.HTTPMethod) != "POST"}, nil
}

// Invoke implements rest.Integration.
func (l *LambdaProxy) Invoke(x *rest.Exchange) error {
	if l.badVerb {
		return pipeline.Fail(pipeline.APIConfigurationError, errors.New("AWS_PROXY integrations must use httpMethod POST"))
	}
	body, err := x.ReadBody()
	if err != nil {
		return err
	}
	payload, err := json.Marshal(NewProxyEventV1(x, body))
	if err != nil {
		return pipeline.Fail(pipeline.APIConfigurationError, err)
	}
	res, err := l.call(x, payload)
	if err != nil {
		return err
	}
	if res.FunctionError != "" {
		return &pipeline.Failure{Type: pipeline.Default5XX, Message: "Internal server error", Status: 502,
			ErrorType: "InternalServerErrorException",
			Cause:     fmt.Errorf("lambda function error (%s): %.512s", res.FunctionError, res.Payload)}
	}
	r, err := parseProxyResponseV1(res.Payload)
	if err != nil {
		return err
	}
	x.IntegrationStatus = 200
	writeProxyResponse(x, r)
	return nil
}

func (l *LambdaProxy) call(x *rest.Exchange, payload []byte) (LambdaResult, error) {
	return invokeLambda(x, l.invoker, l.target.resolve(x.Variables()), payload, l.timeout)
}

// invokeLambda calls the function within the integration timeout and maps
// invoker errors to gateway responses.
func invokeLambda(x *rest.Exchange, inv LambdaInvoker, fn string, payload []byte, timeout time.Duration) (LambdaResult, error) {
	if inv == nil {
		return LambdaResult{}, pipeline.Fail(pipeline.APIConfigurationError, errors.New("no Lambda invoker configured"))
	}
	ctx, cancel := context.WithTimeout(x.Ctx, timeout)
	defer cancel()
	res, err := inv.Invoke(ctx, fn, payload)
	switch {
	case err == nil:
		return res, nil
	case errors.Is(err, context.DeadlineExceeded):
		return res, pipeline.Fail(pipeline.IntegrationTimeout, err)
	case errors.Is(err, ErrLambdaPayloadTooLarge):
		return res, pipeline.Fail(pipeline.RequestTooLarge, err)
	case errors.Is(err, ErrFunctionNotFound):
		return res, pipeline.Fail(pipeline.APIConfigurationError, err)
	default:
		return res, &pipeline.Failure{Type: pipeline.IntegrationFailure, Message: "Internal server error", Status: 502, Cause: err}
	}
}

// Lambda is an AWS integration to Lambda (non-proxy): the request template
// makes the event, integration responses map the result, chosen by
// matching selection patterns against a function error's errorMessage.
type Lambda struct {
	invoker   LambdaInvoker
	target    *lambdaTarget
	timeout   time.Duration
	requests  *RequestTemplates
	responses *Responses
}

// NewLambda compiles an AWS integration whose URI invokes Lambda.
func NewLambda(in *model.Integration, invoker LambdaInvoker) (*Lambda, error) {
	t, err := parseLambdaURI(model.Deref(in.URI))
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
	return &Lambda{invoker: invoker, target: t, timeout: timeoutOf(in), requests: rt, responses: rs}, nil
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
	res, err := invokeLambda(x, l.invoker, l.target.resolve(x.Variables()), payload, l.timeout)
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
