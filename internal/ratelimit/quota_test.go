package ratelimit_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

func TestParsePeriod(t *testing.T) {
	for _, p := range []ratelimit.Period{ratelimit.Day, ratelimit.Week, ratelimit.Month} {
		got, err := ratelimit.ParsePeriod(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePeriod(%q) = %v, %v", p.String(), got, err)
		}
	}
	for _, s := range []string{"", "day", "YEAR", "DAYS"} {
		if _, err := ratelimit.ParsePeriod(s); !errors.Is(err, ratelimit.ErrInvalidQuota) {
			t.Errorf("ParsePeriod(%q): err = %v, want ErrInvalidQuota", s, err)
		}
	}
	if s := ratelimit.Period(0).String(); s != "Period(0)" {
		t.Errorf("Period(0).String() = %q", s)
	}
}

func TestQuotaValidate(t *testing.T) {
	valid := []ratelimit.Quota{
		{Limit: 0, Period: ratelimit.Day},
		{Limit: 1, Offset: 6, Period: ratelimit.Week},
		{Limit: 1, Offset: 30, Period: ratelimit.Month},
	}
	for _, q := range valid {
		if err := q.Validate(); err != nil {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func TestWindow(t *testing.T) {
	month := func(off int) ratelimit.Quota { return ratelimit.Quota{Limit: 1, Offset: off, Period: ratelimit.Month} }
	week := func(off int) ratelimit.Quota { return ratelimit.Quota{Limit: 1, Offset: off, Period: ratelimit.Week} }
	day := ratelimit.Quota{Limit: 1, Period: ratelimit.Day}
	d := func(y int, m time.Month, dd int) time.Time { return utc(y, m, dd, 0, 0) }
	tests := []struct {
		q          ratelimit.Quota
		now        time.Time
		start, end time.Time
	}{
		{day, utc(2024, 3, 10, 13, 5), d(2024, 3, 10), d(2024, 3, 11)},
		{day, d(2024, 2, 29), d(2024, 2, 29), d(2024, 3, 1)},
		{day, utc(1969, 12, 31, 23, 59), d(1969, 12, 31), d(1970, 1, 1)},
		// In another zone, the UTC day.
		{day, time.Date(2024, 3, 10, 23, 0, 0, 0, time.FixedZone("X", -5*3600)), d(2024, 3, 11), d(2024, 3, 12)},
		// 2024-03-10 is a Sunday.
		{week(0), utc(2024, 3, 10, 0, 0), d(2024, 3, 10), d(2024, 3, 17)},
		{week(0), utc(2024, 3, 16, 23, 59), d(2024, 3, 10), d(2024, 3, 17)},
		{week(1), utc(2024, 3, 10, 12, 0), d(2024, 3, 4), d(2024, 3, 11)},
		{week(6), utc(2024, 3, 10, 12, 0), d(2024, 3, 9), d(2024, 3, 16)},
		{week(3), utc(2024, 12, 30, 12, 0), d(2024, 12, 25), d(2025, 1, 1)},
		{week(0), utc(1969, 12, 31, 12, 0), d(1969, 12, 28), d(1970, 1, 4)},
		{month(0), utc(2024, 1, 31, 23, 59), d(2024, 1, 1), d(2024, 2, 1)},
		{month(0), d(2024, 2, 1), d(2024, 2, 1), d(2024, 3, 1)},
		{month(0), d(2024, 12, 31), d(2024, 12, 1), d(2025, 1, 1)},
		{month(14), d(2024, 3, 14), d(2024, 2, 15), d(2024, 3, 15)},
		{month(14), d(2024, 3, 15), d(2024, 3, 15), d(2024, 4, 15)},
		{month(14), d(2025, 1, 3), d(2024, 12, 15), d(2025, 1, 15)},
		{month(27), d(2023, 2, 28), d(2023, 2, 28), d(2023, 3, 28)},
		{month(28), d(2023, 2, 28), d(2023, 2, 28), d(2023, 3, 29)},
		{month(28), d(2023, 2, 27), d(2023, 1, 29), d(2023, 2, 28)},
		{month(28), d(2024, 2, 28), d(2024, 1, 29), d(2024, 2, 29)},
		{month(28), d(2024, 2, 29), d(2024, 2, 29), d(2024, 3, 29)},
		{month(30), d(2023, 2, 15), d(2023, 1, 31), d(2023, 2, 28)},
		{month(30), d(2023, 3, 30), d(2023, 2, 28), d(2023, 3, 31)},
		{month(30), d(2024, 2, 29), d(2024, 2, 29), d(2024, 3, 31)},
		{month(30), d(2024, 4, 30), d(2024, 4, 30), d(2024, 5, 31)},
		{month(29), d(1900, 3, 1), d(1900, 2, 28), d(1900, 3, 30)}, // 1900 is not a leap year
		{month(29), d(2000, 3, 1), d(2000, 2, 29), d(2000, 3, 30)}, // 2000 is
		{month(30), d(2024, 12, 31), d(2024, 12, 31), d(2025, 1, 31)},
		// Invalid quotas get the day.
		{ratelimit.Quota{Limit: 1, Offset: 9, Period: ratelimit.Week}, utc(2024, 3, 10, 5, 0), d(2024, 3, 10), d(2024, 3, 11)},
	}
	for _, tt := range tests {
		start, end := tt.q.Window(tt.now)
		if !start.Equal(tt.start) || !end.Equal(tt.end) || start.Location() != time.UTC || end.Location() != time.UTC {
			t.Errorf("%v offset %d, %v: [%v, %v), want [%v, %v)", tt.q.Period, tt.q.Offset, tt.now, start, end, tt.start, tt.end)
		}
	}
}

// TestWindowProperties checks windows at random times against their
// definition: they contain now, tile time, and start where they should.
func TestWindowProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := utc(1950, 1, 1, 0, 0).Unix(), utc(2150, 1, 1, 0, 0).Unix()
	daysIn := func(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }
	quotas := []ratelimit.Quota{{Period: ratelimit.Day}}
	for off := range 7 {
		quotas = append(quotas, ratelimit.Quota{Offset: off, Period: ratelimit.Week})
	}
	for off := range ratelimit.MaxMonthOffset + 1 {
		quotas = append(quotas, ratelimit.Quota{Offset: off, Period: ratelimit.Month})
	}
	for range 20000 {
		now := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)).UTC()
		q := quotas[r.IntN(len(quotas))]
		start, end := q.Window(now)
		if now.Before(start) || !now.Before(end) {
			t.Fatalf("%+v at %v: [%v, %v) does not contain now", q, now, start, end)
		}
		if s, e := q.Window(start); !s.Equal(start) || !e.Equal(end) {
			t.Fatalf("%+v: window of its start %v is [%v, %v)", q, start, s, e)
		}
		if s, _ := q.Window(end); !s.Equal(end) {
			t.Fatalf("%+v: window after [%v, %v) starts %v", q, start, end, s)
		}
		if _, e := q.Window(start.Add(-1)); !e.Equal(start) {
			t.Fatalf("%+v: window before [%v, %v) ends %v", q, start, end, e)
		}
		for _, b := range []time.Time{start, end} {
			if b.Hour() != 0 || b.Minute() != 0 || b.Second() != 0 || b.Nanosecond() != 0 {
				t.Fatalf("%+v: bound %v is not midnight", q, b)
			}
			switch q.Period {
			case ratelimit.Week:
				if int(b.Weekday()) != q.Offset {
					t.Fatalf("%+v: bound %v is a %v", q, b, b.Weekday())
				}
			case ratelimit.Month:
				if want := min(q.Offset+1, daysIn(b.Year(), b.Month())); b.Day() != want {
					t.Fatalf("%+v: bound %v, want day %d", q, b, want)
				}
			}
		}
		switch n := end.Sub(start); q.Period {
		case ratelimit.Day:
			if n != 24*time.Hour {
				t.Fatalf("%+v: [%v, %v)", q, start, end)
			}
		case ratelimit.Week:
			if n != 7*24*time.Hour {
				t.Fatalf("%+v: [%v, %v)", q, start, end)
			}
		case ratelimit.Month:
			if m := (end.Year()*12 + int(end.Month())) - (start.Year()*12 + int(start.Month())); m != 1 {
				t.Fatalf("%+v: [%v, %v) is not one month", q, start, end)
			}
		}
	}
}
