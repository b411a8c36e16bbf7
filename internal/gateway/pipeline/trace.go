package pipeline

import (
	"strings"

	"github.com/tollgate/tollgate/internal/xray"
)

// trace is a request's trace context: the ids the gateway hands on to
// integrations (HTTP backends, Lambda functions and authorizers). Without
// tracing, API Gateway passes a caller's X-Amzn-Trace-Id through unchanged
// and adds a Root of its own to requests that came without one [D:
// apigateway-xray; C: captured events].
type trace struct {
	resolved bool
	// client is the caller's X-Amzn-Trace-Id when it has a valid Root
	// ("" otherwise), parsed into header.
	client string
	header xray.Header
	// traceparent is the caller's W3C traceparent when it is valid.
	traceparent string
}

// resolveTrace reads the caller's trace headers once. The trace id is
// the X-Ray Root the caller sent; else its traceparent's trace id (the
// X-Ray form then carries the traceparent's first 8 hex digits where the
// time would be, which X-Ray accepts); else a new one, dated x.Start
// [U: the precedence is Tollgate's].
func (x *Exchange) resolveTrace() *trace {
	t := &x.trace
	if t.resolved {
		return t
	}
	t.resolved = true
	if h := x.Req.Header("X-Amzn-Trace-Id"); h != "" {
		if parsed, ok := xray.ParseHeader(h); ok {
			t.client, t.header = h, parsed
		}
	}
	if tp := x.Req.Header("traceparent"); tp != "" {
		if id, parent, sampled, ok := xray.ParseTraceparent(tp); ok {
			t.traceparent = tp
			if t.client == "" {
				t.header = xray.Header{Root: id, Parent: parent, Sampled: xray.SamplingNo}
				if sampled {
					t.header.Sampled = xray.SamplingYes
				}
			}
		}
	}
	if !t.header.Root.IsValid() {
		t.header.Root = xray.NewTraceID(x.Start)
	}
	return t
}

// TraceID is the request's trace id (X-Ray's Root).
func (x *Exchange) TraceID() xray.TraceID { return x.resolveTrace().header.Root }

// AppendTraceHeader appends the X-Amzn-Trace-Id integrations receive: the
// caller's as sent, or one with the request's Root.
func (x *Exchange) AppendTraceHeader(dst []byte) []byte {
	t := x.resolveTrace()
	if t.client != "" {
		return append(dst, t.client...)
	}
	return xray.AppendRootHeader(dst, t.header.Root)
}

// PassesTraceHeader reports whether integrations receive the caller's
// X-Amzn-Trace-Id unchanged: a payload that carries the caller's headers
// then carries it already.
func (x *Exchange) PassesTraceHeader() bool { return x.resolveTrace().client != "" }

// TraceHeader is AppendTraceHeader as a string of its own (it may outlive
// the request: a Lambda invocation can).
func (x *Exchange) TraceHeader() string {
	t := x.resolveTrace()
	if t.client != "" {
		return strings.Clone(t.client)
	}
	var b [len("Root=") + xray.RootLen]byte
	return string(xray.AppendRootHeader(b[:0], t.header.Root))
}

// AppendTraceparent appends the W3C traceparent integrations receive; ok
// is false when there is none to send (the caller sent no valid one).
func (x *Exchange) AppendTraceparent(dst []byte) (_ []byte, ok bool) {
	t := x.resolveTrace()
	if t.traceparent == "" {
		return dst, false
	}
	return append(dst, t.traceparent...), true
}
