package authz

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/respcache"
)

// SharedCache is a pipeline.AuthCache kept in a respcache.Cache: a
// cluster's stage namespace in Redis, so that an authorizer result one
// node obtained is a hit on every node and FlushStageAuthorizersCache
// acts cluster-wide. Entries are stored as JSON in the entry body,
// sealed with the cache's key (an authorizer's context may hold personal
// data), and expire by their TTL.
type SharedCache struct {
	Store respcache.Cache
}

var _ pipeline.AuthCache = SharedCache{}

// authEntryStatus marks an authorizer entry in the response-cache format.
const authEntryStatus = 200

// Get implements pipeline.AuthCache.
func (s SharedCache) Get(ctx context.Context, key string, now time.Time) (*pipeline.AuthEntry, bool, error) {
	e, ok, err := s.Store.Get(ctx, key, now)
	if err != nil || !ok {
		return nil, false, err
	}
	var out pipeline.AuthEntry
	if err := json.Unmarshal(e.Body, &out); err != nil {
		return nil, false, fmt.Errorf("authorizer cache: entry %q: %w", key, err)
	}
	return &out, true, nil
}

// Put implements pipeline.AuthCache.
func (s SharedCache) Put(ctx context.Context, key string, e *pipeline.AuthEntry, ttl time.Duration, now time.Time) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("authorizer cache: %w", err)
	}
	return s.Store.Set(ctx, key, &respcache.Entry{Status: authEntryStatus, Body: b}, ttl, true, now)
}

// Flush implements pipeline.AuthCache.
func (s SharedCache) Flush(ctx context.Context) error { return s.Store.Flush(ctx) }
