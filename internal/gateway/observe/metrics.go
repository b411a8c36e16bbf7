package observe

import (
	"sync"
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

	// v2 are the HTTP and WebSocket API metrics under AWS's names
	// (awsmetrics.go), own are Tollgate's.
	v2  v2Families
	own ownFamilies

	mu     sync.Mutex
	series map[seriesKey]*series // the live label sets
	// discard are handles that export nothing, for requests still running
	// on a retired stage version.
	discard *series
}

var labels = []string{"api", "stage", "method", "resource"} // seriesKey's order

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
	m.v2 = newV2Families(reg)
	m.own = newOwnFamilies(reg)
	m.series = map[seriesKey]*series{}
	m.discard = &series{count: prometheus.NewCounter(prometheus.CounterOpts{Name: "discard"}),
		err4: prometheus.NewCounter(prometheus.CounterOpts{Name: "discard"}), err5: prometheus.NewCounter(prometheus.CounterOpts{Name: "discard"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "discard"}), integration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "discard"})}
	m.discard.cache.Store(&cacheMetrics{hit: prometheus.NewCounter(prometheus.CounterOpts{Name: "discard"}),
		miss: prometheus.NewCounter(prometheus.CounterOpts{Name: "discard"})})
	return m
}

// series are one label set's handles, shared by every stage version that
// labels requests with it (a recompiled stage, two APIs of one name).
type series struct {
	key                  seriesKey
	count, err4, err5    prometheus.Counter
	latency, integration prometheus.Observer
	// cache holds the cache counters, resolved on the route's first cached
	// request, so that routes without caching export no cache series.
	cache atomic.Pointer[cacheMetrics]
	// refs counts the stage versions holding the series (Metrics.mu); at
	// zero it is deleted.
	refs int
}

type seriesKey struct{ api, stage, method, resource string }

type cacheMetrics struct {
	hit, miss prometheus.Counter
}

// acquire returns the series of key, creating it on first use, and counts
// one more holder.
func (m *Metrics) acquire(key seriesKey) *series {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.series[key]
	if s == nil {
		vals := []string{key.api, key.stage, key.method, key.resource}
		s = &series{key: key, count: m.count.WithLabelValues(vals...), err4: m.err4.WithLabelValues(vals...),
			err5: m.err5.WithLabelValues(vals...), latency: m.latency.WithLabelValues(vals...),
			integration: m.integration.WithLabelValues(vals...)}
		m.series[key] = s
	}
	s.refs++
	return s
}

// release counts one holder less, and deletes the series (from /metrics)
// when none is left.
func (m *Metrics) release(s *series) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.refs--; s.refs > 0 {
		return
	}
	delete(m.series, s.key)
	k := s.key
	for _, v := range []*prometheus.CounterVec{m.count, m.err4, m.err5, m.cacheHit, m.cacheMiss} {
		v.DeleteLabelValues(k.api, k.stage, k.method, k.resource)
	}
	for _, v := range []*prometheus.HistogramVec{m.latency, m.integration} {
		v.DeleteLabelValues(k.api, k.stage, k.method, k.resource)
	}
}

// cacheCounters returns the route's cache counters, resolving them on
// first use (a deleted series gets counters that export nothing).
func (s *series) cacheCounters(m *Metrics) *cacheMetrics {
	if c := s.cache.Load(); c != nil {
		return c
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := s.cache.Load(); c != nil {
		return c
	}
	if s.refs == 0 {
		return m.discard.cache.Load()
	}
	k := s.key
	c := &cacheMetrics{hit: m.cacheHit.WithLabelValues(k.api, k.stage, k.method, k.resource),
		miss: m.cacheMiss.WithLabelValues(k.api, k.stage, k.method, k.resource)}
	s.cache.Store(c)
	return c
}

// StageMetrics holds one version of a stage's metric handles, resolved
// once per compile so that the request path does no label lookups.
type StageMetrics struct {
	m              *Metrics
	stage          string
	base, canaryRs Routes
	routes, canary []atomic.Pointer[series]
	unknown        *series
	// v2 are an HTTP API stage's series under AWS's v2 names (nil for
	// REST); auth its authorizer cache counters.
	v2   *v2Stage
	auth authCounters
	// mu serialises resolving a route's series with retiring.
	mu      sync.Mutex
	retired bool
	next    *StageMetrics // once retired: the successor (nil: none)
}

// Routes are one deployment's routes, by RouteInfo.Index, and the API
// name that labels their series.
type Routes struct {
	APIName string
	// APIID labels Tollgate's own per-stage series (and an HTTP API's
	// series under AWS's v2 names).
	APIID string
	// HTTP is set for an HTTP API: its requests also count under AWS's
	// HTTP API metric names (4xx, 5xx, DataProcessed).
	HTTP bool
	List []*pipeline.RouteInfo
}

// ForStage prepares a stage's metrics: base are its deployment's routes,
// canary its canary's (zero: no canary). A route's handles are resolved the
// first time the route serves a request, so that an API with thousands of
// resources costs neither compile time nor memory for routes never called.
// Once the stage version is no longer served, Retire it.
func (m *Metrics) ForStage(stage string, base, canary Routes) *StageMetrics {
	if m == nil {
		return nil
	}
	sm := &StageMetrics{m: m, stage: stage, base: base, canaryRs: canary,
		unknown: m.acquire(seriesKey{base.APIName, stage, "-", "-"}),
		routes:  make([]atomic.Pointer[series], len(base.List))}
	if canary.List != nil {
		sm.canary = make([]atomic.Pointer[series], len(canary.List))
	}
	if base.HTTP {
		sm.v2 = m.v2.forStage(base.APIID, stage, base.List)
	}
	sm.auth = m.own.authCounters(base.APIID, stage)
	return sm
}

// route returns the handles of route r, resolving them on first use.
func (sm *StageMetrics) route(r *pipeline.RouteInfo, canary bool) *series {
	list, rs := sm.routes, sm.base
	if canary {
		list, rs = sm.canary, sm.canaryRs
	}
	if r.Index >= len(list) {
		return sm.unknown
	}
	if s := list[r.Index].Load(); s != nil {
		return s
	}
	return sm.resolve(&list[r.Index], seriesKey{rs.APIName, sm.stage, r.HTTPMethod, r.ResourcePath})
}

// resolve fills an empty slot of sm with the series of key. A version
// already retired takes no series of its own: a request still running on
// it (which resolves its route as it completes) counts in its successor's
// series, and nowhere when the successor has no such route.
func (sm *StageMetrics) resolve(slot *atomic.Pointer[series], key seriesKey) *series {
	sm.mu.Lock()
	if s := slot.Load(); s != nil {
		sm.mu.Unlock()
		return s
	}
	if !sm.retired {
		s := sm.m.acquire(key)
		slot.Store(s)
		sm.mu.Unlock()
		return s
	}
	next := sm.next
	sm.mu.Unlock()
	if next == nil {
		return sm.m.discard
	}
	return next.byKey(key)
}

// byKey returns sm's series of key, resolving it, or (sm having no such
// route) handles that export nothing. It scans the routes: only requests
// that outlive the version they started on come here.
func (sm *StageMetrics) byKey(key seriesKey) *series {
	if key.stage == sm.stage {
		for _, d := range [...]struct {
			rs    Routes
			slots []atomic.Pointer[series]
		}{{sm.base, sm.routes}, {sm.canaryRs, sm.canary}} {
			if d.rs.APIName != key.api {
				continue
			}
			for i, r := range d.rs.List {
				if i < len(d.slots) && r.HTTPMethod == key.method && r.ResourcePath == key.resource {
					if s := d.slots[i].Load(); s != nil {
						return s
					}
					return sm.resolve(&d.slots[i], key)
				}
			}
		}
	}
	return sm.m.discard
}

// Retire releases what this stage version holds once it is no longer
// served; next is the version that replaced it (nil: the stage is gone).
// Series that next labels the same way pass to it, so that its counters
// run on across recompiles and redeploys; the others are deleted unless
// another stage version holds them (the series of a removed stage or
// route leave /metrics).
func (sm *StageMetrics) Retire(next *StageMetrics) {
	if sm == nil {
		return
	}
	if next == sm || (next != nil && next.m != sm.m) {
		next = nil
	}
	var nextV2 *v2Stage
	if next != nil {
		nextV2 = next.v2
		if next.base.APIID != sm.base.APIID || next.stage != sm.stage {
			sm.m.own.deleteStage(sm.base.APIID, sm.stage)
		}
	} else {
		sm.m.own.deleteStage(sm.base.APIID, sm.stage)
	}
	sm.v2.retire(nextV2)
	sm.mu.Lock()
	sm.retired, sm.next = true, next
	held := []*series{sm.unknown}
	for _, list := range [][]atomic.Pointer[series]{sm.routes, sm.canary} {
		for i := range list {
			if s := list[i].Load(); s != nil {
				held = append(held, s)
			}
		}
	}
	sm.mu.Unlock()
	var slots map[seriesKey][]*atomic.Pointer[series]
	if next != nil {
		slots = next.slots()
	}
	for _, s := range held {
		if !next.adopt(slots[s.key], s) {
			sm.m.release(s)
		}
	}
}

// slots maps each label set of sm's routes to the slots that hold it.
func (sm *StageMetrics) slots() map[seriesKey][]*atomic.Pointer[series] {
	out := make(map[seriesKey][]*atomic.Pointer[series], len(sm.routes)+len(sm.canary))
	for _, d := range []struct {
		rs    Routes
		slots []atomic.Pointer[series]
	}{{sm.base, sm.routes}, {sm.canaryRs, sm.canary}} {
		for i, r := range d.rs.List {
			if i < len(d.slots) {
				k := seriesKey{d.rs.APIName, sm.stage, r.HTTPMethod, r.ResourcePath}
				out[k] = append(out[k], &d.slots[i])
			}
		}
	}
	return out
}

// adopt takes over s, held by the version sm replaced, into the first of
// slots that is still empty; false when none is (or sm is nil or retired).
func (sm *StageMetrics) adopt(slots []*atomic.Pointer[series], s *series) bool {
	if sm == nil || len(slots) == 0 {
		return false
	}
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.retired {
		return false
	}
	for _, slot := range slots {
		if slot.Load() == nil {
			slot.Store(s)
			return true
		}
	}
	return false
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
	switch x.Auth.AuthorizerCache {
	case pipeline.CacheLookupHit:
		sm.auth.hit.Inc()
	case pipeline.CacheLookupMiss:
		sm.auth.miss.Inc()
	}
	if sm.v2 != nil {
		sm.v2.observe(x)
	}
}
