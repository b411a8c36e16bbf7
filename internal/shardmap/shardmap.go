// Package shardmap is a concurrent map from strings to *V for the data
// plane's per-key state (throttle buckets, quota counters, rate windows,
// a cluster node's leases): shards, each a map under its own RWMutex, so
// that lookups of existing entries take only a read lock and allocate
// nothing, with the bookkeeping an owner needs to sweep unused entries.
package shardmap

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// shardCount is the number of shards of a Map, a power of two: enough
// that goroutines working on different keys rarely share a shard lock.
const shardCount = 256

// Map maps strings to *V in shards, each a map under its own RWMutex.
// Lookups of existing entries take only a read lock and allocate nothing.
type Map[V any] struct {
	seed   maphash.Seed
	shards [shardCount]Shard[V]
}

// Shard is one part of a Map. Its size is a cache line (on 64-bit
// platforms), so that neighbouring shards' locks do not share one.
type Shard[V any] struct {
	mu sync.RWMutex
	m  map[string]*V
	// next is when the shard is next due for a sweep, in the owner's unit.
	next atomic.Int64
	// Floor is for the owner to record, under mu in a sweep, what entries
	// created later must know of the entries it dropped.
	Floor atomic.Int64
	_     [16]byte
}

// New returns an empty map.
func New[V any]() *Map[V] {
	return &Map[V]{seed: maphash.MakeSeed()}
}

// Shard returns the shard that holds key.
func (s *Map[V]) Shard(key string) *Shard[V] {
	return &s.shards[maphash.String(s.seed, key)&(shardCount-1)]
}

// Each calls f with every shard, in turn.
func (s *Map[V]) Each(f func(*Shard[V])) {
	for i := range s.shards {
		f(&s.shards[i])
	}
}

// Len returns the number of entries.
func (s *Map[V]) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// Load returns key's entry, or nil.
func (sh *Shard[V]) Load(key string) *V {
	sh.mu.RLock()
	v := sh.m[key]
	sh.mu.RUnlock()
	return v
}

// LoadOrStore returns key's entry, storing v as that entry if there is none.
func (sh *Shard[V]) LoadOrStore(key string, v *V) *V {
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

// Due reports whether a sweep is due at now and, if so, claims it by moving
// the next sweep to now+every: of concurrent callers, only one claims it.
// A next more than every ahead of now (a caller's clock was far ahead) is
// due too, so that one wrong time does not stop sweeps.
func (sh *Shard[V]) Due(now, every int64) bool {
	next := sh.next.Load()
	return (now >= next || next-now > every) && sh.next.CompareAndSwap(next, now+every)
}

// Sweep deletes the entries for which evict returns true. evict runs under
// the shard's write lock; it must mark an entry it evicts so that callers
// holding a pointer from before the sweep look the key up again.
func (sh *Shard[V]) Sweep(evict func(*V) bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for k, v := range sh.m {
		if evict(v) {
			delete(sh.m, k)
		}
	}
}
