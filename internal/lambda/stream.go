package lambda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/randid"
)

// StreamResult is an invocation's outcome for a caller that takes the
// response as it is produced (Lambda's InvokeWithResponseStream).
type StreamResult struct {
	// ExecutedVersion is the version that ran (X-Amz-Executed-Version).
	ExecutedVersion string
	// ContentType is the response's content type: the one the runtime
	// gave a streamed response, else application/json.
	ContentType string
	// Body yields the response as the function writes it (a response the
	// runtime posted whole comes in one piece). It ends with io.EOF, or
	// with a *runtime.FunctionError when the function failed, at once or
	// half-way. The caller must Close it.
	Body io.ReadCloser
}

// InvokeFunctionStream runs a function like InvokeFunction, handing over
// its response as the function writes it when its runtime streams
// (Lambda-Runtime-Function-Response-Mode: streaming).
func (s *Service) InvokeFunctionStream(ctx context.Context, ref string, payload []byte, inv Invocation) (StreamResult, error) {
	t, err := s.resolve(ctx, ref, true)
	if errors.Is(err, ErrNotFound) && !errors.Is(err, ErrQualifierNotFound) && s.cfg.Remote != nil {
		return s.cfg.Remote.InvokeStream(ctx, ref, payload)
	}
	if err != nil {
		return StreamResult{}, err
	}
	res, err := s.invokeLocalStream(ctx, t, payload, inv)
	if err != nil {
		return StreamResult{}, err
	}
	out := StreamResult{ExecutedVersion: t.Version, ContentType: res.ContentType, Body: res.Stream}
	if out.Body == nil {
		out.ContentType, out.Body = "application/json", wholeBody(res.Payload, res.FunctionError)
	}
	return out, nil
}

// invokeLocalStream is invokeLocal for a synchronous streamed invocation:
// the function's reserved concurrency slot is held until the caller closes
// the stream.
func (s *Service) invokeLocalStream(ctx context.Context, t Target, payload []byte, inv Invocation) (runtime.Result, error) {
	fn := t.Function
	if fn.ReservedConcurrency != nil && *fn.ReservedConcurrency == 0 {
		return runtime.Result{}, fmt.Errorf("invoke %s: reserved concurrency is 0: %w", fn.FunctionName, runtime.ErrTooManyRequests)
	}
	if inv.RequestID == "" {
		inv.RequestID = randid.UUID()
	}
	opts := runtime.Invocation{RequestID: inv.RequestID, ClientContext: inv.ClientContext, InvokedARN: t.InvokedARN,
		FailFast: fn.ReservedConcurrency != nil}
	pool, err := s.pool(fn, t.Version)
	if isInterpreterError(err) {
		return runtime.EntrypointFailure(opts.RequestID, err.Error()), nil
	}
	if err != nil {
		return runtime.Result{}, err
	}
	release, err := s.reserve(ctx, fn, true)
	if err != nil {
		return runtime.Result{}, err
	}
	res, err := pool.InvokeStream(ctx, payload, opts)
	if res.Stream != nil {
		res.Stream = &releasing{ReadCloser: res.Stream, release: release}
		return res, err
	}
	release()
	return res, err
}

// releasing gives a reserved concurrency slot back when its stream closes.
type releasing struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

// SetReadDeadline bounds the stream's reads (runtime streams can be).
func (r *releasing) SetReadDeadline(t time.Time) error { return setReadDeadline(r.ReadCloser, t) }

func setReadDeadline(r io.Reader, t time.Time) error {
	if d, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

func (r *releasing) Close() error {
	err := r.ReadCloser.Close()
	r.once.Do(r.release)
	return err
}

// wholeBody is a response the runtime posted whole, as a stream: the
// payload, or nothing and the error when the function failed.
func wholeBody(payload []byte, functionError string) io.ReadCloser {
	if functionError != "" {
		return io.NopCloser(errReader{&runtime.FunctionError{Payload: payload}})
	}
	return io.NopCloser(bytes.NewReader(payload))
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// InvokeStream implements invoker.StreamingLambda for API Gateway's
// streaming integrations (…/response-streaming-invocations).
func (s *Service) InvokeStream(ctx context.Context, function string, payload []byte) (invoker.Stream, error) {
	res, err := s.InvokeFunctionStream(ctx, function, payload, Invocation{TraceID: invoker.TraceHeader(ctx)})
	if err != nil {
		return invoker.Stream{}, invokerError(ctx, function, err)
	}
	return invoker.Stream{ContentType: res.ContentType, Body: gatewayBody{res.Body}}, nil
}

// gatewayBody reports a function's failure as the invoker's error.
type gatewayBody struct{ io.ReadCloser }

func (b gatewayBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var fe *runtime.FunctionError
	if errors.As(err, &fe) {
		err = &invoker.FunctionError{Payload: fe.Payload}
	}
	return n, err
}

// SetReadDeadline bounds the stream's reads, when it can be.
func (b gatewayBody) SetReadDeadline(t time.Time) error { return setReadDeadline(b.ReadCloser, t) }

var _ invoker.StreamingLambda = (*Service)(nil)
