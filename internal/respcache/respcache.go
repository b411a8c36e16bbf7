// Package respcache is API Gateway's stage response cache (reference §5.2):
// integration responses stored per stage under a key built from the cache
// namespace, the HTTP method and the values of the integration's
// cacheKeyParameters, each with its own TTL, optionally encrypted at rest
// (cacheDataEncrypted).
//
// Cache is the interface the gateway uses; Memory is the in-memory
// implementation, bounded in bytes with least-recently-used eviction. A
// shared storage format (MarshalEntry for the entry, EncodeRecord for the
// stored bytes with expiry and optional sealing) lets another
// implementation, such as Redis, store exactly the same bytes; the
// cachetest package is the conformance suite every implementation must
// pass.
package respcache

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// MaxEntryBytes is the largest response body API Gateway caches
// (1,048,576 bytes). Larger responses are served but not stored.
const MaxEntryBytes = 1 << 20

// ErrTooLarge reports that Set did not store an entry because it is too
// large: its body exceeds MaxEntryBytes, or the whole entry exceeds the
// cache's capacity. It is not a failure of the request: callers should
// count it (for example as a metric) and carry on.
var ErrTooLarge = errors.New("respcache: entry too large to cache")

// ErrNoBox reports a Set with encrypt=true on a cache that has no
// secret.Box to seal entries with.
var ErrNoBox = errors.New("respcache: encryption requested but the cache has no key")

// Entry is a cached integration response.
type Entry struct {
	// Status is the HTTP status code.
	Status int
	// Headers holds name, value pairs in order (repeated names allowed).
	Headers [][2]string
	// Body is the response body.
	Body []byte
}

// Cache stores responses for one stage. Implementations must be safe for
// concurrent use.
type Cache interface {
	// Get returns the live entry for key (a miss when absent or expired
	// at now: an entry Set at t with ttl d is live while now < t+d).
	// The returned Headers slice belongs to the caller; Body may be
	// shared with the cache and must not be modified.
	Get(ctx context.Context, key string, now time.Time) (*Entry, bool, error)
	// Set stores e under key until now+ttl; encrypt seals the stored
	// bytes (cacheDataEncrypted). The cache keeps no reference to e.
	// A ttl <= 0 stores nothing and returns nil. Entries whose body is
	// larger than MaxEntryBytes (or that cannot fit the cache at all)
	// are not stored and Set returns an error wrapping ErrTooLarge.
	// Whenever Set does not store e, it removes any existing entry for
	// key, so a Get never returns an entry older than the last Set.
	Set(ctx context.Context, key string, e *Entry, ttl time.Duration, encrypt bool, now time.Time) error
	// Delete removes one entry (Cache-Control: max-age=0 invalidation
	// replaces it right after). Deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// Flush empties the cache (FlushStageCache).
	Flush(ctx context.Context) error
}

// Key builds a cache key from the cache namespace (which defaults to the
// resource id), the HTTP method and the values of the integration's
// cacheKeyParameters in declared order. Every component is written as its
// decimal byte length, ':' and the value, so the key is unambiguous:
// ("a", "b|c") and ("a|b", "c") differ, as do parameter lists of
// different lengths.
func Key(namespace, method string, params []string) string {
	n := keyPartLen(namespace) + keyPartLen(method)
	for _, p := range params {
		n += keyPartLen(p)
	}
	var b strings.Builder
	b.Grow(n)
	var num [20]byte
	for i := -2; i < len(params); i++ {
		var s string
		switch i {
		case -2:
			s = namespace
		case -1:
			s = method
		default:
			s = params[i]
		}
		b.Write(strconv.AppendInt(num[:0], int64(len(s)), 10))
		b.WriteByte(':')
		b.WriteString(s)
	}
	return b.String()
}

// keyPartLen is the encoded length of one key component.
func keyPartLen(s string) int {
	digits := 1
	for n := len(s); n >= 10; n /= 10 {
		digits++
	}
	return digits + 1 + len(s)
}
