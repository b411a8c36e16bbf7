package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

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

// Invoke runs the function remotely (RequestResponse); ref keeps its
// qualifier, if any. With logTail, the result carries the decoded
// X-Amz-Log-Result.
func (r *Remote) Invoke(ctx context.Context, ref string, payload []byte, logTail bool) (Result, error) {
	in := &lambdasdk.InvokeInput{FunctionName: aws.String(ref), Payload: payload}
	if logTail {
		in.LogType = types.LogTypeTail
	}
	out, err := r.client.Invoke(ctx, in)
	if err != nil {
		return Result{}, remoteError(ref, err)
	}
	res := Result{Result: runtime.Result{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)},
		ExecutedVersion: aws.ToString(out.ExecutedVersion)}
	if res.ExecutedVersion == "" {
		res.ExecutedVersion = "$LATEST"
	}
	if out.LogResult != nil {
		res.Logs, _ = base64.StdEncoding.DecodeString(*out.LogResult)
	}
	return res, nil
}

// InvokeAsync queues an Event invocation remotely.
func (r *Remote) InvokeAsync(ctx context.Context, ref string, payload []byte) error {
	_, err := r.client.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String(ref), Payload: payload,
		InvocationType: types.InvocationTypeEvent})
	if err != nil {
		return remoteError(ref, err)
	}
	return nil
}

// remoteError maps the remote's answers to the service's errors.
func remoteError(ref string, err error) error {
	var nf *types.ResourceNotFoundException
	var tm *types.TooManyRequestsException
	var tl *types.RequestTooLargeException
	var api smithy.APIError
	switch {
	case errors.As(err, &nf):
		return fmt.Errorf("%w: %s (remote)", ErrNotFound, ref)
	case errors.As(err, &tm):
		return fmt.Errorf("%w (remote)", runtime.ErrTooManyRequests)
	// Lambda answers an oversized payload with the unmodelled
	// RequestEntityTooLargeException.
	case errors.As(err, &tl), errors.As(err, &api) && api.ErrorCode() == "RequestEntityTooLargeException":
		return fmt.Errorf("%w (remote)", runtime.ErrRequestTooLarge)
	}
	return fmt.Errorf("remote invoke %s: %w", ref, err)
}

// InvokeStream runs the function remotely with InvokeWithResponseStream;
// the remote's InvokeComplete error becomes the stream's
// *runtime.FunctionError ({"errorMessage": ErrorDetails, "errorType":
// ErrorCode}).
func (r *Remote) InvokeStream(ctx context.Context, ref string, payload []byte) (StreamResult, error) {
	out, err := r.client.InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{
		FunctionName: aws.String(ref), Payload: payload})
	if err != nil {
		return StreamResult{}, remoteError(ref, err)
	}
	res := StreamResult{ExecutedVersion: aws.ToString(out.ExecutedVersion),
		ContentType: aws.ToString(out.ResponseStreamContentType), Body: &remoteBody{es: out.GetStream()}}
	if res.ExecutedVersion == "" {
		res.ExecutedVersion = "$LATEST"
	}
	return res, nil
}

// remoteBody reads the payload chunks of a remote event stream.
type remoteBody struct {
	es  *lambdasdk.InvokeWithResponseStreamEventStream
	buf []byte
	err error
}

func (b *remoteBody) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		ev, ok := <-b.es.Events()
		if !ok {
			if b.err = b.es.Err(); b.err == nil {
				b.err = fmt.Errorf("remote stream ended without InvokeComplete: %w", io.ErrUnexpectedEOF)
			}
			continue
		}
		switch e := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			b.buf = e.Value.Payload
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			b.err = io.EOF
			if code := aws.ToString(e.Value.ErrorCode); code != "" {
				doc, _ := json.Marshal(struct {
					ErrorMessage string `json:"errorMessage"`
					ErrorType    string `json:"errorType"`
				}{aws.ToString(e.Value.ErrorDetails), code})
				b.err = &runtime.FunctionError{Payload: doc}
			}
		}
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

func (b *remoteBody) Close() error { return b.es.Close() }
