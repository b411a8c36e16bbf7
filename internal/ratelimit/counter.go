package ratelimit

import (
	"context"
	"errors"
	"time"
)

// MaxUsageDays is the longest range, in days, that Counter.Usage reports.
const MaxUsageDays = 90

// ErrInvalidRange is wrapped by the error Usage returns for a range that
// ends before it starts or spans more than MaxUsageDays days.
var ErrInvalidRange = errors.New("invalid usage range")

// Counter counts requests against usage plan quotas, per key (typically a
// usage plan and API key). Implementations must be safe for concurrent use.
//
// Counts are kept per UTC day, and the requests used in a window are those
// counted on its days. A change of q between calls therefore behaves as
// follows: the requests already counted in the current window still count
// and the remaining quota is recomputed against the new Limit (it may drop
// to 0 at once); a new Period or Offset makes the window the new period
// containing now, whose used count is the requests counted on its days. An
// adjustment made by SetRemaining stays with the day it was made on, so it
// applies to whichever window contains that day.
//
// An invalid Quota is an error wrapping ErrInvalidQuota. Implementations
// may drop counts older than MaxUsageDays plus one month.
type Counter interface {
	// Take counts one request for key in q's current window. When the
	// window's limit is used up it returns ok=false and does not count.
	// remaining is what is left after this request (0 when !ok).
	Take(ctx context.Context, key string, q Quota, now time.Time) (remaining int64, ok bool, err error)
	// Usage returns, for each UTC day in [from, to] (inclusive, at most
	// MaxUsageDays days), the requests counted that day and the quota
	// remaining at the end of that day, by q (API Gateway's GetUsage: per
	// key, per day [used, remaining]). Days without requests, including
	// days to come, report 0 used. A range that ends before it starts or is
	// too long is an error wrapping ErrInvalidRange.
	Usage(ctx context.Context, key string, q Quota, from, to time.Time) ([]DayUsage, error)
	// SetRemaining sets the remaining quota of key's current window to
	// n >= 0 (API Gateway's UpdateUsage `replace /keys/{keyId}/remaining`),
	// e.g. granting a temporary extension. The next window starts afresh
	// at q.Limit.
	SetRemaining(ctx context.Context, key string, q Quota, n int64, now time.Time) error
}

// DayUsage is one key's usage on one UTC day.
type DayUsage struct {
	// Day is midnight UTC at the start of the day.
	Day time.Time
	// Used is the number of requests counted that day.
	Used int64
	// Remaining is the quota left at the end of the day (never negative).
	Remaining int64
}
