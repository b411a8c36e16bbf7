package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/shardmap"
)

// ErrInvalidWindow is wrapped by the error Hit returns for a window that
// is not a positive whole number of seconds.
var ErrInvalidWindow = errors.New("invalid rate window")

// Windows counts events per key over a sliding window: AWS WAF's
// rate-based rules ("more than N requests in the last W seconds").
// Implementations must be safe for concurrent use and take the time from
// their callers, like Limiter.
//
// The count is the sliding-window estimate over two fixed windows: the
// events of the current fixed window of length w plus those of the
// previous one weighted by the part of it the sliding window still
// covers. It is exact when events are spread evenly and never off by more
// than the previous window's events; AWS documents its own counts as an
// estimate too [D: rate-based rule caveats].
type Windows interface {
	// Hit counts one event for key at now and returns the estimated number
	// of events in the window of length w ending at now, this one
	// included.
	Hit(ctx context.Context, key string, w time.Duration, now time.Time) (float64, error)
}

// CheckWindow validates a window length.
func CheckWindow(w time.Duration) error {
	if w < time.Second || w%time.Second != 0 {
		return fmt.Errorf("ratelimit: window %v: %w", w, ErrInvalidWindow)
	}
	return nil
}

// SlidingEstimate is the estimate Hit returns from the counts of the
// current fixed window (which started at start) and the previous one.
func SlidingEstimate(cur, prev int64, start time.Time, w time.Duration, now time.Time) float64 {
	elapsed := now.Sub(start)
	weight := min(max(1-float64(elapsed)/float64(w), 0), 1)
	return float64(cur) + float64(prev)*weight
}

// WindowStart is the start of the fixed window of length w holding now.
func WindowStart(w time.Duration, now time.Time) time.Time {
	return time.Unix(0, now.UnixNano()-now.UnixNano()%int64(w))
}

// MemoryWindows is the in-process Windows. Idle keys are dropped by the
// Hits that land in their shard once their windows have passed.
type MemoryWindows struct {
	counts *shardmap.Map[windowCount]
}

type windowCount struct {
	mu        sync.Mutex
	dead      bool
	start     int64 // unix ns of the current fixed window
	w         int64
	cur, prev int64
}

// NewMemoryWindows returns an empty MemoryWindows.
func NewMemoryWindows() *MemoryWindows { return &MemoryWindows{counts: shardmap.New[windowCount]()} }

var _ Windows = (*MemoryWindows)(nil)

// Hit implements Windows. ctx is not used.
func (m *MemoryWindows) Hit(_ context.Context, key string, w time.Duration, now time.Time) (float64, error) {
	if err := CheckWindow(w); err != nil {
		return 0, err
	}
	start := WindowStart(w, now).UnixNano()
	sh := m.counts.Shard(key)
	if sh.Due(now.UnixNano(), int64(time.Minute)) {
		t := now.UnixNano()
		sh.Sweep(func(c *windowCount) bool {
			// Both windows over: the key counts nothing any more.
			if t-c.start >= 2*c.w {
				c.dead = true
				return true
			}
			return false
		})
	}
	for {
		c := sh.Load(key)
		if c == nil {
			c = sh.LoadOrStore(key, &windowCount{start: start, w: int64(w)})
		}
		c.mu.Lock()
		if c.dead {
			c.mu.Unlock()
			continue
		}
		if c.w != int64(w) {
			// Another window length: start afresh.
			c.w, c.start, c.cur, c.prev = int64(w), start, 0, 0
		}
		switch d := start - c.start; {
		case d == int64(w):
			c.prev, c.cur, c.start = c.cur, 0, start
		case d > int64(w):
			c.prev, c.cur, c.start = 0, 0, start
		case d < 0:
			// A caller behind the others: count it in the current window.
		}
		c.cur++
		est := SlidingEstimate(c.cur, c.prev, time.Unix(0, c.start), w, now)
		c.mu.Unlock()
		return est, nil
	}
}

// Len returns the number of keys held.
func (m *MemoryWindows) Len() int { return m.counts.Len() }
