// Package tracing records the spans of traced stages and exports them
// over OTLP/HTTP (protobuf) to a collector. A stage traces when its
// settings say so (a REST stage's tracingEnabled; an HTTP API stage's tag
// tollgate:tracingEnabled=true): deployment compiles a *Stage for it, and
// its pipeline starts one server span per request (Stage.Start) with child
// spans for authorization, the stage cache and the integration
// (pipeline.Exchange.StartSpan). Stages that do not trace hold nil and pay
// one comparison per request.
//
// Spans are OpenTelemetry API spans (go.opentelemetry.io/otel/trace), but
// not the SDK's: a request's spans are recorded into a pooled record and
// encoded to OTLP as they are set (span.go, otlp.go), and batches are
// sent in the background (export.go), so that a sampled request costs a
// few hundred nanoseconds and an unsampled one almost nothing. The
// exporter follows the SDK's environment variables (OTEL_EXPORTER_OTLP_*,
// OTEL_BSP_*); the resource is the SDK's (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES).
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
	"encoding/binary"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"

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
	region, accountID string
	// below: a trace is sampled when the top 63 bits of its id's last 8
	// bytes are below it (the SDK's TraceIDRatioBased); all: ratio 1.
	below uint64
	all   bool
	exp   *exporter
	pool  sync.Pool // of *record
	// stages numbers the stages.
	stages atomic.Uint64
}

// scopeName is the instrumentation scope of the gateway's spans.
const scopeName = "github.com/tollgate/tollgate/internal/gateway"

// New starts span export. Spans are batched and sent in the background; a
// collector that does not answer loses spans, never delays requests.
func New(ctx context.Context, cfg Config) (*Tracer, error) { return newTracer(ctx, cfg, nil) }

// newTracer is New with the export settings adjusted (tests).
func newTracer(ctx context.Context, cfg Config, adjust func(*exportConfig)) (*Tracer, error) {
	if cfg.Ratio < 0 || cfg.Ratio > 1 {
		return nil, fmt.Errorf("trace sampling ratio %v: want 0 to 1", cfg.Ratio)
	}
	ec, err := exportSettings(cfg.Endpoint, os.Getenv)
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(&ec)
	}
	// service.name and version are Tollgate's unless OTEL_SERVICE_NAME or
	// OTEL_RESOURCE_ATTRIBUTES say otherwise.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "tollgate"), attribute.String("service.version", cfg.Version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	exp, err := newExporter(ec, encodeResource(res.Attributes(), res.SchemaURL()))
	if err != nil {
		return nil, err
	}
	t := &Tracer{region: cfg.Region, accountID: cfg.AccountID, exp: exp,
		below: uint64(cfg.Ratio * (1 << 63)), all: cfg.Ratio >= 1}
	t.pool.New = func() any { return &record{queue: exp} }
	exp.release = func(r *record) {
		r.reset()
		t.pool.Put(r)
	}
	go exp.run()
	return t, nil
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
	return t.exp.shutdown(ctx)
}

// Dropped is the number of spans dropped so far because the export queue
// was full.
func (t *Tracer) Dropped() uint64 { return t.exp.dropped.Load() }

// record takes a record from the pool.
func (t *Tracer) record() *record { return t.pool.Get().(*record) }

// release puts a record back in its pool.
func release(r *record) { r.queue.release(r) }

// sampled decides whether a request whose caller's trace context is h is
// sampled: the caller's decision (Sampled=1 or 0, traceparent's flag);
// without one, the ratio, by the trace id.
func (t *Tracer) sampled(h xray.Header) bool {
	switch h.Sampled {
	case xray.SamplingYes:
		return true
	case xray.SamplingNo:
		return false
	}
	return t.all || binary.BigEndian.Uint64(h.Root[8:16])>>1 < t.below
}
