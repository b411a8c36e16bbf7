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

// validateObserve checks the audit and log settings.
func (s Settings) validateObserve() error {
	if d, err := strconv.Atoi(s.AuditRetentionDays); err != nil || d < 1 || d > maxRetentionDays {
		return fmt.Errorf("--audit-retention-days %q: want a whole number of days from 1 to %d", s.AuditRetentionDays, maxRetentionDays)
	}
	return nil
}
