// Package tracing records the spans of traced stages with the
// OpenTelemetry SDK and exports them over OTLP/HTTP (protobuf) to a
// collector. A stage traces when its settings say so (a REST stage's
// tracingEnabled; an HTTP API stage's tag tollgate:tracingEnabled=true):
// deployment compiles a *Stage for it, and its pipeline starts one server
// span per request (Stage.Start) with child spans for authorization, the
// stage cache and the integration (pipeline.Exchange.StartSpan). Stages
// that do not trace hold nil and pay one comparison per request.
//
// Trace ids follow X-Ray's form (the first 4 bytes are the start in epoch
// seconds), so that the ids handed on in X-Amzn-Trace-Id headers are ones
// X-Ray accepts. A caller's trace is continued: its X-Amzn-Trace-Id (Root,
// Parent, Sampled) or, without one, its W3C traceparent. A caller's
// sampling decision is kept; without one, Config.Ratio of the traces are
// sampled. Unsampled requests still hand on their ids (Sampled=0).
package tracing

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/xray"
)

// Config configures span export.
type Config struct {
	// Endpoint is the collector's OTLP/HTTP base URL
	// ("http://127.0.0.1:4318"), as OTEL_EXPORTER_OTLP_ENDPOINT: the
	// traces path /v1/traces is appended unless the URL ends with it.
	// Empty: the exporter's own environment settings
	// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT).
	Endpoint string
	// Ratio is the share of traces sampled when the caller made no
	// decision, 0 to 1.
	Ratio float64
	// Version is Tollgate's version (service.version).
	Version string
	// Region and AccountID own every API (span attributes).
	Region, AccountID string
}

// Tracer records and exports the spans of traced stages.
type Tracer struct {
	provider          *sdktrace.TracerProvider
	region, accountID string
}

// scopeName is the instrumentation scope of the gateway's spans.
const scopeName = "github.com/tollgate/tollgate/internal/gateway"

// New starts span export. Spans are batched and sent in the background; a
// collector that does not answer loses spans, never delays requests.
func New(ctx context.Context, cfg Config) (*Tracer, error) { return newTracer(ctx, cfg) }

// newTracer is New with the batch processor's options (benchmarks block
// instead of dropping spans, so that export is measured).
func newTracer(ctx context.Context, cfg Config, batch ...sdktrace.BatchSpanProcessorOption) (*Tracer, error) {
	if cfg.Ratio < 0 || cfg.Ratio > 1 {
		return nil, fmt.Errorf("trace sampling ratio %v: want 0 to 1", cfg.Ratio)
	}
	var opts []otlptracehttp.Option
	if cfg.Endpoint != "" {
		u, err := tracesURL(cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	// service.name and version are Tollgate's unless OTEL_SERVICE_NAME or
	// OTEL_RESOURCE_ATTRIBUTES say otherwise.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "tollgate"), attribute.String("service.version", cfg.Version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, batch...),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sampler{ratio: sdktrace.TraceIDRatioBased(cfg.Ratio)}),
		sdktrace.WithIDGenerator(ids{}),
	)
	return &Tracer{provider: tp, region: cfg.Region, accountID: cfg.AccountID}, nil
}

// tracesURL is the OTLP/HTTP traces URL of a collector's base URL.
func tracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("OTLP endpoint %q: want http(s)://host:port", endpoint)
	}
	if !strings.HasSuffix(u.Path, "/v1/traces") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	}
	return u.String(), nil
}

// Shutdown exports the spans still queued, within ctx, and stops.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// callerKey carries the caller's trace context to the sampler and the id
// generator of a request's span.
type callerKey struct{}

type caller struct {
	root    xray.TraceID
	sampled xray.Sampling
}

// sampler keeps the decision of the caller (Sampled=1 or 0, traceparent's
// flag) and of a span's local parent; without one, it samples ratio of the
// traces by their id.
type sampler struct{ ratio sdktrace.Sampler }

func (s sampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	psc := oteltrace.SpanContextFromContext(p.ParentContext)
	decision := xray.SamplingUnknown
	switch c, ok := p.ParentContext.Value(callerKey{}).(*caller); {
	case psc.IsValid() && !psc.IsRemote():
		decision = xray.SamplingNo
		if psc.IsSampled() {
			decision = xray.SamplingYes
		}
	case ok:
		decision = c.sampled
	}
	switch decision {
	case xray.SamplingYes:
		return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample, Tracestate: psc.TraceState()}
	case xray.SamplingNo:
		return sdktrace.SamplingResult{Decision: sdktrace.Drop, Tracestate: psc.TraceState()}
	}
	return s.ratio.ShouldSample(p)
}

func (s sampler) Description() string {
	return "TollgateSampler{caller's decision, else " + s.ratio.Description() + "}"
}

// ids makes X-Ray-compatible trace ids, or takes the caller's trace id for
// a span without a remote parent (a caller that sent a Root without a
// Parent).
type ids struct{}

func (ids) NewIDs(ctx context.Context) (oteltrace.TraceID, oteltrace.SpanID) {
	if c, ok := ctx.Value(callerKey{}).(*caller); ok && c.root.IsValid() {
		return oteltrace.TraceID(c.root), oteltrace.SpanID(xray.NewSpanID())
	}
	return oteltrace.TraceID(xray.NewTraceID(time.Now())), oteltrace.SpanID(xray.NewSpanID())
}

func (ids) NewSpanID(context.Context, oteltrace.TraceID) oteltrace.SpanID {
	return oteltrace.SpanID(xray.NewSpanID())
}
