package deploy

import (
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/respcache"
)

// Stage cache settings (reference §5.2).
const (
	defaultCacheClusterSize = "0.5"
	maxCacheTTL             = 3600 * time.Second
)

// compileCacheKey compiles an integration's cache key: its cacheNamespace
// (default: the resource id) and cacheKeyParameters. Method request
// parameters are read from the request; integration.request.* parameters
// take the value the integration's requestParameters map to them (none:
// they do not vary the key).
func compileCacheKey(in *model.Integration, resourceID string) (string, []rest.Source, error) {
	if in == nil {
		return resourceID, nil, nil
	}
	ns := model.Deref(in.CacheNamespace)
	if ns == "" {
		ns = resourceID
	}
	var key []rest.Source
	for _, p := range in.CacheKeyParameters {
		expr := p
		if strings.HasPrefix(p, "integration.request.") {
			mapped, ok := in.RequestParameters[p]
			if !ok {
				key = append(key, rest.Source{Kind: rest.SrcLiteral})
				continue
			}
			expr = mapped
		}
		src, err := rest.ParseRequestSource(expr)
		if err != nil {
			return "", nil, fmt.Errorf("cache key parameter %q: %w", p, err)
		}
		key = append(key, src)
	}
	return ns, key, nil
}

// compileStageCache compiles a stage's response cache: nil unless
// cacheClusterEnabled, else a new store of cacheClusterSize (the watcher
// keeps the previous store instead when the size is unchanged) and the
// caching settings of every route of d (and of canary, when the canary
// uses the stage cache).
func (c *Compiler) compileStageCache(st *model.Stage, d, canary *rest.Deployment) (*rest.StageCache, error) {
	if !st.CacheClusterEnabled {
		return nil, nil
	}
	size := model.Deref(st.CacheClusterSize)
	if size == "" {
		size = defaultCacheClusterSize
	}
	capacity, err := respcache.CapacityForClusterSize(size)
	if err != nil {
		return nil, fmt.Errorf("stage cache: %w", err)
	}
	var store respcache.Cache
	if c.StageCaches != nil {
		store = c.StageCaches(d.APIID, st.StageName, capacity, c.Secrets)
	} else {
		store = respcache.NewMemory(capacity, c.Secrets)
	}
	sc := &rest.StageCache{Store: store, Size: size}
	sc.Methods = methodCaches(st, d)
	if canary != nil && st.CanarySettings != nil && st.CanarySettings.UseStageCache {
		sc.CanaryMethods = methodCaches(st, canary)
	}
	return sc, nil
}

// methodCaches compiles the caching settings of d's routes, by
// Route.Index: the setting for "{resourcePath}/{VERB}" (without the
// leading slash), else the stage-wide "*/*" one, which caches GET methods
// only (an ANY method: its GET requests [U]); routes whose integration
// streams are never cached. It returns nil when no route is cached.
func methodCaches(st *model.Stage, d *rest.Deployment) []*rest.MethodCache {
	all := st.MethodSettings["*/*"]
	var out []*rest.MethodCache
	for i, r := range d.RouteList {
		if s, ok := r.Integration.(rest.StreamingIntegration); ok && s.Streams() {
			continue // streamed responses are not cached [D]
		}
		ms, getOnly := st.MethodSettings[strings.TrimPrefix(r.ResourcePath, "/")+"/"+r.HTTPMethod], false
		if ms == nil {
			if all == nil || (r.HTTPMethod != "GET" && r.HTTPMethod != "ANY") {
				continue
			}
			ms, getOnly = all, r.HTTPMethod == "ANY"
		}
		mc := methodCache(ms)
		if mc == nil {
			continue
		}
		mc.GETOnly = getOnly
		if out == nil {
			out = make([]*rest.MethodCache, len(d.RouteList))
		}
		out[i] = mc
	}
	return out
}

// methodCache compiles one method setting; nil when it does not cache.
func methodCache(ms *model.MethodSetting) *rest.MethodCache {
	if !ms.CachingEnabled || ms.CacheTTLInSeconds <= 0 {
		return nil
	}
	ttl := min(time.Duration(ms.CacheTTLInSeconds)*time.Second, maxCacheTTL)
	strategy, _ := rest.ParseCacheControlStrategy(ms.UnauthorizedCacheControlHeaderStrategy)
	return &rest.MethodCache{
		TTL:                  ttl,
		Encrypt:              ms.CacheDataEncrypted,
		RequireAuthorization: ms.RequireAuthorizationForCacheControl,
		Strategy:             strategy,
	}
}

// keepCache carries the previous version's cache store over to a
// recompiled stage when the cache stays enabled with the same size (new
// settings, stage variables or deployments keep the entries [U: AWS's
// behaviour on redeploy]); resizing or disabling starts empty.
func keepCache(prev, next *rest.Stage) {
	if prev == nil || prev.Cache == nil || next.Cache == nil || prev.Cache.Size != next.Cache.Size {
		return
	}
	next.Cache.Store = prev.Cache.Store
}
