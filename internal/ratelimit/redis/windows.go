package redis

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// hitWindow counts one event: KEYS[1] the key's hash {s: start of the
// current fixed window, c: its count, p: the previous window's, w: the
// window} in milliseconds; ARGV the window and the current fixed
// window's start. It returns {c, p, s} after counting, as
// ratelimit.MemoryWindows keeps them, and lets the key expire once both
// windows are over.
var hitWindow = rueidis.NewLuaScript(`
local w, start = tonumber(ARGV[1]), tonumber(ARGV[2])
local st = redis.call('HMGET', KEYS[1], 's', 'c', 'p', 'w')
local s, c, p = tonumber(st[1]), tonumber(st[2]) or 0, tonumber(st[3]) or 0
if not s or tonumber(st[4]) ~= w then s, c, p = start, 0, 0 end
local d = start - s
if d == w then p, c, s = c, 0, start elseif d > w then p, c, s = 0, 0, start end
c = c + 1
redis.call('HSET', KEYS[1], 's', string.format('%d', s), 'c', c, 'p', p, 'w', string.format('%d', w))
redis.call('PEXPIRE', KEYS[1], 2 * w + 1000)
return {c, p, string.format('%d', s)}
`)

var errShortReply = errors.New("unexpected reply to the window script")

// Windows is a ratelimit.Windows on Redis, so that a cluster's nodes count
// the requests of AWS WAF rate-based rules together. It is safe for
// concurrent use.
type Windows struct {
	c        *redisclient.Client
	prefix   string
	fallback ratelimit.Windows // FailOpen: node-local counts
}

var _ ratelimit.Windows = (*Windows)(nil)

// NewWindows returns a Windows on c.
func NewWindows(c *redisclient.Client, o Options) *Windows {
	w := &Windows{c: c, prefix: o.prefix() + "win:"}
	if o.FailMode == redisclient.FailOpen {
		w.fallback = ratelimit.NewMemoryWindows()
	}
	return w
}

// Hit implements ratelimit.Windows: one EVALSHA. When Redis is
// unavailable it fails with an error wrapping ratelimit.ErrUnavailable
// (FailClosed) or counts on this node only (FailOpen).
func (w *Windows) Hit(ctx context.Context, key string, win time.Duration, now time.Time) (float64, error) {
	if err := ratelimit.CheckWindow(win); err != nil {
		return 0, err
	}
	start := ratelimit.WindowStart(win, now)
	args := []string{strconv.FormatInt(win.Milliseconds(), 10), strconv.FormatInt(start.UnixMilli(), 10)}
	var vals []int64
	err := w.c.Do(ctx, "window", func(ctx context.Context, rc rueidis.Client) error {
		res, err := hitWindow.Exec(ctx, rc, []string{w.prefix + key}, args).ToArray()
		if err != nil {
			return err
		}
		vals = vals[:0]
		for _, m := range res {
			n, err := m.AsInt64()
			if err != nil {
				s, serr := m.ToString()
				if serr != nil {
					return err
				}
				if n, err = strconv.ParseInt(s, 10, 64); err != nil {
					return err
				}
			}
			vals = append(vals, n)
		}
		return nil
	})
	if err != nil {
		if w.fallback != nil && isUnavailable(err) {
			return w.fallback.Hit(ctx, key, win, now)
		}
		return 0, wrapUnavailable(err)
	}
	if len(vals) != 3 {
		return 0, wrapUnavailable(errShortReply)
	}
	return ratelimit.SlidingEstimate(vals[0], vals[1], time.UnixMilli(vals[2]), win, now), nil
}
