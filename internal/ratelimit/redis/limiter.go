// Package redis implements ratelimit.Limiter and ratelimit.Counter on
// Redis, so that the gateways of a cluster share their throttles and
// quotas exactly: a stage limit of rate r and burst b admits b + r·t
// across all nodes, not n times that, and a quota of 5 a day admits 5.
//
// # Throttles
//
// Each check is one Lua script (EVALSHA: one command, one round trip,
// auto-pipelined with the other checks in flight): it refills the bucket
// for the time since its latest check, caps it at the burst and takes a
// token, atomically, with the same arithmetic as ratelimit.Memory (so the
// two implementations admit the same requests). The bucket is a hash
// {t: tokens, s: seconds, n: nanoseconds} of the latest caller time;
// times travel as whole seconds and nanoseconds because Lua's numbers are
// doubles, which cannot hold Unix nanoseconds exactly. A bucket expires
// by Redis's clock once it would be full again (plus a second), when
// recreating it full changes nothing; buckets of rate 0 never refill and
// never expire. No tokens are leased locally, so accuracy holds however
// requests spread over the nodes.
//
// # Quotas
//
// A key's counts are a hash of per-day fields (u<day>: requests,
// a<day>: SetRemaining adjustments), as ratelimit.MemoryCounter keeps
// them. Take and SetRemaining are Lua scripts that sum the window's days
// and count or adjust atomically, so concurrent Takes on any nodes
// admit exactly the limit; Usage reads the days with one HMGET and
// computes GetUsage with ratelimit.UsageOf, as the memory counter does.
// Days older than MaxUsageDays plus a month are pruned (at most once a
// day per key), and a key idle that long expires.
//
// # When Redis is unavailable
//
// Calls are bounded by the client's timeout; then the FailMode decides:
// FailClosed returns an error wrapping ratelimit.ErrUnavailable (503),
// FailOpen answers from node-local memory state (see
// redisclient.FailOpen). Once Redis answers again calls go back to it.
package redis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/redisclient"
)

// DefaultPrefix starts every key this package writes.
const DefaultPrefix = "tollgate:"

// Options configure a Limiter or Counter.
type Options struct {
	// Prefix starts every key (DefaultPrefix if empty), so that several
	// clusters may share one Redis.
	Prefix string
	// FailMode says what to do when Redis is unavailable.
	FailMode redisclient.FailMode
}

func (o Options) prefix() string {
	if o.Prefix == "" {
		return DefaultPrefix
	}
	return o.Prefix
}

// takeToken is the token bucket: KEYS[1] the bucket; ARGV rate ("inf" or
// a number), burst, seconds and nanoseconds of the caller's time. It
// returns 1 if a token was taken, else 0. The arithmetic is
// ratelimit.Memory's, step for step.
var takeToken = rueidis.NewLuaScript(`
local inf = ARGV[1] == 'inf'
local rate = 0
if not inf then rate = tonumber(ARGV[1]) end
local burst = tonumber(ARGV[2])
local sec, nsec = tonumber(ARGV[3]), tonumber(ARGV[4])
local st = redis.call('HMGET', KEYS[1], 't', 's', 'n')
local tokens, ls, ln = burst, sec, nsec
if st[1] then
  tokens, ls, ln = tonumber(st[1]), tonumber(st[2]), tonumber(st[3])
  local d = (sec - ls) * 1e9 + (nsec - ln)
  if d > 0 then
    if inf then tokens = burst else tokens = tokens + d * rate / 1e9 end
    ls, ln = sec, nsec
  end
end
if tokens > burst then tokens = burst end
local ok = 0
if tokens >= 1 - 1e-9 then
  tokens = tokens - 1
  ok = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 's', string.format('%d', ls), 'n', string.format('%d', ln))
if inf then
  redis.call('PEXPIRE', KEYS[1], 1000)
elseif rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((burst - tokens) / rate * 1000), 8640000000) + 1000)
else
  redis.call('PERSIST', KEYS[1])
end
return ok
`)

// Limiter is a ratelimit.Limiter on Redis. It is safe for concurrent use.
type Limiter struct {
	c        *redisclient.Client
	prefix   string
	fallback ratelimit.Limiter // FailOpen: node-local buckets
}

var _ ratelimit.Limiter = (*Limiter)(nil)

// NewLimiter returns a Limiter on c.
func NewLimiter(c *redisclient.Client, o Options) *Limiter {
	l := &Limiter{c: c, prefix: o.prefix() + "tb:"}
	if o.FailMode == redisclient.FailOpen {
		l.fallback = ratelimit.NewMemory()
	}
	return l
}

// Allow implements ratelimit.Limiter: one EVALSHA. When Redis is
// unavailable it fails with an error wrapping ratelimit.ErrUnavailable
// (FailClosed) or answers from a node-local bucket (FailOpen).
func (l *Limiter) Allow(ctx context.Context, key string, lim ratelimit.Limit, now time.Time) (bool, error) {
	if err := lim.Validate(); err != nil {
		return false, err
	}
	rate := "inf"
	if !math.IsInf(lim.Rate, 1) {
		rate = strconv.FormatFloat(lim.Rate, 'g', -1, 64)
	}
	args := []string{rate, strconv.Itoa(lim.Burst), strconv.FormatInt(now.Unix(), 10), strconv.Itoa(now.Nanosecond())}
	var ok int64
	err := l.c.Do(ctx, "allow", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		ok, err = takeToken.Exec(ctx, rc, []string{l.prefix + key}, args).AsInt64()
		return err
	})
	if err != nil {
		if l.fallback != nil && isUnavailable(err) {
			return l.fallback.Allow(ctx, key, lim, now)
		}
		return false, wrapUnavailable(err)
	}
	return ok == 1, nil
}

// isUnavailable reports whether err means Redis did not answer.
func isUnavailable(err error) bool { return errors.Is(err, redisclient.ErrUnavailable) }

// wrapUnavailable adds ratelimit.ErrUnavailable to an error of an
// unanswered call, so that the gateway can tell it from a bad limit.
func wrapUnavailable(err error) error {
	if isUnavailable(err) {
		return fmt.Errorf("%w: %w", ratelimit.ErrUnavailable, err)
	}
	return fmt.Errorf("ratelimit: redis: %w", err)
}
