package pipeline

import (
	"sync"
	"time"
)

// maxAuthorizerCacheEntries bounds one stage's authorizer cache. When it is
// full, expired entries are dropped, then (if still full) everything: a
// cache, not a store, so the worst case is extra authorizer calls.
const maxAuthorizerCacheEntries = 10000

// AuthorizerCache holds authorizer results of one stage, keyed by the
// authorizer and its identity-source values, each with its own expiry.
// It is safe for concurrent use.
type AuthorizerCache struct {
	mu sync.RWMutex
	m  map[string]authEntry
}

type authEntry struct {
	v       any
	expires time.Time
}

// NewAuthorizerCache returns an empty cache.
func NewAuthorizerCache() *AuthorizerCache {
	return &AuthorizerCache{m: map[string]authEntry{}}
}

// Get returns the live entry for key.
func (c *AuthorizerCache) Get(key string, now time.Time) (any, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.v, true
}

// Put stores v under key until now+ttl.
func (c *AuthorizerCache) Put(key string, v any, ttl time.Duration, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxAuthorizerCacheEntries {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxAuthorizerCacheEntries {
			clear(c.m)
		}
	}
	c.m[key] = authEntry{v: v, expires: now.Add(ttl)}
}

// Flush empties the cache.
func (c *AuthorizerCache) Flush() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// Len is the number of entries (live or expired).
func (c *AuthorizerCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
