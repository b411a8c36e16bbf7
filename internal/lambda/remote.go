package lambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// Remote invokes functions through the Lambda Invoke API of an endpoint
// (real AWS Lambda, another Tollgate, an emulator), signing with the
// standard AWS credential chain.
type Remote struct {
	client *lambdasdk.Client
}

// NewRemote returns a client for endpoint in region.
func NewRemote(ctx context.Context, endpoint, region string) (*Remote, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("lambda endpoint: %w", err)
	}
	client := lambdasdk.NewFromConfig(cfg, func(o *lambdasdk.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1 // API Gateway does not retry a synchronous invoke
	})
	return &Remote{client: client}, nil
}

// Invoke runs the function remotely (RequestResponse).
func (r *Remote) Invoke(ctx context.Context, ref string, payload []byte) (runtime.Result, error) {
	out, err := r.client.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String(ref), Payload: payload})
	var nf *types.ResourceNotFoundException
	var tm *types.TooManyRequestsException
	var tl *types.RequestTooLargeException
	switch {
	case errors.As(err, &nf):
		return runtime.Result{}, fmt.Errorf("%w: %s (remote)", ErrNotFound, ref)
	case errors.As(err, &tm):
		return runtime.Result{}, fmt.Errorf("%w (remote)", runtime.ErrTooManyRequests)
	case errors.As(err, &tl):
		return runtime.Result{}, fmt.Errorf("%w (remote)", runtime.ErrRequestTooLarge)
	case err != nil:
		return runtime.Result{}, fmt.Errorf("remote invoke %s: %w", ref, err)
	}
	return runtime.Result{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)}, nil
}
