package config

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// maxRetentionDays bounds the retention settings: ten years, CloudWatch
// Logs' longest retention (3653 days).
const maxRetentionDays = 3653

// AuditRetention is how long audit events are kept.
func (s Settings) AuditRetention() time.Duration {
	d, _ := strconv.Atoi(s.AuditRetentionDays)
	return time.Duration(d) * 24 * time.Hour
}

// LogsMaxBytes is the bound of the CloudWatch Logs stand-in's events.
func (s Settings) LogsMaxBytes() int64 {
	mb, _ := strconv.Atoi(s.LogsMaxMB)
	return int64(mb) << 20
}

// maxLogsMB bounds --logs-max-mb (events are held in memory).
const maxLogsMB = 64 << 10

// TraceRatio is --trace-sampling as a number.
func (s Settings) TraceRatio() float64 {
	r, _ := strconv.ParseFloat(s.TraceSampling, 64)
	return r
}

// TracesEndpoint is where spans go: --otlp-endpoint, else what the
// OpenTelemetry environment variables name (the exporter reads them
// itself; "" and ok true then). ok is false when tracing is off.
func (s Settings) TracesEndpoint(getenv func(string) string) (endpoint string, ok bool) {
	if s.OTLPEndpoint != "" {
		return s.OTLPEndpoint, true
	}
	return "", getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
}

// validateObserve checks the audit, log and tracing settings.
func (s Settings) validateObserve() error {
	if d, err := strconv.Atoi(s.AuditRetentionDays); err != nil || d < 1 || d > maxRetentionDays {
		return fmt.Errorf("--audit-retention-days %q: want a whole number of days from 1 to %d", s.AuditRetentionDays, maxRetentionDays)
	}
	if mb, err := strconv.Atoi(s.LogsMaxMB); err != nil || mb < 1 || mb > maxLogsMB {
		return fmt.Errorf("--logs-max-mb %q: want a whole number of megabytes from 1 to %d", s.LogsMaxMB, maxLogsMB)
	}
	if r, err := strconv.ParseFloat(s.TraceSampling, 64); err != nil || !(r >= 0 && r <= 1) {
		return fmt.Errorf("--trace-sampling %q: want a number from 0 to 1", s.TraceSampling)
	}
	if e := s.OTLPEndpoint; e != "" {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--otlp-endpoint %q: want http(s)://host:port", e)
		}
	}
	return nil
}
