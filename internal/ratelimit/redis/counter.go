package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// retainDays is how long a key's day counts are kept, as
// ratelimit.MemoryCounter keeps them: long enough that Usage of the last
// MaxUsageDays days sees all of the window the first of them is in.
const retainDays = ratelimit.MaxUsageDays + 31

// windowScript is the Lua shared by the quota scripts: it sums the used
// and adj fields of days ARGV[1] … ARGV[2]-1 of KEYS[1] into used, adj,
// and defines prune(d), which drops the fields of days before d-ARGV[4]
// at most once per day d (the field p remembers the last d).
const windowScript = `
local ws, we, d, limit, retain = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local fields = {}
for day = ws, we - 1 do
  fields[#fields + 1] = 'u' .. day
  fields[#fields + 1] = 'a' .. day
end
local v = redis.call('HMGET', KEYS[1], unpack(fields))
local used, adj = 0, 0
for i = 1, #v, 2 do
  used = used + (tonumber(v[i]) or 0)
  adj = adj + (tonumber(v[i + 1]) or 0)
end
local function prune()
  if redis.call('HGET', KEYS[1], 'p') == tostring(d) then return end
  local names = redis.call('HKEYS', KEYS[1])
  for _, f in ipairs(names) do
    local day = tonumber(string.sub(f, 2))
    if f ~= 'p' and day and day < d - retain then redis.call('HDEL', KEYS[1], f) end
  end
  redis.call('HSET', KEYS[1], 'p', tostring(d))
end
local function touch()
  prune()
  redis.call('EXPIRE', KEYS[1], (retain + 1) * 86400)
end
`

// takeQuota counts one request: ARGV window start, end, today, limit,
// retain. It returns {remaining, 1} when counted, {0, 0} when the window
// is used up.
var takeQuota = rueidis.NewLuaScript(windowScript + `
local rem = limit - used + adj
if rem <= 0 then return {0, 0} end
redis.call('HINCRBY', KEYS[1], 'u' .. d, 1)
touch()
return {rem - 1, 1}
`)

// setRemaining adjusts today so that the window's remaining quota is
// ARGV[6].
var setRemaining = rueidis.NewLuaScript(windowScript + `
local delta = tonumber(ARGV[6]) - (limit - used + adj)
redis.call('HINCRBY', KEYS[1], 'a' .. d, delta)
touch()
return delta
`)

// Counter is a ratelimit.Counter on Redis. It is safe for concurrent use.
type Counter struct {
	c        *redisclient.Client
	prefix   string
	fallback ratelimit.Counter // FailOpen: node-local counts
}

var _ ratelimit.Counter = (*Counter)(nil)

// NewCounter returns a Counter on c.
func NewCounter(c *redisclient.Client, o Options) *Counter {
	k := &Counter{c: c, prefix: o.prefix() + "q:"}
	if o.FailMode == redisclient.FailOpen {
		k.fallback = ratelimit.NewMemoryCounter()
	}
	return k
}

// windowArgs returns the script arguments of q's window holding now.
func windowArgs(q ratelimit.Quota, now time.Time) []string {
	d := ratelimit.DayOf(now)
	ws, we := q.WindowDays(d)
	return []string{
		strconv.Itoa(int(ws)), strconv.Itoa(int(we)), strconv.Itoa(int(d)),
		strconv.FormatInt(q.Limit, 10), strconv.Itoa(retainDays),
	}
}

// Take implements ratelimit.Counter: one EVALSHA.
func (k *Counter) Take(ctx context.Context, key string, q ratelimit.Quota, now time.Time) (int64, bool, error) {
	if err := q.Validate(); err != nil {
		return 0, false, err
	}
	var res []int64
	err := k.c.Do(ctx, "take", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		res, err = takeQuota.Exec(ctx, rc, []string{k.prefix + key}, windowArgs(q, now)).AsIntSlice()
		return err
	})
	if err != nil {
		if k.fallback != nil && isUnavailable(err) {
			return k.fallback.Take(ctx, key, q, now)
		}
		return 0, false, wrapUnavailable(err)
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("ratelimit: redis: take: script answered %v", res)
	}
	return res[0], res[1] == 1, nil
}

// SetRemaining implements ratelimit.Counter. It fails when Redis is
// unavailable, whatever the FailMode: an adjustment made to node-local
// state would be lost.
func (k *Counter) SetRemaining(ctx context.Context, key string, q ratelimit.Quota, n int64, now time.Time) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("ratelimit: negative remaining quota %d: %w", n, ratelimit.ErrInvalidQuota)
	}
	args := append(windowArgs(q, now), strconv.FormatInt(n, 10))
	err := k.c.Do(ctx, "set remaining", func(ctx context.Context, rc rueidis.Client) error {
		return setRemaining.Exec(ctx, rc, []string{k.prefix + key}, args).Error()
	})
	if err != nil {
		return wrapUnavailable(err)
	}
	return nil
}

// Usage implements ratelimit.Counter: one HMGET of the days from the
// start of the first day's window to the last day. It fails when Redis is
// unavailable, whatever the FailMode.
func (k *Counter) Usage(ctx context.Context, key string, q ratelimit.Quota, from, to time.Time) ([]ratelimit.DayUsage, error) {
	_, last, need, err := ratelimit.UsageRange(q, from, to)
	if err != nil {
		return nil, err
	}
	fields := make([]string, 0, 2*(last-need+1))
	for d := need; d <= last; d++ {
		day := strconv.Itoa(int(d))
		fields = append(fields, "u"+day, "a"+day)
	}
	var vals []rueidis.RedisMessage
	err = k.c.Do(ctx, "usage", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		vals, err = rc.Do(ctx, rc.B().Hmget().Key(k.prefix+key).Field(fields...).Build()).ToArray()
		return err
	})
	if err != nil {
		return nil, wrapUnavailable(err)
	}
	var days []ratelimit.DayCount
	for i := 0; i+1 < len(vals); i += 2 {
		used, err1 := optInt(vals[i])
		adj, err2 := optInt(vals[i+1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("ratelimit: redis: usage of %q: %v %v", key, err1, err2)
		}
		if used != 0 || adj != 0 {
			days = append(days, ratelimit.DayCount{Day: need + int32(i/2), Used: used, Adj: adj})
		}
	}
	return ratelimit.UsageOf(q, days, from, to)
}

// optInt reads an integer field of an HMGET reply (0 when absent).
func optInt(m rueidis.RedisMessage) (int64, error) {
	if m.IsNil() {
		return 0, nil
	}
	s, err := m.ToString()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}
