// Package redis implements ratelimit.Limiter and ratelimit.Counter on
// Redis, so that the gateways of a cluster share their throttles and
// quotas exactly: a stage limit of rate r and burst b admits b + r·t
// across all nodes, not n times that, and a quota of 5 a day admits 5.
//
// # Throttles
//
// A check is one Lua script (EVALSHA: one command, one round trip,
// auto-pipelined with the other checks in flight) for all of a request's
// buckets (AllowAll: the stage's route bucket and the account's): it
// refills each bucket for the time since its latest check, caps it at its
// burst and, if every one holds a token, takes them, atomically, with the
// same arithmetic as ratelimit.Memory; if one is empty none is taken. A
// bucket is a hash {t: tokens, s: seconds, n: nanoseconds} of the latest
// caller time; times travel as whole seconds and nanoseconds because
// Lua's numbers are doubles, which cannot hold Unix nanoseconds exactly. A
// bucket expires by Redis's clock once it would be full again (plus a
// second), when recreating it full changes nothing; buckets of rate 0
// never refill and never expire. Bucket keys share one hash tag ({tb}),
// so that one script's keys are in one Redis Cluster slot.
//
// # Leases
//
// For a bucket whose refill over LeaseTTL (100 ms), capped at its burst,
// is large — P = min(r·LeaseTTL, b) with n = P/100/N ≥ 2, N being
// Options.LeaseNodes (8 by default) — a node takes up to n tokens at once
// (as many whole tokens as the bucket holds, at least one) and serves the
// next requests from them without a round trip. A lease is valid for
// LeaseTTL of the callers' time after its latest fetch; what is left then
// is dropped, never given back. One fetch per bucket and node is in
// flight at a time: the request that finds the lease empty makes it (with
// its own check), or, in the background, the one that leaves it under n/2
// tokens; requests that find it empty meanwhile wait for that fetch (up to
// three, then take one token from Redis each). So a node holds at most
// 1.5·n leased tokens of a bucket. Accuracy, for N or fewer nodes:
//   - never more than the bucket: every token served was taken from Redis
//     first, and served within 2·LeaseTTL of that; so over any span t the
//     cluster admits at most b + r·t plus the tokens held in leases at its
//     start (≤ 1.5·N·n ≤ 1.5% of P);
//   - at most 1.5% less: tokens are lost only when a lease expires or its
//     limit changes; a node's lease of a bucket expires at a fetch more
//     than LeaseTTL after the previous fetch, so its expiries are more
//     than LeaseTTL apart, and over a span t the nodes drop at most
//     N·(t/LeaseTTL + 1)·1.5·n ≤ 1.5% of r·t + 1.5% of P tokens (plus
//     1.5·n a node per limit change).
//
// A stage limit of rate 50 gets no leases (P = 5): its checks are exact.
// The account's default 10,000/s with burst 5,000 gets leases of
// 1000/100/8 = 1 token, none either; leases serve limits so high that a
// round trip per request would be most of a request's cost
// (the benchmark's 1,000,000/s: leases of 125 tokens). With M > N nodes
// both bounds hold with 1.5·M/N % instead of 1.5%.
// On a drained bucket a fetch gets what the bucket holds (about one
// token): leasing then changes nothing.
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
	// LeaseNodes is the number of nodes that lease sizes assume
	// (DefaultLeaseNodes if 0; negative: no leases). A cluster of more
	// nodes, M, keeps its limits to within 1.5·M/LeaseNodes % instead
	// of 1.5% (see the package doc).
	LeaseNodes int
}

func (o Options) prefix() string {
	if o.Prefix == "" {
		return DefaultPrefix
	}
	return o.Prefix
}

// takeTokens is the token bucket, for several buckets at once: KEYS the
// buckets; ARGV the seconds and nanoseconds of the caller's time, then for
// each bucket its rate ("inf" or a number), burst, and the tokens wanted
// (1, or a lease's size). Every bucket is refilled as ratelimit.Memory
// refills it (step for step); then, if each holds a token, each gives
// min(its whole tokens, wanted), else none gives any. It returns {0,
// given...}, or {i} when bucket i (from 1) had no token.
var takeTokens = rueidis.NewLuaScript(`
local sec, nsec = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = #KEYS
local tok, ls, ln, rate, burst, isinf = {}, {}, {}, {}, {}, {}
local denied = 0
for i = 1, n do
  local a = i * 3
  local inf = ARGV[a] == 'inf'
  local r = 0
  if not inf then r = tonumber(ARGV[a]) end
  local b = tonumber(ARGV[a + 1])
  local st = redis.call('HMGET', KEYS[i], 't', 's', 'n')
  local t, s, ns = b, sec, nsec
  if st[1] then
    t, s, ns = tonumber(st[1]), tonumber(st[2]), tonumber(st[3])
    local d = (sec - s) * 1e9 + (nsec - ns)
    if d > 0 then
      if inf then t = b else t = t + d * r / 1e9 end
      s, ns = sec, nsec
    end
  end
  if t > b then t = b end
  if denied == 0 and t < 1 - 1e-9 then denied = i end
  tok[i], ls[i], ln[i], rate[i], burst[i], isinf[i] = t, s, ns, r, b, inf
end
local out = {denied}
for i = 1, n do
  if denied == 0 then
    local g = math.min(math.max(math.floor(tok[i] + 1e-9), 1), tonumber(ARGV[i * 3 + 2]))
    tok[i] = tok[i] - g
    out[i + 1] = g
  end
  redis.call('HSET', KEYS[i], 't', string.format('%.17g', tok[i]), 's', string.format('%d', ls[i]), 'n', string.format('%d', ln[i]))
  if isinf[i] then
    redis.call('PEXPIRE', KEYS[i], 1000)
  elseif rate[i] > 0 then
    redis.call('PEXPIRE', KEYS[i], math.min(math.ceil((burst[i] - tok[i]) / rate[i] * 1000), 8640000000) + 1000)
  else
    redis.call('PERSIST', KEYS[i])
  end
end
return out
`)

// Limiter is a ratelimit.MultiLimiter on Redis. It is safe for
// concurrent use.
type Limiter struct {
	c          *redisclient.Client
	prefix     string
	fallback   *ratelimit.Memory // FailOpen: node-local buckets
	leaseNodes int               // 0: no leases
	leases     leaseMap
}

var _ ratelimit.MultiLimiter = (*Limiter)(nil)

// NewLimiter returns a Limiter on c.
func NewLimiter(c *redisclient.Client, o Options) *Limiter {
	// One hash tag for every bucket: a request's buckets go to one script,
	// whose keys must be in one Redis Cluster slot.
	l := &Limiter{c: c, prefix: o.prefix() + "{tb}:", leaseNodes: o.leaseNodes()}
	l.leases.init()
	if o.FailMode == redisclient.FailOpen {
		l.fallback = ratelimit.NewMemory()
	}
	return l
}

// Allow implements ratelimit.Limiter: AllowAll of one bucket.
func (l *Limiter) Allow(ctx context.Context, key string, lim ratelimit.Limit, now time.Time) (bool, error) {
	denied, err := l.AllowAll(ctx, []ratelimit.Bucket{{Key: key, Limit: lim}}, now)
	return err == nil && denied < 0, err
}

// maxLeaseWaits is how many fetches in flight a call that finds a lease
// empty waits for before it takes its token from Redis itself.
const maxLeaseWaits = 3

// maxBuckets bounds the buckets of one AllowAll call that are kept on the
// stack (a request has at most three: account, route, usage plan).
const maxBuckets = 4

// AllowAll implements ratelimit.MultiLimiter: the buckets this node holds
// a lease on are served from it, the others with one EVALSHA for all of
// them (none when every bucket is leased). When Redis is unavailable it
// fails with an error wrapping ratelimit.ErrUnavailable (FailClosed) or
// answers from node-local buckets (FailOpen).
func (l *Limiter) AllowAll(ctx context.Context, buckets []ratelimit.Bucket, now time.Time) (int, error) {
	for _, b := range buckets {
		if err := b.Limit.Validate(); err != nil {
			return 0, err
		}
	}
	if len(buckets) > maxBuckets {
		return l.allowEach(ctx, buckets, now)
	}
	t := now.UnixNano()
	var (
		leased [maxBuckets]*lease // served from this lease
		fetch  [maxBuckets]*lease // this call refills this lease
		want   [maxBuckets]int    // tokens asked of Redis; 0: leased
		remote int
	)
	for i, b := range buckets {
		n := l.leaseSize(b.Limit)
		want[i] = 1
		if n > 1 {
			ls := l.leases.get(b.Key, t)
		lease:
			for waits := 0; ; waits++ {
				how, done := ls.take(b.Limit, n, t)
				switch how {
				case took:
					leased[i], want[i] = ls, 0
				case tookRefill:
					leased[i], want[i] = ls, 0
					go l.refill(ls, b, n, now)
				case fetchIt:
					fetch[i], want[i] = ls, n
				case gone:
					ls = l.leases.get(b.Key, t)
					continue
				case none:
					if waits < maxLeaseWaits {
						select {
						case <-done:
							continue
						case <-ctx.Done():
						}
					}
				}
				break lease
			}
			if want[i] == 0 {
				continue
			}
		}
		remote++
	}
	if remote == 0 {
		return -1, nil
	}
	giveBack := func() {
		for i, ls := range leased[:len(buckets)] {
			if ls != nil {
				ls.giveBack(buckets[i].Limit)
			}
		}
		for _, ls := range fetch[:len(buckets)] {
			if ls != nil {
				ls.fetched(ratelimit.Limit{}, 0, 0)
			}
		}
	}
	keys := make([]string, 0, remote)
	args := make([]string, 2, 2+3*remote)
	args[0], args[1] = strconv.FormatInt(now.Unix(), 10), strconv.Itoa(now.Nanosecond())
	for i, b := range buckets {
		if want[i] == 0 {
			continue
		}
		rate := "inf"
		if !math.IsInf(b.Limit.Rate, 1) {
			rate = strconv.FormatFloat(b.Limit.Rate, 'g', -1, 64)
		}
		keys = append(keys, l.prefix+b.Key)
		args = append(args, rate, strconv.Itoa(b.Limit.Burst), strconv.Itoa(want[i]))
	}
	var out []int64
	err := l.c.Do(ctx, "allow", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		out, err = takeTokens.Exec(ctx, rc, keys, args).AsIntSlice()
		return err
	})
	if err == nil && len(out) != 1 && len(out) != 1+remote {
		err = fmt.Errorf("ratelimit: redis: script answered %d values for %d buckets", len(out), remote)
	}
	if err != nil {
		giveBack()
		if l.fallback != nil && isUnavailable(err) {
			return l.fallback.AllowAll(ctx, buckets, now)
		}
		return 0, wrapUnavailable(err)
	}
	if d := int(out[0]); d != 0 {
		giveBack()
		for i := range buckets { // the d-th bucket sent
			if want[i] != 0 {
				if d--; d == 0 {
					return i, nil
				}
			}
		}
		return 0, fmt.Errorf("ratelimit: redis: script refused bucket %d of %d", out[0], remote)
	}
	j := 1
	for i := range buckets {
		if want[i] == 0 {
			continue
		}
		if ls := fetch[i]; ls != nil {
			ls.fetched(buckets[i].Limit, int(out[j])-1, t)
		}
		j++
	}
	return -1, nil
}

// refill adds up to n tokens of bucket b, taken at now, to its lease ls,
// whose fetching flag the caller set.
func (l *Limiter) refill(ls *lease, b ratelimit.Bucket, n int, now time.Time) {
	rate := "inf"
	if !math.IsInf(b.Limit.Rate, 1) {
		rate = strconv.FormatFloat(b.Limit.Rate, 'g', -1, 64)
	}
	args := []string{strconv.FormatInt(now.Unix(), 10), strconv.Itoa(now.Nanosecond()), rate, strconv.Itoa(b.Limit.Burst), strconv.Itoa(n)}
	var out []int64
	err := l.c.Do(context.Background(), "lease", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		out, err = takeTokens.Exec(ctx, rc, []string{l.prefix + b.Key}, args).AsIntSlice()
		return err
	})
	if err != nil || len(out) != 2 || out[0] != 0 {
		ls.fetched(b.Limit, 0, 0) // Redis refused or is down: the lease runs out
		return
	}
	ls.fetched(b.Limit, int(out[1]), now.UnixNano())
}

// allowEach checks more buckets than AllowAll keeps on the stack: one
// script call, without leases.
func (l *Limiter) allowEach(ctx context.Context, buckets []ratelimit.Bucket, now time.Time) (int, error) {
	keys := make([]string, 0, len(buckets))
	args := []string{strconv.FormatInt(now.Unix(), 10), strconv.Itoa(now.Nanosecond())}
	for _, b := range buckets {
		rate := "inf"
		if !math.IsInf(b.Limit.Rate, 1) {
			rate = strconv.FormatFloat(b.Limit.Rate, 'g', -1, 64)
		}
		keys = append(keys, l.prefix+b.Key)
		args = append(args, rate, strconv.Itoa(b.Limit.Burst), "1")
	}
	var out []int64
	err := l.c.Do(ctx, "allow", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		out, err = takeTokens.Exec(ctx, rc, keys, args).AsIntSlice()
		return err
	})
	if err != nil {
		if l.fallback != nil && isUnavailable(err) {
			return l.fallback.AllowAll(ctx, buckets, now)
		}
		return 0, wrapUnavailable(err)
	}
	if len(out) == 0 {
		return 0, errors.New("ratelimit: redis: script answered nothing")
	}
	return int(out[0]) - 1, nil
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
