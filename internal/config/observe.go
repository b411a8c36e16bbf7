package config

import (
	"fmt"
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

// validateObserve checks the audit and log settings.
func (s Settings) validateObserve() error {
	if d, err := strconv.Atoi(s.AuditRetentionDays); err != nil || d < 1 || d > maxRetentionDays {
		return fmt.Errorf("--audit-retention-days %q: want a whole number of days from 1 to %d", s.AuditRetentionDays, maxRetentionDays)
	}
	if mb, err := strconv.Atoi(s.LogsMaxMB); err != nil || mb < 1 || mb > maxLogsMB {
		return fmt.Errorf("--logs-max-mb %q: want a whole number of megabytes from 1 to %d", s.LogsMaxMB, maxLogsMB)
	}
	return nil
}
