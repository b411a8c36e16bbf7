package redis

import (
	"hash/maphash"
	"math"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/ratelimit"
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

// leaseMap holds a node's leases by bucket key, in shards.
type leaseMap struct {
	seed   maphash.Seed
	shards [64]leaseShard
}

type leaseShard struct {
	mu      sync.RWMutex
	m       map[string]*lease
	inserts int
	_       [32]byte
}

// sweepEvery is how many new leases a shard takes between sweeps of its
// spent ones, so that buckets no longer used (say, of deleted API keys)
// do not keep their leases.
const sweepEvery = 256

func (lm *leaseMap) init() {
	lm.seed = maphash.MakeSeed()
	for i := range lm.shards {
		lm.shards[i].m = map[string]*lease{}
	}
}

// get returns key's lease, created empty on first use; t is the caller's
// time, for sweeping.
func (lm *leaseMap) get(key string, t int64) *lease {
	sh := &lm.shards[maphash.String(lm.seed, key)%uint64(len(lm.shards))]
	sh.mu.RLock()
	ls := sh.m[key]
	sh.mu.RUnlock()
	if ls != nil {
		return ls
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if ls = sh.m[key]; ls == nil {
		if sh.inserts++; sh.inserts%sweepEvery == 0 {
			sh.sweep(t)
		}
		ls = &lease{}
		sh.m[key] = ls
	}
	return ls
}

// sweep drops the leases that hold nothing usable at t (empty, or
// expired) and are not being fetched. sh.mu is held.
func (sh *leaseShard) sweep(t int64) {
	for k, ls := range sh.m {
		ls.mu.Lock()
		if d := t - ls.from; !ls.fetching && (ls.tokens == 0 || d < -int64(LeaseTTL) || d > int64(LeaseTTL)) {
			ls.dead = true
			delete(sh.m, k)
		}
		ls.mu.Unlock()
	}
}

// len returns the number of leases held.
func (lm *leaseMap) len() int {
	n := 0
	for i := range lm.shards {
		sh := &lm.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
