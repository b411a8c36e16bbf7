package ratelimit

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// shardCount is the number of shards of a shardMap, a power of two: enough
// that goroutines working on different keys rarely share a shard lock.
const shardCount = 256

// shardMap maps strings to *V in shards, each a map under its own RWMutex.
// Lookups of existing entries take only a read lock and allocate nothing.
type shardMap[V any] struct {
	seed   maphash.Seed
	shards [shardCount]shard[V]
}

// shard is one part of a shardMap. Its size is a cache line (on 64-bit
// platforms), so that neighbouring shards' locks do not share one.
type shard[V any] struct {
	mu sync.RWMutex
	m  map[string]*V
	// next is when the shard is next due for a sweep, in the owner's unit.
	next atomic.Int64
	// floor is for the owner to record, under mu in a sweep, what entries
	// created later must know of the entries it dropped.
	floor atomic.Int64
	_     [16]byte
}

func newShardMap[V any]() *shardMap[V] {
	return &shardMap[V]{seed: maphash.MakeSeed()}
}

// shardFor returns the shard that holds key.
func (s *shardMap[V]) shardFor(key string) *shard[V] {
	return &s.shards[maphash.String(s.seed, key)&(shardCount-1)]
}

// len returns the number of entries.
func (s *shardMap[V]) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// load returns key's entry, or nil.
func (sh *shard[V]) load(key string) *V {
	sh.mu.RLock()
	v := sh.m[key]
	sh.mu.RUnlock()
	return v
}

// loadOrStore returns key's entry, storing v as that entry if there is none.
func (sh *shard[V]) loadOrStore(key string, v *V) *V {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old := sh.m[key]; old != nil {
		return old
	}
	if sh.m == nil {
		sh.m = make(map[string]*V)
	}
	sh.m[strings.Clone(key)] = v // do not pin a caller's larger buffer
	return v
}

// due reports whether a sweep is due at now and, if so, claims it by moving
// the next sweep to now+every: of concurrent callers, only one claims it.
// A next more than every ahead of now (a caller's clock was far ahead) is
// due too, so that one wrong time does not stop sweeps.
func (sh *shard[V]) due(now, every int64) bool {
	next := sh.next.Load()
	return (now >= next || next-now > every) && sh.next.CompareAndSwap(next, now+every)
}

// sweep deletes the entries for which evict returns true. evict runs under
// the shard's write lock; it must mark an entry it evicts so that callers
// holding a pointer from before the sweep look the key up again.
func (sh *shard[V]) sweep(evict func(*V) bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for k, v := range sh.m {
		if evict(v) {
			delete(sh.m, k)
		}
	}
}
