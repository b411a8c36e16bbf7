package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// lambdaPart is a literal piece of a function name, or a stage variable.
type lambdaPart struct{ lit, stageVar string }

// LambdaFunction is the function a Lambda invocation URI names (integration
// or authorizer URIs), possibly through stage variables
// ("…:function:${stageVariables.fn}/invocations").
type LambdaFunction struct {
	parts []lambdaPart
	// Streaming is set for the response streaming URI
	// (…/2021-11-15/functions/{fn}/response-streaming-invocations, Lambda's
	// InvokeWithResponseStream).
	Streaming bool
}

// Lambda invocation URIs: Invoke's, and InvokeWithResponseStream's
// ("arn:aws:apigateway:us-west-1:lambda:path/2021-11-15/functions/{arn}/response-streaming-invocations",
// API Gateway Developer Guide, "Set up a Lambda proxy integration with
// payload response streaming").
var lambdaURIs = []struct {
	marker, suffix string
	streaming      bool
}{
	{":lambda:path/2015-03-31/functions/", "/invocations", false},
	{":lambda:path/2021-11-15/functions/", "/response-streaming-invocations", true},
}

// ParseLambdaFunction extracts the function from
// arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations,
// or from the response streaming URI.
func ParseLambdaFunction(uri string) (LambdaFunction, error) {
	var f LambdaFunction
	fn, matched := "", false
	for _, u := range lambdaURIs {
		i := strings.Index(uri, u.marker)
		if i < 0 || !strings.HasSuffix(uri, u.suffix) || i+len(u.marker) > len(uri)-len(u.suffix) {
			continue
		}
		fn, f.Streaming, matched = uri[i+len(u.marker):len(uri)-len(u.suffix)], u.streaming, true
		break
	}
	if !matched {
		return LambdaFunction{}, fmt.Errorf("not a Lambda invocation URI: %q", uri)
	}
	if fn == "" {
		return LambdaFunction{}, fmt.Errorf("no function in %q", uri)
	}
	for len(fn) > 0 {
		j := strings.Index(fn, "${stageVariables.")
		if j < 0 {
			f.parts = append(f.parts, lambdaPart{lit: fn})
			break
		}
		if j > 0 {
			f.parts = append(f.parts, lambdaPart{lit: fn[:j]})
		}
		end := strings.IndexByte(fn[j:], '}')
		if end < 0 {
			return LambdaFunction{}, fmt.Errorf("unterminated stage variable in %q", uri)
		}
		f.parts = append(f.parts, lambdaPart{stageVar: fn[j+len("${stageVariables.") : j+end]})
		fn = fn[j+end+1:]
	}
	return f, nil
}

// Resolve returns the function name or ARN with stage variables applied.
func (f LambdaFunction) Resolve(vars map[string]string) string {
	if len(f.parts) == 1 && f.parts[0].stageVar == "" {
		return f.parts[0].lit
	}
	var b strings.Builder
	for _, p := range f.parts {
		if p.stageVar != "" {
			b.WriteString(vars[p.stageVar])
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// InvokeLambda calls function fn with payload within the integration
// timeout, handing on the request's trace header, and maps the invoker's
// errors to the gateway's answers.
func InvokeLambda(x *pipeline.Exchange, inv invoker.Lambda, fn string, payload []byte, timeout time.Duration) (invoker.Result, error) {
	if inv == nil {
		return invoker.Result{}, pipeline.Fail(pipeline.APIConfigurationError, errors.New("no Lambda invoker configured"))
	}
	if sp := x.Span(); sp != nil {
		spanFunction(sp, fn)
	}
	ctx, cancel := context.WithTimeout(invoker.WithTraceHeader(x.Ctx, x.TraceHeader()), timeout)
	defer cancel()
	res, err := inv.Invoke(ctx, fn, payload)
	if err != nil {
		return res, lambdaFailure(err)
	}
	return res, nil
}

// lambdaFailure maps an invoker's error to the gateway's answer.
func lambdaFailure(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return pipeline.Fail(pipeline.IntegrationTimeout, err)
	case errors.Is(err, invoker.ErrPayloadTooLarge):
		return pipeline.Fail(pipeline.RequestTooLarge, err)
	case errors.Is(err, invoker.ErrFunctionNotFound):
		return pipeline.Fail(pipeline.APIConfigurationError, err)
	default:
		return &pipeline.Failure{Type: pipeline.IntegrationFailure, Message: "Internal server error", Status: 502, Cause: err}
	}
}

// InvokeLambdaStream calls function fn with payload for a streamed
// response (InvokeWithResponseStream): the answer must begin by deadline,
// and its body is the caller's to read (and Close). Errors map as in
// InvokeLambda.
func InvokeLambdaStream(x *pipeline.Exchange, inv invoker.Lambda, fn string, payload []byte, deadline time.Time) (invoker.Stream, error) {
	sl, ok := inv.(invoker.StreamingLambda)
	if !ok {
		return invoker.Stream{}, pipeline.Fail(pipeline.APIConfigurationError, errors.New("the Lambda invoker cannot stream responses"))
	}
	ctx, cancel := context.WithDeadline(x.Ctx, deadline)
	defer cancel()
	st, err := sl.InvokeStream(ctx, fn, payload)
	if err != nil {
		return st, lambdaFailure(err)
	}
	return st, nil
}

// spanFunction records the function a span invokes: its name, and its ARN
// when the integration names it by one.
func spanFunction(sp trace.Span, fn string) {
	name := fn
	if strings.HasPrefix(fn, "arn:") {
		pipeline.SetSpanAttribute(sp, attribute.String("aws.lambda.invoked_arn", fn))
		if _, after, ok := strings.Cut(fn, ":function:"); ok {
			name, _, _ = strings.Cut(after, ":")
		}
	}
	pipeline.SetSpanAttribute(sp, attribute.String("faas.invoked_provider", "aws"))
	pipeline.SetSpanAttribute(sp, attribute.String("faas.invoked_name", name))
}
