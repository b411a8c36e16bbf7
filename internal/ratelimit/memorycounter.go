package ratelimit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/shardmap"
)

// retainDays is how long MemoryCounter keeps a day's counts: long enough
// that Usage of the last MaxUsageDays days sees all of the window the
// first of them is in.
const retainDays = MaxUsageDays + 31

// MemoryCounter is the in-process Counter. Take on an existing key
// allocates nothing except when a day's first request grows the key's
// per-day list.
//
// Each key keeps a list of per-day counts. A key's counts older than 121
// days (MaxUsageDays plus a month) are dropped when its window moves, and
// once per day (of the callers' time) a Take that lands in a shard drops
// that shard's keys with nothing newer.
type MemoryCounter struct {
	keys *shardmap.Map[quotaState]
}

// NewMemoryCounter returns an empty in-memory Counter.
func NewMemoryCounter() *MemoryCounter {
	return &MemoryCounter{keys: shardmap.New[quotaState]()}
}

var _ Counter = (*MemoryCounter)(nil)

// quotaState is one key's counts.
type quotaState struct {
	mu   sync.Mutex
	dead bool // swept out of its shard: look the key up again
	// days holds the days with requests or adjustments, by ascending day.
	days []dayCount
	// The window last used, [ws, we), for q's period and offset, and the
	// sums of used and adj over its days; valid if cached.
	cached bool
	period Period
	offset int
	ws, we int32
	used   int64
	adj    int64
}

// dayCount is one day's requests and SetRemaining adjustments (added to
// the window's remaining quota).
type dayCount struct {
	day  int32
	used int64
	adj  int64
}

// Take implements Counter. ctx is not used.
func (c *MemoryCounter) Take(_ context.Context, key string, q Quota, now time.Time) (int64, bool, error) {
	if err := q.Validate(); err != nil {
		return 0, false, err
	}
	d := dayOf(now)
	st := c.lock(key, d)
	defer st.mu.Unlock()
	st.window(q, d)
	rem := q.Limit - st.used + st.adj
	if rem <= 0 {
		return 0, false, nil
	}
	st.used++
	st.at(d).used++
	return rem - 1, true, nil
}

// SetRemaining implements Counter. ctx is not used.
func (c *MemoryCounter) SetRemaining(_ context.Context, key string, q Quota, n int64, now time.Time) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("ratelimit: negative remaining quota %d: %w", n, ErrInvalidQuota)
	}
	d := dayOf(now)
	st := c.lock(key, d)
	defer st.mu.Unlock()
	st.window(q, d)
	delta := n - (q.Limit - st.used + st.adj)
	st.adj += delta
	st.at(d).adj += delta
	return nil
}

// Usage implements Counter. ctx is not used.
func (c *MemoryCounter) Usage(_ context.Context, key string, q Quota, from, to time.Time) ([]DayUsage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var days []DayCount
	sh := c.keys.Shard(key)
	for {
		st := sh.Load(key)
		if st == nil {
			break
		}
		st.mu.Lock()
		if st.dead {
			st.mu.Unlock()
			continue
		}
		days = make([]DayCount, len(st.days))
		for i, dc := range st.days {
			days[i] = DayCount{Day: dc.day, Used: dc.used, Adj: dc.adj}
		}
		st.mu.Unlock()
		break
	}
	return UsageOf(q, days, from, to)
}

// Sweep drops, from every shard, the keys with no counts in the 121 days
// before now (the sweeps Take makes only cover the shard it
// lands in).
func (c *MemoryCounter) Sweep(now time.Time) {
	d := dayOf(now)
	c.keys.Each(func(sh *shardmap.Shard[quotaState]) {
		sh.Sweep(func(st *quotaState) bool { return st.evict(d) })
	})
}

// Len returns the number of keys held.
func (c *MemoryCounter) Len() int { return c.keys.Len() }

// lock returns key's state, locked, creating it if need be; on the first
// call of day d in the key's shard, it first sweeps the shard.
func (c *MemoryCounter) lock(key string, d int32) *quotaState {
	sh := c.keys.Shard(key)
	if sh.Due(int64(d), 1) {
		sh.Sweep(func(st *quotaState) bool { return st.evict(d) })
	}
	for {
		st := sh.Load(key)
		if st == nil {
			st = sh.LoadOrStore(key, &quotaState{})
		}
		st.mu.Lock()
		if !st.dead {
			return st
		}
		st.mu.Unlock()
	}
}

// window makes st's cached window q's window containing day d. st.mu is
// held.
func (st *quotaState) window(q Quota, d int32) {
	if st.cached && st.period == q.Period && st.offset == q.Offset && st.ws <= d && d < st.we {
		return
	}
	st.prune(d)
	st.ws, st.we = q.windowDays(d)
	st.period, st.offset, st.cached = q.Period, q.Offset, true
	st.used, st.adj = 0, 0
	for _, dc := range daysIn(st.days, st.ws, st.we) {
		st.used += dc.used
		st.adj += dc.adj
	}
}

// at returns day d's counts, adding them if need be. st.mu is held.
func (st *quotaState) at(d int32) *dayCount {
	n := len(st.days)
	if n > 0 && st.days[n-1].day == d { // the usual case: today
		return &st.days[n-1]
	}
	i, found := slices.BinarySearchFunc(st.days, d, byDay)
	if !found {
		st.days = slices.Insert(st.days, i, dayCount{day: d})
	}
	return &st.days[i]
}

// prune drops the counts of days before d-retainDays. st.mu is held.
func (st *quotaState) prune(d int32) {
	i, _ := slices.BinarySearchFunc(st.days, d-retainDays, byDay)
	if i > 0 {
		st.days = slices.Delete(st.days, 0, i)
	}
}

// evict prunes st as of day d and, if nothing is left, marks it dead and
// reports true.
func (st *quotaState) evict(d int32) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.days) > 0 && st.days[len(st.days)-1].day < d-retainDays {
		st.days = nil
	}
	st.dead = len(st.days) == 0
	return st.dead
}

// daysIn returns the counts of days [from, to) in days (sorted by day).
func daysIn(days []dayCount, from, to int32) []dayCount {
	i, _ := slices.BinarySearchFunc(days, from, byDay)
	j, _ := slices.BinarySearchFunc(days, to, byDay)
	return days[i:j]
}

func byDay(dc dayCount, d int32) int { return cmp.Compare(dc.day, d) }
