package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// maxCachedKeys bounds the signing-key cache. Keys are per access key, day,
// region and service, so a few hundred cover any realistic working set.
const maxCachedKeys = 512

// keyCacheKey identifies a derived signing key. The secret is held only as
// its SHA-256 so the cache never keeps secrets in the clear.
type keyCacheKey struct {
	secret  [sha256.Size]byte
	date    string
	region  string
	service string
}

// keyCache memoises SigV4 signing keys (four chained HMACs each). The zero
// value is ready to use; it is safe for concurrent use.
type keyCache struct {
	mu      sync.Mutex
	entries map[keyCacheKey][]byte
}

// signingKey returns the SigV4 signing key for secret and the credential
// scope date/region/service, deriving and caching it on a miss. When the
// cache is full an arbitrary entry is evicted. The returned slice must not
// be modified.
func (c *keyCache) signingKey(secret, date, region, service string) []byte {
	k := keyCacheKey{secret: sha256.Sum256([]byte(secret)), date: date, region: region, service: service}

	c.mu.Lock()
	key, ok := c.entries[k]
	c.mu.Unlock()
	if ok {
		return key
	}

	key = deriveSigningKey(secret, date, region, service)

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[keyCacheKey][]byte)
	}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= maxCachedKeys {
		for old := range c.entries {
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = key
	return key
}

// len reports the number of cached keys (for tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// deriveSigningKey computes
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminal)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
