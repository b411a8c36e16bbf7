package pipeline

import (
	"testing"
	"time"
)

// TestRequestTimeCache: $context.requestTime is right across seconds and
// whatever the time's location, although its text is cached per second.
func TestRequestTimeCache(t *testing.T) {
	base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	ist := time.FixedZone("IST", 5*3600+1800)
	for i, tc := range []struct {
		t    time.Time
		want string
	}{
		{base, "06/May/2024:07:08:09 +0000"},
		{base.Add(999 * time.Millisecond), "06/May/2024:07:08:09 +0000"},
		{base.Add(time.Second), "06/May/2024:07:08:10 +0000"},
		{base.Add(time.Second).In(ist), "06/May/2024:07:08:10 +0000"},
		{base.Add(-24 * time.Hour), "05/May/2024:07:08:09 +0000"},
	} {
		if got := string(appendRequestTime([]byte("x"), tc.t)); got != "x"+tc.want {
			t.Errorf("%d: %q, want %q", i, got, "x"+tc.want)
		}
	}
}
