// Package redis implements respcache.Cache on Redis, so that the gateways
// of a cluster share each stage's response cache: an entry one node
// stores is a hit on every node, and Cache-Control: max-age=0
// invalidation (Delete) and FlushStageCache (Flush) act cluster-wide.
//
// Entries are stored as respcache.EncodeRecord makes them, the bytes the
// in-memory cache keeps: the expiry and the entry encoding, sealed with
// the gateway's secret.Box when the method sets cacheDataEncrypted (so
// encrypted entries are encrypted in Redis too). Expiry follows the
// callers' times, read from the record; Redis also expires each key a
// second after its TTL, by its own clock, to reclaim the memory.
//
// Each stage is a namespace of its own. Its keys share a hash tag, and
// hold a generation token: entries live under
// <prefix>rc:{<namespace>}:e:<generation>:<cache key>, and Flush replaces
// the generation, which orphans every entry at once (they expire by
// their TTLs, an hour at most) instead of scanning for them. Get, Set and
// Delete read the generation and act on the entry in one Lua script, one
// round trip. An evicted generation key reads as empty, a miss, never as
// an older generation.
//
// There is no per-stage capacity (cacheClusterSize): Redis's maxmemory
// bounds the caches, and with a volatile-lru policy it evicts cache
// entries (which carry TTLs) before generation keys (which do not).
// A Redis that does not answer within the client's timeout makes Get
// fail with an error wrapping redisclient.ErrUnavailable, which the
// gateway treats as a miss: the cache fails open.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/secret"
)

// DefaultPrefix starts every key this package writes.
const DefaultPrefix = "tollgate:"

// expirySlack is how long past its TTL Redis keeps an entry: callers'
// clocks may run behind Redis's, and an entry must be there for as long
// as they consider it live.
const expirySlack = time.Second

// Options configure a Cache.
type Options struct {
	// Prefix starts every key (DefaultPrefix if empty).
	Prefix string
}

// getEntry: KEYS[1] the generation key; ARGV the entry key prefix and
// the cache key. It returns the record, or nil.
var getEntry = rueidis.NewLuaScript(`
local g = redis.call('GET', KEYS[1])
if not g then return false end
return redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])
`)

// setEntry: KEYS[1] the generation key; ARGV the entry key prefix, the
// cache key, the record, its TTL in ms, and a generation to start with
// if there is none.
var setEntry = rueidis.NewLuaScript(`
local g = redis.call('GET', KEYS[1])
if not g then
  g = ARGV[5]
  redis.call('SET', KEYS[1], g)
end
redis.call('SET', ARGV[1] .. g .. ':' .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1
`)

// delEntry: KEYS[1] the generation key; ARGV the entry key prefix and the
// cache key.
var delEntry = rueidis.NewLuaScript(`
local g = redis.call('GET', KEYS[1])
if not g then return 0 end
return redis.call('DEL', ARGV[1] .. g .. ':' .. ARGV[2])
`)

// Cache is one stage's response cache on Redis. It is safe for
// concurrent use.
type Cache struct {
	c      *redisclient.Client
	box    *secret.Box
	genKey string // the namespace's generation
	entry  string // prefix of the namespace's entry keys, before the generation
}

var _ respcache.Cache = (*Cache)(nil)

// New returns the cache of namespace (a stage: unique per API and stage,
// such as "<restApiId>/<stageName>") on c; box seals encrypted entries
// (with a nil box, Set with encrypt=true fails with respcache.ErrNoBox).
// Every gateway of a cluster must use the same box key to read the
// others' encrypted entries.
func New(c *redisclient.Client, namespace string, box *secret.Box, o Options) *Cache {
	prefix := o.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	// PathEscape keeps braces out of the hash tag.
	ns := prefix + "rc:{" + url.PathEscape(namespace) + "}:"
	return &Cache{c: c, box: box, genKey: ns + "g", entry: ns + "e:"}
}

// Get implements respcache.Cache: one EVALSHA.
func (c *Cache) Get(ctx context.Context, key string, now time.Time) (*respcache.Entry, bool, error) {
	var rec []byte
	err := c.c.Do(ctx, "cache get", func(ctx context.Context, rc rueidis.Client) error {
		var err error
		rec, err = getEntry.Exec(ctx, rc, []string{c.genKey}, []string{c.entry, key}).AsBytes()
		if rueidis.IsRedisNil(err) {
			rec, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("respcache: redis: get %q: %w", key, err)
	}
	if rec == nil {
		return nil, false, nil
	}
	exp, err := respcache.RecordExpires(rec)
	if err != nil {
		return nil, false, fmt.Errorf("respcache: redis: get %q: %w", key, err)
	}
	if !now.Before(exp) {
		return nil, false, nil
	}
	e, _, err := respcache.DecodeRecord(key, rec, c.box)
	if err != nil {
		return nil, false, fmt.Errorf("respcache: redis: get %q: %w", key, err)
	}
	return e, true, nil
}

// Set implements respcache.Cache: one EVALSHA (two when e is not stored:
// the existing entry is deleted instead).
func (c *Cache) Set(ctx context.Context, key string, e *respcache.Entry, ttl time.Duration, encrypt bool, now time.Time) error {
	rec, err := c.record(key, e, ttl, encrypt, now)
	if rec == nil {
		if derr := c.Delete(ctx, key); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
	gen, err := newGeneration()
	if err != nil {
		return err
	}
	px := strconv.FormatInt((ttl + expirySlack).Milliseconds(), 10)
	err = c.c.Do(ctx, "cache set", func(ctx context.Context, rc rueidis.Client) error {
		return setEntry.Exec(ctx, rc, []string{c.genKey}, []string{c.entry, key, rueidis.BinaryString(rec), px, gen}).Error()
	})
	if err != nil {
		return fmt.Errorf("respcache: redis: set %q: %w", key, err)
	}
	return nil
}

// record encodes e for storage. It returns nil when e is not to be
// stored, with the error to report (nil for ttl <= 0).
func (c *Cache) record(key string, e *respcache.Entry, ttl time.Duration, encrypt bool, now time.Time) ([]byte, error) {
	switch {
	case e == nil:
		return nil, errors.New("respcache: redis: set: nil entry")
	case ttl <= 0:
		return nil, nil
	case len(e.Body) > respcache.MaxEntryBytes:
		return nil, fmt.Errorf("%w: body is %d bytes, the limit is %d", respcache.ErrTooLarge, len(e.Body), respcache.MaxEntryBytes)
	}
	rec, err := respcache.EncodeRecord(key, e, now.Add(ttl), c.box, encrypt)
	if err != nil {
		return nil, fmt.Errorf("respcache: redis: set %q: %w", key, err)
	}
	return rec, nil
}

// Delete implements respcache.Cache: one EVALSHA.
func (c *Cache) Delete(ctx context.Context, key string) error {
	err := c.c.Do(ctx, "cache delete", func(ctx context.Context, rc rueidis.Client) error {
		return delEntry.Exec(ctx, rc, []string{c.genKey}, []string{c.entry, key}).Error()
	})
	if err != nil {
		return fmt.Errorf("respcache: redis: delete %q: %w", key, err)
	}
	return nil
}

// Flush implements respcache.Cache: it starts a new generation, so that
// every node misses every entry stored before.
func (c *Cache) Flush(ctx context.Context) error {
	gen, err := newGeneration()
	if err != nil {
		return err
	}
	err = c.c.Do(ctx, "cache flush", func(ctx context.Context, rc rueidis.Client) error {
		return rc.Do(ctx, rc.B().Set().Key(c.genKey).Value(gen).Build()).Error()
	})
	if err != nil {
		return fmt.Errorf("respcache: redis: flush: %w", err)
	}
	return nil
}

// newGeneration returns a random generation token.
func newGeneration() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("respcache: redis: generation: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
