package redis

import (
	"math"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
	"github.com/tollgate/tollgate/internal/shardmap"
)

// LeaseTTL is how long, in the callers' time, a node may serve the tokens
// of one lease; those left then are dropped (not given back).
const LeaseTTL = 100 * time.Millisecond

// leaseShare is the share of LeaseTTL's refill (r·LeaseTTL, capped at the
// burst) that the leases of LeaseNodes nodes may hold together.
const leaseShare = 0.01

// DefaultLeaseNodes is the cluster size lease sizes assume unless
// Options.LeaseNodes says otherwise.
const DefaultLeaseNodes = 8

func (o Options) leaseNodes() int {
	switch {
	case o.LeaseNodes < 0:
		return 0
	case o.LeaseNodes == 0:
		return DefaultLeaseNodes
	}
	return o.LeaseNodes
}

// leaseSize is the number of tokens a node takes from Redis at once for a
// bucket of limit lim: leaseShare of min(r·LeaseTTL, burst) shared by the
// nodes; 1 (no lease) when that is under 2.
func (l *Limiter) leaseSize(lim ratelimit.Limit) int {
	if l.leaseNodes == 0 || lim.Rate == 0 {
		return 1
	}
	pool := float64(lim.Burst)
	if !math.IsInf(lim.Rate, 1) {
		pool = min(pool, lim.Rate*LeaseTTL.Seconds())
	}
	n := pool * leaseShare / float64(l.leaseNodes)
	if n < 2 {
		return 1
	}
	return int(min(n, 1<<20))
}

// lease is the tokens of one bucket this node took from Redis and has not
// served yet. At most one fetch at a time refills it (fetching): the call
// that finds it empty, or, in the background, the one that leaves it
// under half full, so that busy buckets rarely wait for Redis. Calls that
// find it empty while a fetch is in flight wait for that fetch (a round
// trip they would have made anyway), then take their token from Redis one
// by one if it brought too few. So a lease holds at most 1.5 fetches'
// tokens.
type lease struct {
	mu       sync.Mutex
	lim      ratelimit.Limit // the limit they were taken at
	tokens   int
	from     int64 // caller's unix ns of the latest fetch
	fetching bool
	done     chan struct{} // closed when the fetch in flight ends
	dead     bool          // swept out of its map: get the key again
}

// What take did.
const (
	took       = iota // a token of the lease
	tookRefill        // a token, and the caller refills the lease in the background
	fetchIt           // nothing: the caller refills the lease
	none              // nothing: another call is refilling it
	gone              // nothing: the lease was swept out, get it again
)

// take serves a token of limit lim at t if the lease holds one taken at
// lim within LeaseTTL of t (concurrent requests' times straddle a fetch's:
// a token Redis gave at from may serve a request stamped a little
// earlier).
// size is the lease's size for lim.
// With none it also returns the channel closed when the fetch in flight
// ends.
func (ls *lease) take(lim ratelimit.Limit, size int, t int64) (int, <-chan struct{}) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.dead {
		return gone, nil
	}
	if d := t - ls.from; ls.tokens > 0 && ls.lim == lim && d >= -int64(LeaseTTL) && d <= int64(LeaseTTL) {
		ls.tokens--
		if ls.tokens < size/2 && !ls.fetching {
			ls.startFetch()
			return tookRefill, nil
		}
		return took, nil
	}
	if ls.fetching {
		return none, ls.done
	}
	ls.startFetch()
	return fetchIt, nil
}

// startFetch marks a fetch in flight. ls.mu is held.
func (ls *lease) startFetch() {
	ls.fetching = true
	ls.done = make(chan struct{})
}

// giveBack returns a token served by take to the lease (another bucket of
// the call refused), unless the lease changed limit meanwhile.
func (ls *lease) giveBack(lim ratelimit.Limit) {
	ls.mu.Lock()
	if ls.lim == lim {
		ls.tokens++
	}
	ls.mu.Unlock()
}

// fetched ends a fetch: n tokens taken at lim at t are added to the
// lease (those left of a lease expired at t or of another limit are
// dropped); n 0 leaves it as it was.
func (ls *lease) fetched(lim ratelimit.Limit, n int, t int64) {
	ls.mu.Lock()
	ls.fetching = false
	close(ls.done)
	if n > 0 {
		if d := t - ls.from; ls.lim != lim || d < -int64(LeaseTTL) || d > int64(LeaseTTL) {
			ls.tokens = 0
		}
		ls.lim, ls.tokens, ls.from = lim, ls.tokens+n, max(ls.from, t)
	}
	ls.mu.Unlock()
}

// leaseMap holds a node's leases by bucket key.
type leaseMap struct{ m *shardmap.Map[lease] }

// sweepInterval is how often, in the callers' time, a shard drops its
// spent leases, so that buckets no longer used (say, of deleted API keys)
// do not keep their leases.
const sweepInterval = int64(time.Second)

func (lm *leaseMap) init() { lm.m = shardmap.New[lease]() }

// get returns key's lease, created empty on first use; t is the caller's
// time, for sweeping.
func (lm *leaseMap) get(key string, t int64) *lease {
	sh := lm.m.Shard(key)
	if sh.Due(t, sweepInterval) {
		sh.Sweep(func(ls *lease) bool { return ls.spent(t) })
	}
	if ls := sh.Load(key); ls != nil {
		return ls
	}
	return sh.LoadOrStore(key, &lease{})
}

// spent reports whether ls holds nothing usable at t (empty, or expired)
// and is not being fetched, marking it dead if so (see shardmap's Sweep).
func (ls *lease) spent(t int64) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if d := t - ls.from; !ls.fetching && (ls.tokens == 0 || d < -int64(LeaseTTL) || d > int64(LeaseTTL)) {
		ls.dead = true
		return true
	}
	return false
}

// len returns the number of leases held.
func (lm *leaseMap) len() int { return lm.m.Len() }
