package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway/throttle"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/logs"
	"github.com/tollgate/tollgate/internal/store"
)

// newAuditTrail starts the audit trail: events kept in the store for
// --audit-retention-days, and written as JSON lines to --audit-log when
// it is set (a file, private to the user, or stdout for "-").
func newAuditTrail(s config.Settings, st store.Store, stdout io.Writer, log *slog.Logger) (*audit.Trail, func(), error) {
	var lines io.Writer
	var file *os.File
	switch s.AuditLog {
	case "":
	case "-", "stdout":
		lines = stdout
	default:
		f, err := os.OpenFile(s.AuditLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("--audit-log: %w", err)
		}
		lines, file = f, f
	}
	trail := audit.New(audit.Config{
		Store: st, Identity: audit.Identity{Region: s.Region, AccountID: s.AccountID},
		Retention: s.AuditRetention(), Lines: lines, Log: log.With("component", "audit"),
	})
	return trail, func() {
		_ = trail.Close()
		if file != nil {
			_ = file.Close()
		}
	}, nil
}

// newLogs opens the CloudWatch Logs stand-in's events in <data-dir>/logs
// and the writer the gateway logs through.
func newLogs(s config.Settings, log *slog.Logger) (*logs.Store, *logs.Writer, func(), error) {
	st, err := logs.Open(logs.Config{Dir: filepath.Join(s.DataDir, "logs"), MaxBytes: s.LogsMaxBytes(), Log: log.With("component", "logs")})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("log groups: %w", err)
	}
	w := logs.NewWriter(st)
	return st, w, func() {
		w.Close()
		_ = st.Close()
	}, nil
}

// registerObserveMetrics exposes what the audit trail and the log writer
// had to drop (a full queue, a failing store).
func registerObserveMetrics(reg prometheus.Registerer, trail *audit.Trail, w *logs.Writer) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tollgate_audit_events_dropped_total",
			Help: "Audit events not stored: the queue was full or the store refused them."},
			func() float64 { return float64(trail.Dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tollgate_log_events_dropped_total",
			Help: "Log events (access, execution, function logs) dropped because the log writer's queue was full."},
			func() float64 { return float64(w.Dropped()) }),
	)
}

// newTracer starts span export when a collector is configured
// (--otlp-endpoint or the OpenTelemetry environment variables); nil
// otherwise: no stage traces. stop flushes the spans still queued.
func newTracer(ctx context.Context, s config.Settings, getenv func(string) string, log *slog.Logger) (t *tracing.Tracer, stop func(), err error) {
	endpoint, ok := s.TracesEndpoint(getenv)
	if !ok {
		return nil, func() {}, nil
	}
	t, err = tracing.New(ctx, tracing.Config{Endpoint: endpoint, Ratio: s.TraceRatio(), Version: VersionString(),
		Region: s.Region, AccountID: s.AccountID})
	if err != nil {
		return nil, nil, err
	}
	if endpoint == "" {
		endpoint = "from OTEL_EXPORTER_OTLP_* variables"
	}
	log.Info("tracing: traced stages export spans over OTLP/HTTP", "endpoint", endpoint, "sampling", s.TraceRatio())
	return t, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := t.Shutdown(sctx); err != nil {
			log.Warn("tracing: spans still queued were not exported", "err", err)
		}
	}, nil
}

// newMgmtMetrics registers the management API's call durations.
func newMgmtMetrics(reg prometheus.Registerer) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tollgate_management_request_duration_seconds",
		Help: "Management API calls by operation and status.",
	}, []string{"operation", "status"})
	reg.MustRegister(v)
	return v
}

// registerGatewayMetrics exposes Tollgate's own data-plane metrics:
// throttle and quota decisions, and the local Lambda functions' execution
// environments (instances by state, cold starts).
func registerGatewayMetrics(reg prometheus.Registerer, decisions *throttle.Decisions, pools func() []lambda.PoolStats) {
	reg.MustRegister(&gatewayCollector{decisions: decisions, pools: pools})
}

var (
	throttleDesc = prometheus.NewDesc("tollgate_throttle_decisions_total",
		"Token bucket decisions by limit: account, route (a REST stage's method or an HTTP API route), usage_plan (an API key's plan).",
		[]string{"limit", "decision"}, nil)
	quotaDesc = prometheus.NewDesc("tollgate_quota_decisions_total",
		"Usage plan quota decisions (an API key's requests counted against its plan's quota).", []string{"decision"}, nil)
	instancesDesc = prometheus.NewDesc("tollgate_lambda_instances",
		"Execution environments (instances) of a local function version, busy with an invocation or idle.",
		[]string{"function", "version", "state"}, nil)
	coldStartsDesc = prometheus.NewDesc("tollgate_lambda_cold_starts_total",
		"Execution environments started (cold starts) of a local function version.", []string{"function", "version"}, nil)
)

// gatewayCollector reads the counters when /metrics is scraped: the
// request path only adds to atomic counters.
type gatewayCollector struct {
	decisions *throttle.Decisions
	pools     func() []lambda.PoolStats
}

func (c *gatewayCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- throttleDesc
	ch <- quotaDesc
	ch <- instancesDesc
	ch <- coldStartsDesc
}

func (c *gatewayCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range throttle.Limits() {
		for _, allowed := range []bool{true, false} {
			n := float64(c.decisions.Count(l, allowed))
			switch {
			case l == throttle.PlanQuota && allowed:
				ch <- prometheus.MustNewConstMetric(quotaDesc, prometheus.CounterValue, n, "allowed")
			case l == throttle.PlanQuota:
				ch <- prometheus.MustNewConstMetric(quotaDesc, prometheus.CounterValue, n, "exceeded")
			case allowed:
				ch <- prometheus.MustNewConstMetric(throttleDesc, prometheus.CounterValue, n, l.String(), "allowed")
			default:
				ch <- prometheus.MustNewConstMetric(throttleDesc, prometheus.CounterValue, n, l.String(), "throttled")
			}
		}
	}
	if c.pools == nil {
		return
	}
	for _, p := range c.pools() {
		ch <- prometheus.MustNewConstMetric(instancesDesc, prometheus.GaugeValue, float64(p.Instances-p.Idle), p.Function, p.Version, "busy")
		ch <- prometheus.MustNewConstMetric(instancesDesc, prometheus.GaugeValue, float64(p.Idle), p.Function, p.Version, "idle")
		ch <- prometheus.MustNewConstMetric(coldStartsDesc, prometheus.CounterValue, float64(p.Starts), p.Function, p.Version)
	}
}
