package rest

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/respcache"
)

// CacheControlStrategy is a method's unauthorizedCacheControlHeaderStrategy:
// what happens to a Cache-Control: max-age=0 request from a caller that
// may not invalidate the cache (reference §5.2).
type CacheControlStrategy uint8

// Strategies for unauthorized invalidation requests.
const (
	// SucceedWithResponseHeader ignores the header and adds a warning
	// header to the response (AWS's default).
	SucceedWithResponseHeader CacheControlStrategy = iota
	// SucceedWithoutResponseHeader ignores the header silently.
	SucceedWithoutResponseHeader
	// FailWith403 refuses the request with 403.
	FailWith403
)

// ParseCacheControlStrategy maps an AWS strategy name to its value; any
// other name is SucceedWithResponseHeader (the default) and false.
func ParseCacheControlStrategy(name string) (CacheControlStrategy, bool) {
	switch name {
	case "SUCCEED_WITH_RESPONSE_HEADER":
		return SucceedWithResponseHeader, true
	case "SUCCEED_WITHOUT_RESPONSE_HEADER":
		return SucceedWithoutResponseHeader, true
	case "FAIL_WITH_403":
		return FailWith403, true
	}
	return SucceedWithResponseHeader, false
}

// CacheWarning is the warning header value sent when an unauthorized
// caller's Cache-Control: max-age=0 was ignored under
// SUCCEED_WITH_RESPONSE_HEADER [U: the value as reported; the header name
// Warning is assumed].
const CacheWarning = "199 Cache-control headers were ignored because the caller was unauthorized."

// MethodCache is one method's caching settings on a stage, compiled from
// its methodSettings and its integration's cache key.
type MethodCache struct {
	// TTL is cacheTtlInSeconds (always > 0: a method with TTL 0 has no
	// MethodCache).
	TTL time.Duration
	// Encrypt is cacheDataEncrypted.
	Encrypt bool
	// GETOnly restricts an ANY method cached by the stage-wide "*/*"
	// setting to GET requests (that setting caches GET methods only).
	GETOnly bool
	// RequireAuthorization is requireAuthorizationForCacheControl.
	RequireAuthorization bool
	// Strategy is unauthorizedCacheControlHeaderStrategy.
	Strategy CacheControlStrategy
}

// StageCache is a stage's response cache and the methods that use it.
type StageCache struct {
	// Store holds the entries. It outlives recompiles of the stage while
	// the cache stays enabled with the same Size.
	Store respcache.Cache
	// Size is the cacheClusterSize the Store was made for.
	Size string
	// Methods are the cached methods by Route.Index of the stage's
	// deployment (nil entries: not cached); CanaryMethods the same for the
	// canary's deployment, nil unless the canary uses the stage cache.
	Methods, CanaryMethods []*MethodCache
}

// method returns the caching settings for x's route, or nil (also when
// the stage has no cache).
func (c *StageCache) method(x *Exchange) *MethodCache {
	if c == nil {
		return nil
	}
	list := c.Methods
	if x.IsCanary {
		list = c.CanaryMethods
	}
	if i := x.Match.Route.Index; i < len(list) {
		return list[i]
	}
	return nil
}

// WantsCacheInvalidation reports whether the request asks to invalidate
// its cache entry: a Cache-Control header with the max-age=0 directive.
func WantsCacheInvalidation(r pipeline.Request) bool {
	return hasMaxAgeZero(r.Header("Cache-Control"))
}

// hasMaxAgeZero reports whether a Cache-Control value has max-age=0.
func hasMaxAgeZero(v string) bool {
	for v != "" {
		var d string
		d, v, _ = strings.Cut(v, ",")
		name, arg, ok := strings.Cut(strings.TrimSpace(d), "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "max-age") && strings.Trim(strings.TrimSpace(arg), `"`) == "0" {
			return true
		}
	}
	return false
}

// cacheKey builds x's cache key: the route's namespace, the request's
// verb and the values of its cache key parameters (absent values are
// empty).
func cacheKey(x *Exchange, verb string) string {
	r := x.Match.Route
	var buf [4]string
	vals := buf[:0]
	for _, src := range r.CacheKey {
		v, _ := src.Resolve(x)
		vals = append(vals, v)
	}
	return respcache.Key(r.CacheNamespace, verb, vals)
}

// serveCached runs step 11 of the pipeline (reference §2.3) for a cached
// method: it answers a hit from the cache, and on a miss calls the
// integration and stores a cacheable response. Cache-Control: max-age=0
// from a caller allowed to invalidate bypasses the lookup and replaces the
// entry; from others it follows the method's strategy.
func (st *Stage) serveCached(x *Exchange, mc *MethodCache) error {
	c := st.Cache
	verb := x.Req.Method()
	if mc.GETOnly && verb != "GET" {
		return invoke(x)
	}
	invalidate, warn := false, false
	if WantsCacheInvalidation(x.Req) {
		switch {
		case !mc.RequireAuthorization || x.Auth.InvalidateCache:
			invalidate = true
		case mc.Strategy == FailWith403:
			// 403 [D], answered as 403 {"message":"Forbidden"}
			// (ForbiddenException) [U: AWS does not document the body or
			// whether a gateway response customises it].
			return pipeline.ErrForbidden
		case mc.Strategy == SucceedWithResponseHeader:
			warn = true
		}
	}
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	key := cacheKey(x, verb)
	if !invalidate {
		sp := x.StartSpan("Cache", trace.SpanKindInternal)
		e, ok, err := c.Store.Get(ctx, key, x.Start)
		if sp != nil {
			pipeline.SetSpanAttribute(sp, attribute.Bool("tollgate.cache.hit", ok))
		}
		x.EndSpan(sp, err)
		if err != nil {
			x.cacheError("reading", err)
		}
		if ok {
			x.cache = observe.CacheHit
			writeEntry(x.Resp, e)
			if warn {
				x.Resp.SetHeader("Warning", CacheWarning)
			}
			return nil
		}
	}
	x.cache = observe.CacheMiss
	rec := &recorder{inner: x.Resp, store: c.Store, key: key, ttl: mc.TTL, encrypt: mc.Encrypt,
		invalidate: invalidate, log: x.log(), requestID: x.RequestID}
	x.Resp = rec
	err := invoke(x)
	x.Resp = rec.inner
	if err != nil {
		if invalidate {
			rec.drop()
		}
		return err
	}
	rec.finish()
	if warn {
		x.Resp.SetHeader("Warning", CacheWarning)
	}
	return nil
}

// writeEntry answers with a cached response.
func writeEntry(resp pipeline.Response, e *respcache.Entry) {
	resp.SetStatus(e.Status)
	for _, hv := range e.Headers {
		resp.AddHeader(hv[0], hv[1])
	}
	resp.SetBody(e.Body)
}

// cacheError logs a cache failure; the request carries on without the
// cache.
func (x *Exchange) cacheError(what string, err error) {
	x.log().Warn("stage cache "+what+" failed", "requestId", x.RequestID, "api", x.APIID, "stage", x.StageName, "err", err)
}
