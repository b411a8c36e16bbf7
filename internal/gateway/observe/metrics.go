package observe

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// Metrics are the data plane's Prometheus metrics, named after API
// Gateway's CloudWatch metrics and labelled like its detailed dimensions
// (api, stage, method, resource template — never the raw path). Latencies
// are in milliseconds, as AWS reports them.
type Metrics struct {
	count, err4, err5    *prometheus.CounterVec
	latency, integration *prometheus.HistogramVec
	cacheHit, cacheMiss  *prometheus.CounterVec
}

var labels = []string{"api", "stage", "method", "resource"}

// latencyBuckets in milliseconds.
var latencyBuckets = []float64{0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 29000}

// NewMetrics registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		count: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_Count", Help: "Requests (AWS/ApiGateway Count)."}, labels),
		err4:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_4XXError", Help: "Client-side errors (AWS/ApiGateway 4XXError)."}, labels),
		err5:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_5XXError", Help: "Server-side errors (AWS/ApiGateway 5XXError)."}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "apigateway_Latency",
			Help: "Milliseconds from receiving a request to responding (AWS/ApiGateway Latency).", Buckets: latencyBuckets}, labels),
		integration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "apigateway_IntegrationLatency",
			Help: "Milliseconds spent in the integration (AWS/ApiGateway IntegrationLatency).", Buckets: latencyBuckets}, labels),
		cacheHit: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_CacheHitCount",
			Help: "Requests served from the stage cache (AWS/ApiGateway CacheHitCount)."}, labels),
		cacheMiss: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_CacheMissCount",
			Help: "Requests served from the backend while caching is enabled (AWS/ApiGateway CacheMissCount)."}, labels),
	}
	reg.MustRegister(m.count, m.err4, m.err5, m.latency, m.integration, m.cacheHit, m.cacheMiss)
	return m
}

type routeMetrics struct {
	count, err4, err5    prometheus.Counter
	latency, integration prometheus.Observer
	labels               prometheus.Labels
	// cache holds the cache counters, resolved on the route's first cached
	// request, so that routes without caching export no cache series.
	cache atomic.Pointer[cacheMetrics]
}

type cacheMetrics struct {
	hit, miss prometheus.Counter
}

// StageMetrics holds a stage's metric handles, resolved once per compile
// so that the request path does no label lookups.
type StageMetrics struct {
	m              *Metrics
	stage          string
	routes, canary []atomic.Pointer[routeMetrics]
	base, canaryRs Routes
	unknown        *routeMetrics
}

// Routes are one deployment's routes, by RouteInfo.Index, and the API name
// that labels their series.
type Routes struct {
	APIName string
	List    []*pipeline.RouteInfo
}

func (m *Metrics) handles(api, stage, method, resource string) *routeMetrics {
	l := prometheus.Labels{"api": api, "stage": stage, "method": method, "resource": resource}
	return &routeMetrics{
		count: m.count.With(l), err4: m.err4.With(l), err5: m.err5.With(l),
		latency: m.latency.With(l), integration: m.integration.With(l), labels: l,
	}
}

// cacheCounters returns the route's cache counters, resolving them on
// first use.
func (h *routeMetrics) cacheCounters(m *Metrics) *cacheMetrics {
	if c := h.cache.Load(); c != nil {
		return c
	}
	h.cache.CompareAndSwap(nil, &cacheMetrics{hit: m.cacheHit.With(h.labels), miss: m.cacheMiss.With(h.labels)})
	return h.cache.Load()
}

// ForStage prepares a stage's metrics: base are its deployment's routes,
// canary its canary's (zero: no canary). A route's handles are resolved the
// first time the route serves a request, so that an API with thousands of
// resources costs neither compile time nor memory for routes never called.
func (m *Metrics) ForStage(stage string, base, canary Routes) *StageMetrics {
	if m == nil {
		return nil
	}
	sm := &StageMetrics{m: m, stage: stage, base: base, canaryRs: canary, unknown: m.handles(base.APIName, stage, "-", "-"),
		routes: make([]atomic.Pointer[routeMetrics], len(base.List))}
	if canary.List != nil {
		sm.canary = make([]atomic.Pointer[routeMetrics], len(canary.List))
	}
	return sm
}

// route returns the handles of route r, resolving them on first use.
func (sm *StageMetrics) route(r *pipeline.RouteInfo, canary bool) *routeMetrics {
	list, rs := sm.routes, sm.base
	if canary {
		list, rs = sm.canary, sm.canaryRs
	}
	if r.Index >= len(list) {
		return sm.unknown
	}
	if h := list[r.Index].Load(); h != nil {
		return h
	}
	list[r.Index].CompareAndSwap(nil, sm.m.handles(rs.APIName, sm.stage, r.HTTPMethod, r.ResourcePath))
	return list[r.Index].Load()
}

// CacheResult is how a stage cache answered an exchange, for CacheHitCount
// and CacheMissCount.
type CacheResult uint8

// Cache results.
const (
	// CacheNone: no cache was consulted.
	CacheNone CacheResult = iota
	CacheHit
	CacheMiss
)

// Observe records one finished exchange that took total, and how the
// stage cache answered it.
func (sm *StageMetrics) Observe(x *pipeline.Exchange, total time.Duration, cache CacheResult) {
	if sm == nil {
		return
	}
	h := sm.unknown
	if r := x.Route; r != nil {
		h = sm.route(r, x.IsCanary)
	}
	h.count.Inc()
	switch {
	case x.Status >= 500:
		h.err5.Inc()
	case x.Status >= 400:
		h.err4.Inc()
	}
	h.latency.Observe(float64(total.Microseconds()) / 1000)
	if !x.IntegrationStart.IsZero() {
		h.integration.Observe(float64(x.IntegrationLatency.Microseconds()) / 1000)
	}
	switch cache {
	case CacheHit:
		h.cacheCounters(sm.m).hit.Inc()
	case CacheMiss:
		h.cacheCounters(sm.m).miss.Inc()
	}
}
