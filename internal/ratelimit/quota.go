package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidQuota is wrapped by the errors for an unusable Quota (see
// Quota.Validate), an unknown period name and a negative remaining count.
var ErrInvalidQuota = errors.New("invalid quota")

// Period is the calendar period a Quota's limit applies to. The zero
// Period is invalid.
type Period uint8

// The quota periods.
const (
	Day   Period = iota + 1 // a calendar day, from midnight UTC
	Week                    // seven days, from midnight UTC on a set weekday
	Month                   // a calendar month, from midnight UTC on a set day
)

// MaxMonthOffset is the largest Offset of a MONTH quota: the period then
// starts on the 31st, or on the last day of shorter months.
const MaxMonthOffset = 30

// ParsePeriod parses API Gateway's period names "DAY", "WEEK" and "MONTH".
func ParsePeriod(s string) (Period, error) {
	switch s {
	case "DAY":
		return Day, nil
	case "WEEK":
		return Week, nil
	case "MONTH":
		return Month, nil
	}
	return 0, fmt.Errorf("ratelimit: unknown quota period %q: %w", s, ErrInvalidQuota)
}

// String returns API Gateway's name of p ("DAY", "WEEK", "MONTH").
func (p Period) String() string {
	switch p {
	case Day:
		return "DAY"
	case Week:
		return "WEEK"
	case Month:
		return "MONTH"
	}
	return fmt.Sprintf("Period(%d)", uint8(p))
}

// Quota is a usage plan quota: Limit requests per Period, the period
// starting Offset days in. Periods are calendar periods in UTC, starting at
// midnight:
//
//   - DAY: every day; Offset must be 0.
//   - WEEK: Offset 0 (Sunday) … 6 (Saturday) is the weekday weeks start on.
//   - MONTH: months start on day Offset+1 (0 = the 1st … MaxMonthOffset =
//     the 31st). In a month too short for that day the period starts on
//     the month's last day instead: with Offset 30, periods start on
//     Jan 31, Feb 28 (29 in leap years), Mar 31, Apr 30, ….
//
// This is the Offset of CloudFormation's QuotaSettings ("the day that a
// time period starts"); API Gateway's API reference instead describes
// offset as requests subtracted from the limit in the initial period.
type Quota struct {
	// Limit is the number of requests admitted per period; 0 admits none.
	Limit int64
	// Offset is, in days, where in its period each period starts (above).
	Offset int
	// Period is the period the count resets with.
	Period Period
}

// Validate reports, wrapping ErrInvalidQuota, whether q is unusable: a
// negative Limit, an unknown Period or an Offset out of its Period's range.
func (q Quota) Validate() error {
	maxOffset := 0
	switch q.Period {
	case Day:
	case Week:
		maxOffset = 6
	case Month:
		maxOffset = MaxMonthOffset
	default:
		return fmt.Errorf("ratelimit: quota period %v: %w", q.Period, ErrInvalidQuota)
	}
	if q.Offset < 0 || q.Offset > maxOffset {
		return fmt.Errorf("ratelimit: offset %d of a %v quota is not in [0, %d]: %w", q.Offset, q.Period, maxOffset, ErrInvalidQuota)
	}
	if q.Limit < 0 {
		return fmt.Errorf("ratelimit: negative quota limit %d: %w", q.Limit, ErrInvalidQuota)
	}
	return nil
}

// Window returns the quota period containing now: [start, end), both
// midnight UTC. For an invalid q (see Validate) it returns now's UTC day.
func (q Quota) Window(now time.Time) (start, end time.Time) {
	d := dayOf(now)
	if q.Validate() != nil {
		return dayTime(d), dayTime(d + 1)
	}
	s, e := q.windowDays(d)
	return dayTime(s), dayTime(e)
}

// windowDays returns q's period containing day d as days [start, end). q is
// valid.
func (q Quota) windowDays(d int32) (start, end int32) {
	switch q.Period {
	case Week:
		// 1970-01-01, day 0, was a Thursday (weekday 4).
		back := mod7(mod7(d+4) - int32(q.Offset))
		return d - back, d - back + 7
	case Month:
		y, m, _ := dayTime(d).Date()
		s := monthStart(y, m, q.Offset)
		if d >= s {
			return s, monthStart(y, m+1, q.Offset)
		}
		return monthStart(y, m-1, q.Offset), s
	}
	return d, d + 1
}

// monthStart returns the day a MONTH period with offset starts on in month
// m of year y (m may be 0 or 13: time.Date normalises it).
func monthStart(y int, m time.Month, offset int) int32 {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return dayOf(time.Date(y, m, min(offset+1, last), 0, 0, 0, 0, time.UTC))
}

func mod7(x int32) int32 {
	x %= 7
	if x < 0 {
		x += 7
	}
	return x
}

// dayOf returns t's UTC day as days since 1970-01-01.
func dayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return int32(d)
}

// dayTime returns the midnight UTC that starts day d.
func dayTime(d int32) time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}
