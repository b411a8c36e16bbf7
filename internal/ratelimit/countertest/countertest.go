// Package countertest is a conformance suite for ratelimit.Counter
// implementations. Every check runs on times it makes up (no sleeps, no
// wall clock), in 2023 and 2024, with keys that start with the test's
// name; an implementation backed by a shared store must therefore take its
// times from its callers, not expire counts by the wall clock sooner than
// the suite's dates imply.
package countertest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

// Run runs the suite; newCounter returns an empty Counter for one subtest.
func Run(t *testing.T, newCounter func(t *testing.T) ratelimit.Counter) {
	tests := []struct {
		name string
		f    func(t *testing.T, c ratelimit.Counter)
	}{
		{"Day", testDay},
		{"LimitZero", testLimitZero},
		{"Month", testMonth},
		{"MonthOffset", testMonthOffset},
		{"MonthOffsetClamped", testMonthOffsetClamped},
		{"WeekOffsets", testWeekOffsets},
		{"IndependentKeys", testIndependentKeys},
		{"QuotaChange", testQuotaChange},
		{"Usage", testUsage},
		{"UsageRange", testUsageRange},
		{"SetRemaining", testSetRemaining},
		{"SetRemainingUsage", testSetRemainingUsage},
		{"Concurrent", testConcurrent},
		{"InvalidQuota", testInvalidQuota},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, newCounter(t)) })
	}
}

// at returns the UTC time y-m-d hh:mm:ss.
func at(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// date returns midnight UTC starting y-m-d.
func date(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0, 0) }

// lastNs returns the last nanosecond of the UTC day y-m-d.
func lastNs(y int, m time.Month, d int) time.Time { return date(y, m, d+1).Add(-1) }

// key is one key of a Counter under test.
type key struct {
	t    *testing.T
	c    ratelimit.Counter
	name string
}

func newKey(t *testing.T, c ratelimit.Counter, name string) key {
	return key{t: t, c: c, name: t.Name() + "/" + name}
}

// take calls Take and checks its results.
func (k key) take(q ratelimit.Quota, now time.Time, wantRemaining int64, wantOK bool) {
	k.t.Helper()
	rem, ok, err := k.c.Take(context.Background(), k.name, q, now)
	if err != nil {
		k.t.Fatalf("Take(%q, %+v, %v): %v", k.name, q, now, err)
	}
	if rem != wantRemaining || ok != wantOK {
		k.t.Fatalf("Take(%+v) at %v = %d, %v; want %d, %v", q, now, rem, ok, wantRemaining, wantOK)
	}
}

// takeN calls Take n times and returns how many were counted.
func (k key) takeN(q ratelimit.Quota, now time.Time, n int) int {
	k.t.Helper()
	c := 0
	for range n {
		_, ok, err := k.c.Take(context.Background(), k.name, q, now)
		if err != nil {
			k.t.Fatalf("Take(%q, %+v, %v): %v", k.name, q, now, err)
		}
		if ok {
			c++
		}
	}
	return c
}

func (k key) setRemaining(q ratelimit.Quota, n int64, now time.Time) {
	k.t.Helper()
	if err := k.c.SetRemaining(context.Background(), k.name, q, n, now); err != nil {
		k.t.Fatalf("SetRemaining(%q, %+v, %d, %v): %v", k.name, q, n, now, err)
	}
}

// usage checks Usage from..to against want, pairs of [used, remaining].
func (k key) usage(q ratelimit.Quota, from, to time.Time, want ...[2]int64) {
	k.t.Helper()
	got, err := k.c.Usage(context.Background(), k.name, q, from, to)
	if err != nil {
		k.t.Fatalf("Usage(%q, %+v, %v, %v): %v", k.name, q, from, to, err)
	}
	if len(got) != len(want) {
		k.t.Fatalf("Usage(%v, %v) returned %d days, want %d", from, to, len(got), len(want))
	}
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for i, g := range got {
		if !g.Day.Equal(day) || g.Day.Location() != time.UTC {
			k.t.Errorf("day %d is %v, want %v", i, g.Day, day)
		}
		if g.Used != want[i][0] || g.Remaining != want[i][1] {
			k.t.Errorf("%s: [used, remaining] = [%d, %d], want %v", day.Format(time.DateOnly), g.Used, g.Remaining, want[i])
		}
		day = day.AddDate(0, 0, 1)
	}
}

func testDay(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 2, Period: ratelimit.Day}
	k.take(q, at(2024, 3, 10, 10, 0, 0), 1, true)
	k.take(q, at(2024, 3, 10, 11, 0, 0), 0, true)
	k.take(q, at(2024, 3, 10, 12, 0, 0), 0, false)
	k.take(q, lastNs(2024, 3, 10), 0, false)
	k.take(q, date(2024, 3, 11), 1, true)
	k.take(q, date(2024, 3, 11), 0, true)
	k.take(q, date(2024, 3, 11), 0, false)
	// Denied requests were not counted.
	k.usage(q, date(2024, 3, 10), date(2024, 3, 11), [2]int64{2, 0}, [2]int64{2, 0})
}

func testLimitZero(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	for _, p := range []ratelimit.Period{ratelimit.Day, ratelimit.Week, ratelimit.Month} {
		k.take(ratelimit.Quota{Limit: 0, Period: p}, date(2024, 3, 10), 0, false)
	}
}

func testMonth(t *testing.T, c ratelimit.Counter) {
	q := ratelimit.Quota{Limit: 1, Period: ratelimit.Month}
	for _, y := range []int{2023, 2024} {
		k := newKey(t, c, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"))
		k.take(q, at(y, 1, 1, 0, 0, 0), 0, true)
		k.take(q, lastNs(y, 1, 31), 0, false)
		k.take(q, date(y, 2, 1), 0, true)
		k.take(q, lastNs(y, 2, 28), 0, false)
		if y == 2024 {
			k.take(q, lastNs(y, 2, 29), 0, false)
		}
		k.take(q, date(y, 3, 1), 0, true)
		k.take(q, lastNs(y, 3, 31), 0, false)
		k.take(q, date(y, 12, 31), 0, true)
		k.take(q, date(y+1, 1, 1), 0, true)
	}
}

// testMonthOffset: with offset 14 months run from the 15th.
func testMonthOffset(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 2, Offset: 14, Period: ratelimit.Month}
	k.take(q, date(2024, 2, 15), 1, true)
	k.take(q, date(2024, 3, 1), 0, true)
	k.take(q, lastNs(2024, 3, 14), 0, false)
	k.take(q, date(2024, 3, 15), 1, true)
	k.take(q, lastNs(2024, 4, 14), 0, true)
	k.take(q, lastNs(2024, 4, 14), 0, false)
	k.take(q, date(2024, 4, 15), 1, true)
	// December to January.
	k.take(q, date(2024, 12, 20), 1, true)
	k.take(q, date(2025, 1, 10), 0, true)
	k.take(q, date(2025, 1, 14), 0, false)
	k.take(q, date(2025, 1, 15), 1, true)
}

// testMonthOffsetClamped: a start day past the end of a month is clamped
// to the month's last day.
func testMonthOffsetClamped(t *testing.T, c ratelimit.Counter) {
	q30 := ratelimit.Quota{Limit: 1, Offset: 30, Period: ratelimit.Month} // the 31st
	q28 := ratelimit.Quota{Limit: 1, Offset: 28, Period: ratelimit.Month} // the 29th

	k := newKey(t, c, "30-2023") // [Jan 31, Feb 28), [Feb 28, Mar 31), [Mar 31, Apr 30), …
	k.take(q30, date(2023, 1, 31), 0, true)
	k.take(q30, lastNs(2023, 2, 27), 0, false)
	k.take(q30, date(2023, 2, 28), 0, true)
	k.take(q30, lastNs(2023, 3, 30), 0, false)
	k.take(q30, date(2023, 3, 31), 0, true)
	k.take(q30, lastNs(2023, 4, 29), 0, false)
	k.take(q30, date(2023, 4, 30), 0, true)
	k.take(q30, lastNs(2023, 5, 30), 0, false)
	k.take(q30, date(2023, 5, 31), 0, true)

	k = newKey(t, c, "30-2024") // [Jan 31, Feb 29), [Feb 29, Mar 31)
	k.take(q30, date(2024, 2, 1), 0, true)
	k.take(q30, lastNs(2024, 2, 28), 0, false)
	k.take(q30, date(2024, 2, 29), 0, true)
	k.take(q30, lastNs(2024, 3, 30), 0, false)
	k.take(q30, date(2024, 3, 31), 0, true)

	k = newKey(t, c, "28-2023") // [Jan 29, Feb 28), [Feb 28, Mar 29)
	k.take(q28, date(2023, 2, 1), 0, true)
	k.take(q28, lastNs(2023, 2, 27), 0, false)
	k.take(q28, date(2023, 2, 28), 0, true)
	k.take(q28, lastNs(2023, 3, 28), 0, false)
	k.take(q28, date(2023, 3, 29), 0, true)

	k = newKey(t, c, "28-2024") // [Jan 29, Feb 29), [Feb 29, Mar 29)
	k.take(q28, date(2024, 2, 1), 0, true)
	k.take(q28, lastNs(2024, 2, 28), 0, false)
	k.take(q28, date(2024, 2, 29), 0, true)
	k.take(q28, lastNs(2024, 3, 28), 0, false)
	k.take(q28, date(2024, 3, 29), 0, true)
}

// testWeekOffsets: weeks start on weekday Offset (0 = Sunday).
func testWeekOffsets(t *testing.T, c ratelimit.Counter) {
	// 2024-03-10 is a Sunday.
	for off := range 7 {
		k := newKey(t, c, time.Weekday(off).String())
		q := ratelimit.Quota{Limit: 1, Offset: off, Period: ratelimit.Week}
		start := 10 + off // the week starts on March start
		k.take(q, date(2024, 3, start-6), 0, true)
		k.take(q, lastNs(2024, 3, start-1), 0, false)
		k.take(q, date(2024, 3, start), 0, true)
		k.take(q, lastNs(2024, 3, start+6), 0, false)
		k.take(q, date(2024, 3, start+7), 0, true)
	}
}

func testIndependentKeys(t *testing.T, c ratelimit.Counter) {
	a, b := newKey(t, c, "a"), newKey(t, c, "b")
	q := ratelimit.Quota{Limit: 1, Period: ratelimit.Day}
	now := date(2024, 3, 10)
	a.take(q, now, 0, true)
	a.take(q, now, 0, false)
	b.take(q, now, 0, true)
	b.take(q, now, 0, false)
	a.usage(q, now, now, [2]int64{1, 0})
}

// testQuotaChange: a plan's quota changed mid-window keeps the requests
// counted in the current window; remaining follows the new limit.
func testQuotaChange(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	month := func(limit int64) ratelimit.Quota {
		return ratelimit.Quota{Limit: limit, Period: ratelimit.Month}
	}
	k.take(month(5), date(2024, 3, 1), 4, true)
	k.take(month(5), date(2024, 3, 1), 3, true)
	k.take(month(5), date(2024, 3, 5), 2, true) // used 3
	k.take(month(10), date(2024, 3, 5), 6, true)
	k.take(month(4), date(2024, 3, 5), 0, false) // used 4 of 4
	k.take(month(2), date(2024, 3, 6), 0, false)
	k.take(month(6), date(2024, 3, 6), 1, true) // used 5
	// A new period: the window is now today (2 counted on March 5, none
	// today), then the week of Sunday March 3 (5 counted).
	day := ratelimit.Quota{Limit: 3, Period: ratelimit.Day}
	k.take(day, date(2024, 3, 5), 0, true)
	k.take(day, date(2024, 3, 5), 0, false)
	k.take(day, date(2024, 3, 6), 1, true)
	week := ratelimit.Quota{Limit: 6, Period: ratelimit.Week}
	k.take(week, date(2024, 3, 7), 0, true) // Mar 3–9: 3 on Mar 5, 2 on Mar 6 (Mar 1 is in the week before)
	k.take(week, date(2024, 3, 7), 0, false)
	k.usage(month(10), date(2024, 3, 1), date(2024, 3, 7),
		[2]int64{2, 8}, [2]int64{0, 8}, [2]int64{0, 8}, [2]int64{0, 8},
		[2]int64{3, 5}, [2]int64{2, 3}, [2]int64{1, 2})
}

func testUsage(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 5, Period: ratelimit.Week} // weeks from Sunday: Mar 3, Mar 10
	if n := k.takeN(q, at(2024, 3, 4, 9, 0, 0), 2); n != 2 {
		t.Fatalf("counted %d", n)
	}
	k.takeN(q, at(2024, 3, 6, 23, 0, 0), 1)
	if n := k.takeN(q, at(2024, 3, 9, 1, 0, 0), 3); n != 2 {
		t.Fatalf("counted %d of 3 on March 9, want 2", n)
	}
	k.takeN(q, at(2024, 3, 10, 8, 0, 0), 1)
	want := [][2]int64{
		{0, 5}, // Mar 2, in the week of Feb 25
		// Mar 3–9:
		{0, 5}, {2, 3}, {0, 3}, {1, 2}, {0, 2}, {0, 2}, {2, 0},
		// Mar 10, 11:
		{1, 4}, {0, 4},
	}
	k.usage(q, at(2024, 3, 2, 15, 0, 0), at(2024, 3, 11, 3, 0, 0), want...)
	// A range starting mid-week counts the week's earlier days.
	k.usage(q, date(2024, 3, 7), date(2024, 3, 7), [2]int64{0, 2})
	// The same days under a daily quota.
	k.usage(ratelimit.Quota{Limit: 2, Period: ratelimit.Day}, date(2024, 3, 8), date(2024, 3, 10),
		[2]int64{0, 2}, [2]int64{2, 0}, [2]int64{1, 1})
	// An unknown key used nothing.
	u := newKey(t, c, "unknown")
	u.usage(q, date(2024, 3, 9), date(2024, 3, 10), [2]int64{0, 5}, [2]int64{0, 5})
}

func testUsageRange(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 5, Period: ratelimit.Day}
	k.takeN(q, date(2024, 1, 1), 1)
	from := date(2024, 1, 1)
	got, err := c.Usage(context.Background(), k.name, q, from, from.AddDate(0, 0, ratelimit.MaxUsageDays-1).Add(23*time.Hour))
	if err != nil || len(got) != ratelimit.MaxUsageDays {
		t.Fatalf("Usage of %d days: %d days, %v", ratelimit.MaxUsageDays, len(got), err)
	}
	if got[0].Used != 1 || got[0].Remaining != 4 || got[1].Used != 0 || got[1].Remaining != 5 {
		t.Errorf("Usage: %+v, %+v", got[0], got[1])
	}
	for _, r := range [][2]time.Time{
		{from, from.AddDate(0, 0, ratelimit.MaxUsageDays)},
		{from, from.Add(-time.Nanosecond)},
	} {
		if _, err := c.Usage(context.Background(), k.name, q, r[0], r[1]); !errors.Is(err, ratelimit.ErrInvalidRange) {
			t.Errorf("Usage(%v, %v): err = %v, want ErrInvalidRange", r[0], r[1], err)
		}
	}
}

func testSetRemaining(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 2, Period: ratelimit.Day}
	now := at(2024, 3, 10, 9, 0, 0)
	k.take(q, now, 1, true)
	k.take(q, now, 0, true)
	k.take(q, now, 0, false)
	k.setRemaining(q, 3, now)
	k.take(q, now, 2, true)
	k.take(q, now, 1, true)
	k.take(q, now, 0, true)
	k.take(q, now, 0, false)
	k.usage(q, now, now, [2]int64{5, 0})
	// The extension does not carry over to the next window.
	k.take(q, now.AddDate(0, 0, 1), 1, true)
	// Setting 0 blocks the rest of the window.
	k.setRemaining(q, 0, now.AddDate(0, 0, 1))
	k.take(q, now.AddDate(0, 0, 1), 0, false)
	// A new key, above the limit.
	n := newKey(t, c, "new")
	n.setRemaining(q, 10, now)
	if got := n.takeN(q, now, 15); got != 10 {
		t.Fatalf("counted %d after SetRemaining(10), want 10", got)
	}
	// A negative remaining is refused.
	if err := c.SetRemaining(context.Background(), k.name, q, -1, now); !errors.Is(err, ratelimit.ErrInvalidQuota) {
		t.Errorf("SetRemaining(-1): err = %v, want ErrInvalidQuota", err)
	}
}

// testSetRemainingUsage: an adjustment shows in Usage from its day on.
func testSetRemainingUsage(t *testing.T, c ratelimit.Counter) {
	k := newKey(t, c, "k")
	q := ratelimit.Quota{Limit: 3, Period: ratelimit.Month}
	k.takeN(q, date(2024, 3, 1), 2)
	k.setRemaining(q, 10, date(2024, 3, 2))
	k.take(q, date(2024, 3, 2), 9, true)
	k.take(q, date(2024, 3, 4), 8, true)
	// Limit changes shift the adjusted remaining.
	k.take(ratelimit.Quota{Limit: 5, Period: ratelimit.Month}, date(2024, 3, 4), 9, true)
	k.usage(q, date(2024, 2, 29), date(2024, 3, 5),
		[2]int64{0, 3}, [2]int64{2, 1}, [2]int64{1, 9}, [2]int64{0, 9}, [2]int64{2, 7}, [2]int64{0, 7})
	k.usage(q, date(2024, 3, 31), date(2024, 4, 1), [2]int64{0, 7}, [2]int64{0, 3})
}

// testConcurrent: goroutines taking from one new key get exactly Limit
// counts, each remaining value once.
func testConcurrent(t *testing.T, c ratelimit.Counter) {
	const goroutines, calls, limit = 16, 20, 100
	q := ratelimit.Quota{Limit: limit, Period: ratelimit.Day}
	key := t.Name() + "/k"
	now := date(2024, 3, 10)
	var mu sync.Mutex
	var remaining []int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range goroutines {
		wg.Go(func() {
			<-start
			for range calls {
				rem, ok, err := c.Take(context.Background(), key, q, now)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					remaining = append(remaining, rem)
					mu.Unlock()
				}
			}
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(remaining)
	if len(remaining) != limit {
		t.Fatalf("%d of %d concurrent takes counted, want %d", len(remaining), goroutines*calls, limit)
	}
	for i, r := range remaining {
		if r != int64(i) {
			t.Fatalf("remaining values %v, want 0…%d once each", remaining, limit-1)
		}
	}
}

func testInvalidQuota(t *testing.T, c ratelimit.Counter) {
	now := date(2024, 3, 10)
	for _, q := range []ratelimit.Quota{
		{Limit: 1},
		{Limit: 1, Period: 9},
		{Limit: -1, Period: ratelimit.Day},
		{Limit: 1, Offset: 1, Period: ratelimit.Day},
		{Limit: 1, Offset: 7, Period: ratelimit.Week},
		{Limit: 1, Offset: -1, Period: ratelimit.Week},
		{Limit: 1, Offset: ratelimit.MaxMonthOffset + 1, Period: ratelimit.Month},
	} {
		if _, ok, err := c.Take(context.Background(), t.Name(), q, now); ok || !errors.Is(err, ratelimit.ErrInvalidQuota) {
			t.Errorf("Take(%+v) = %v, %v; want ErrInvalidQuota", q, ok, err)
		}
		if _, err := c.Usage(context.Background(), t.Name(), q, now, now); !errors.Is(err, ratelimit.ErrInvalidQuota) {
			t.Errorf("Usage(%+v): err = %v, want ErrInvalidQuota", q, err)
		}
		if err := c.SetRemaining(context.Background(), t.Name(), q, 1, now); !errors.Is(err, ratelimit.ErrInvalidQuota) {
			t.Errorf("SetRemaining(%+v): err = %v, want ErrInvalidQuota", q, err)
		}
	}
}
