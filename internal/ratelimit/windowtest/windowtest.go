// Package windowtest is a conformance suite for ratelimit.Windows
// implementations. Every check runs on times it makes up (no sleeps, no
// wall clock), with keys that start with the test's name.
package windowtest

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
)

// t0 is the start of a fixed window of every length the suite uses.
var t0 = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

// Run runs the suite; newWindows returns an empty Windows for one subtest.
func Run(t *testing.T, newWindows func(t *testing.T) ratelimit.Windows) {
	for _, tt := range []struct {
		name string
		f    func(t *testing.T, w ratelimit.Windows)
	}{
		{"Counts", testCounts},
		{"Slides", testSlides},
		{"Expires", testExpires},
		{"IndependentKeys", testIndependentKeys},
		{"WindowChange", testWindowChange},
		{"Concurrent", testConcurrent},
		{"InvalidWindow", testInvalidWindow},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, newWindows(t)) })
	}
}

func hit(t *testing.T, w ratelimit.Windows, key string, win time.Duration, at time.Time) float64 {
	t.Helper()
	n, err := w.Hit(context.Background(), t.Name()+"/"+key, win, at)
	if err != nil {
		t.Fatalf("Hit(%s, %v, %v): %v", key, win, at, err)
	}
	return n
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// testCounts: within one fixed window every hit counts.
func testCounts(t *testing.T, w ratelimit.Windows) {
	for i := 1; i <= 5; i++ {
		if n := hit(t, w, "k", time.Minute, t0.Add(time.Duration(i)*time.Second)); !near(n, float64(i)) {
			t.Fatalf("hit %d: %v", i, n)
		}
	}
}

// testSlides: a hit a quarter into the next window counts the previous
// window's hits at three quarters.
func testSlides(t *testing.T, w ratelimit.Windows) {
	for range 8 {
		hit(t, w, "k", time.Minute, t0.Add(30*time.Second))
	}
	if n := hit(t, w, "k", time.Minute, t0.Add(75*time.Second)); !near(n, 1+8*0.75) {
		t.Fatalf("a quarter into the next window: %v, want %v", n, 1+8*0.75)
	}
	if n := hit(t, w, "k", time.Minute, t0.Add(119*time.Second)); !near(n, 2+8*(1.0/60)) {
		t.Fatalf("at the end of the next window: %v", n)
	}
}

// testExpires: two windows later nothing of the old counts remains.
func testExpires(t *testing.T, w ratelimit.Windows) {
	for range 5 {
		hit(t, w, "k", time.Minute, t0)
	}
	if n := hit(t, w, "k", time.Minute, t0.Add(2*time.Minute)); !near(n, 1) {
		t.Fatalf("two windows later: %v", n)
	}
}

func testIndependentKeys(t *testing.T, w ratelimit.Windows) {
	hit(t, w, "a", time.Minute, t0)
	hit(t, w, "a", time.Minute, t0)
	if n := hit(t, w, "b", time.Minute, t0); !near(n, 1) {
		t.Fatalf("b after two hits of a: %v", n)
	}
}

// testWindowChange: another window length for a key starts afresh.
func testWindowChange(t *testing.T, w ratelimit.Windows) {
	for range 3 {
		hit(t, w, "k", time.Minute, t0)
	}
	if n := hit(t, w, "k", 5*time.Minute, t0); !near(n, 1) {
		t.Fatalf("after a window change: %v", n)
	}
}

// testConcurrent: concurrent hits are all counted.
func testConcurrent(t *testing.T, w ratelimit.Windows) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if _, err := w.Hit(context.Background(), t.Name()+"/k", time.Minute, t0.Add(time.Duration(g*50+i)*time.Millisecond)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := hit(t, w, "k", time.Minute, t0.Add(30*time.Second)); !near(n, 401) {
		t.Fatalf("after 400 concurrent hits: %v", n)
	}
}

func testInvalidWindow(t *testing.T, w ratelimit.Windows) {
	for _, win := range []time.Duration{0, -time.Second, 1500 * time.Millisecond} {
		if _, err := w.Hit(context.Background(), t.Name(), win, t0); !errors.Is(err, ratelimit.ErrInvalidWindow) {
			t.Errorf("window %v: err %v", win, err)
		}
	}
}
