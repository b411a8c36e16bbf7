package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/gateway/authz"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/ratelimit"
	rlredis "github.com/tollgate/tollgate/internal/ratelimit/redis"
	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/respcache"
	rcredis "github.com/tollgate/tollgate/internal/respcache/redis"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/postgres"
)

// Cluster mode: the gateways of a cluster share one PostgreSQL store
// (configuration, through its change feed) and one Redis (throttles,
// quotas, stage caches, WebSocket connections), and the secrets kept in the store, which the
// cluster key unlocks (see clustersecrets.go).

// openPostgres opens a cluster store. An unreachable server fails within
// the store's connect timeout with a one-line reason naming it.
func openPostgres(ctx context.Context, s config.Settings, log *slog.Logger) (store.Store, string, error) {
	st, err := postgres.Open(ctx, s.Store, postgres.WithLogger(log.With("component", "store")))
	if err != nil {
		return nil, "", fmt.Errorf("store: %s", oneLine(err))
	}
	return st, st.String() + " (cluster mode)", nil
}

// useStoreClock makes creation stamps come from the store's clock when it
// has one (PostgreSQL: one clock for the cluster, read while the write
// holds the cluster's writer lock, so stamps follow commit order). It
// returns the function that restores the local clock.
func useStoreClock(st store.Store, log *slog.Logger) func() {
	c, ok := st.(interface {
		Now(ctx context.Context) (time.Time, error)
	})
	if !ok {
		return func() {}
	}
	return docstore.UseClock(func() int64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		t, err := c.Now(ctx)
		if err != nil {
			// The write that wants the stamp fails with the same error.
			log.Debug("store clock unavailable; stamping with the local clock", "err", err)
			return time.Now().UnixNano()
		}
		return t.UnixNano()
	})
}

// sharedState is where throttle buckets, quota counters and stage response
// caches live: in this process, or in Redis for a cluster.
type sharedState struct {
	Limiter ratelimit.Limiter
	Counter ratelimit.Counter
	// Windows counts AWS WAF rate-based rules' requests.
	Windows ratelimit.Windows
	// Redis is nil when the state is in memory.
	Redis    *redisclient.Client
	FailMode redisclient.FailMode
	// Prefix starts every Redis key of this cluster.
	Prefix string
	// outage logs Redis outages as the caches see them.
	outage *outageLog
}

// openSharedState connects to --redis when it is set; an unreachable
// Redis fails within its dial timeout with a one-line reason naming it.
// The state is usable once setPrefix has named the cluster's keys.
func openSharedState(ctx context.Context, s config.Settings, log *slog.Logger) (*sharedState, error) {
	if s.RedisURL == "" {
		return &sharedState{Limiter: ratelimit.NewMemory(), Counter: ratelimit.NewMemoryCounter(), Windows: ratelimit.NewMemoryWindows()}, nil
	}
	mode, err := redisclient.ParseFailMode(s.RedisFailMode)
	if err != nil {
		return nil, err
	}
	c, err := redisclient.Open(ctx, s.RedisURL, redisclient.Options{Timeout: s.RedisCallTimeout()})
	if err != nil {
		return nil, fmt.Errorf("shared state: %s", oneLine(err))
	}
	return &sharedState{Redis: c, FailMode: mode, outage: &outageLog{log: log.With("component", "cluster")}}, nil
}

// setPrefix makes the Redis-backed limiter and counter, their keys (and
// the caches' and the registry's) under "tollgate:" and, for a cluster,
// its id: clusters sharing one Redis stay apart.
func (st *sharedState) setPrefix(clusterID string) {
	if st.Redis == nil {
		return
	}
	st.Prefix = rlredis.DefaultPrefix
	if clusterID != "" {
		st.Prefix += clusterID + ":"
	}
	o := rlredis.Options{FailMode: st.FailMode, Prefix: st.Prefix}
	st.Limiter, st.Counter = rlredis.NewLimiter(st.Redis, o), rlredis.NewCounter(st.Redis, o)
	st.Windows = rlredis.NewWindows(st.Redis, o)
}

// StageCache returns the response cache of one stage: in memory, bounded
// by capacity, or the stage's namespace in Redis (bounded by Redis's
// maxmemory), shared by every node.
func (st *sharedState) StageCache(apiID, stage string, capacity int64, box *secret.Box) respcache.Cache {
	if st.Redis == nil {
		return respcache.NewMemory(capacity, box)
	}
	return quietCache{rcredis.New(st.Redis, apiID+"/"+stage, box, rcredis.Options{Prefix: st.Prefix}), st.outage}
}

// AuthCache returns the authorizer result cache of one stage: in memory,
// or the stage's authorizer namespace in Redis, shared by every node
// (entries sealed with box).
func (st *sharedState) AuthCache(apiID, stage string, box *secret.Box) pipeline.AuthCache {
	if st.Redis == nil {
		return pipeline.NewMemoryAuthCache()
	}
	return authz.SharedCache{Store: quietCache{rcredis.New(st.Redis, "auth/"+apiID+"/"+stage, box, rcredis.Options{Prefix: st.Prefix}), st.outage}}
}

// Close closes the connection to Redis, if any.
func (st *sharedState) Close() {
	if st.Redis != nil {
		st.Redis.Close()
	}
}

// Describe says where the state lives, for the banner.
func (st *sharedState) Describe() string {
	if st.Redis == nil {
		return "in memory (this node only)"
	}
	return fmt.Sprintf("%s (fail %s, keys %s*)", st.Redis, st.FailMode, st.Prefix)
}

// outageEffect says what this node does while Redis does not answer.
func (st *sharedState) outageEffect() string {
	if st.FailMode == redisclient.FailOpen {
		return "this node enforces throttles and quotas on its own (--redis-fail-mode open), the shared caches miss and @connections reaches only this node's WebSocket connections"
	}
	return "throttled and metered requests get 503 (--redis-fail-mode closed), the shared caches miss and @connections calls get 503"
}

// warnPerNode warns when a cluster store is shared but throttles, quotas
// and caches are not: each node would enforce them on its own.
func warnPerNode(s config.Settings, log *slog.Logger) {
	if s.Cluster() && s.RedisURL == "" {
		log.Warn("cluster store without --redis: each node keeps its own throttles, quotas and stage caches (a cluster of n nodes admits up to n times a limit); set --redis to share them")
	}
}

// oneLine joins a multi-line error message into one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
