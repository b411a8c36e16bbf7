package ratelimit

import (
	"fmt"
	"slices"
	"time"
)

// DayCount is one UTC day's counts of a quota key, as a Counter keeps
// them: the requests counted that day and the SetRemaining adjustments
// made that day (added to the remaining quota of the window holding the
// day). Implementations other than MemoryCounter store these and compute
// Usage with UsageOf.
type DayCount struct {
	// Day is the day number (see DayOf).
	Day int32
	// Used is the number of requests counted that day.
	Used int64
	// Adj is the sum of the day's SetRemaining adjustments.
	Adj int64
}

// DayOf returns t's UTC day as days since 1970-01-01, the day numbers of
// DayCount and WindowDays.
func DayOf(t time.Time) int32 { return dayOf(t) }

// WindowDays returns q's period containing day d as day numbers
// [start, end). For an invalid q it returns d's day alone.
func (q Quota) WindowDays(d int32) (start, end int32) {
	if q.Validate() != nil {
		return d, d + 1
	}
	return q.windowDays(d)
}

// UsageRange checks a Usage range and returns its first and last day
// numbers, and the first day whose counts Usage needs (the start of the
// window holding the first day). It fails with ErrInvalidQuota or
// ErrInvalidRange as Counter.Usage does.
func UsageRange(q Quota, from, to time.Time) (first, last, need int32, err error) {
	if err := q.Validate(); err != nil {
		return 0, 0, 0, err
	}
	first, last = dayOf(from), dayOf(to)
	if last < first || int64(last)-int64(first) >= MaxUsageDays {
		return 0, 0, 0, fmt.Errorf("ratelimit: usage from %s to %s: %w",
			from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly), ErrInvalidRange)
	}
	need, _ = q.windowDays(first)
	return first, last, need, nil
}

// UsageOf computes Counter.Usage for days [from, to] from a key's counts
// (sorted by day, without repeats; days without counts may be missing).
func UsageOf(q Quota, days []DayCount, from, to time.Time) ([]DayUsage, error) {
	first, last, _, err := UsageRange(q, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]DayUsage, 0, last-first+1)
	ws, run := int32(0), int64(0) // run: used - adj in window ws, up to d
	for d := first; d <= last; d++ {
		if s, _ := q.windowDays(d); s != ws || d == first {
			ws, run = s, 0
			for _, dc := range countsIn(days, s, d) {
				run += dc.Used - dc.Adj
			}
		}
		var used int64
		if dd := countsIn(days, d, d+1); len(dd) > 0 {
			used = dd[0].Used
			run += dd[0].Used - dd[0].Adj
		}
		out = append(out, DayUsage{Day: dayTime(d), Used: used, Remaining: max(q.Limit-run, 0)})
	}
	return out, nil
}

// countsIn returns the counts of days [from, to) in days (sorted by day).
func countsIn(days []DayCount, from, to int32) []DayCount {
	byDay := func(dc DayCount, d int32) int { return int(dc.Day) - int(d) }
	i, _ := slices.BinarySearchFunc(days, from, byDay)
	j, _ := slices.BinarySearchFunc(days, to, byDay)
	return days[i:j]
}
