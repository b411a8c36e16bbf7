package cli

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
)

// outageLog logs a Redis outage as the caches see it once when it starts
// and once when it ends, instead of once per request.
type outageLog struct {
	log  *slog.Logger
	down atomic.Bool
}

// observe notes the outcome of a cache call.
func (o *outageLog) observe(err error) {
	switch {
	case err == nil:
		if o.down.CompareAndSwap(true, false) {
			o.log.Info("shared caches: Redis answers again")
		}
	case errors.Is(err, redisclient.ErrUnavailable):
		if o.down.CompareAndSwap(false, true) {
			o.log.Warn("shared caches: Redis does not answer; stage and authorizer caches miss until it does", "err", err)
		}
	}
}

// quietCache is a Redis-backed stage (or authorizer) cache that fails
// open quietly: while Redis does not answer, Get misses and Set stores
// nothing, without an error per request (the outage is logged once).
// Delete and Flush still report failures: a flush that did not happen
// must be seen.
type quietCache struct {
	respcache.Cache
	outage *outageLog
}

func (q quietCache) Get(ctx context.Context, key string, now time.Time) (*respcache.Entry, bool, error) {
	e, ok, err := q.Cache.Get(ctx, key, now)
	q.outage.observe(err)
	if errors.Is(err, redisclient.ErrUnavailable) {
		return nil, false, nil
	}
	return e, ok, err
}

func (q quietCache) Set(ctx context.Context, key string, e *respcache.Entry, ttl time.Duration, encrypt bool, now time.Time) error {
	err := q.Cache.Set(ctx, key, e, ttl, encrypt, now)
	q.outage.observe(err)
	if errors.Is(err, redisclient.ErrUnavailable) {
		return nil
	}
	return err
}
