package observe

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// HTTP and WebSocket APIs publish CloudWatch metrics of their own names
// in AWS/ApiGateway, with the dimensions ApiId, Stage and (detailed
// metrics) Route [D: http-api-metrics, apigateway-websocket-api-logging].
// Those whose names no REST metric has are exported under AWS's name with
// those labels; Count, Latency and IntegrationLatency, which REST shares,
// stay in the families above (labels api = the API's name, stage, method
// and resource = the route's) [U: one Prometheus family cannot carry two
// label sets]. Series are per route, as with detailed metrics on.
var v2Labels = []string{"ApiId", "Stage", "Route"}

// v2Families are the metric families of HTTP and WebSocket APIs.
type v2Families struct {
	err4, err5, data *prometheus.CounterVec // HTTP APIs
	// WebSocket APIs.
	connect, message, integrationErr, clientErr, executionErr *prometheus.CounterVec
}

func newV2Families(reg prometheus.Registerer) v2Families {
	c := func(name, help string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apigateway_" + name, Help: help}, v2Labels)
		reg.MustRegister(v)
		return v
	}
	return v2Families{
		err4: c("4xx", "HTTP APIs: client-side errors (AWS/ApiGateway 4xx)."),
		err5: c("5xx", "HTTP APIs: server-side errors (AWS/ApiGateway 5xx)."),
		data: c("DataProcessed", "HTTP APIs: bytes processed, request and response bodies (AWS/ApiGateway DataProcessed)."),
		connect: c("ConnectCount",
			"WebSocket APIs: messages sent to the $connect route integration (AWS/ApiGateway ConnectCount)."),
		message: c("MessageCount", "WebSocket APIs: messages sent to or from clients (AWS/ApiGateway MessageCount)."),
		integrationErr: c("IntegrationError",
			"WebSocket APIs: requests the integration answered 4XX or 5XX (AWS/ApiGateway IntegrationError)."),
		clientErr: c("ClientError",
			"WebSocket APIs: requests answered 4XX before the integration was called (AWS/ApiGateway ClientError)."),
		executionErr: c("ExecutionError",
			"WebSocket APIs: errors calling the integration (AWS/ApiGateway ExecutionError)."),
	}
}

// v2Stage holds an HTTP API stage's series under AWS's v2 names, resolved
// per route on first use.
type v2Stage struct {
	f            *v2Families
	apiID, stage string
	routes       []*pipeline.RouteInfo
	slots        []atomic.Pointer[v2Series]
	unknown      *v2Series
}

type v2Series struct{ err4, err5, data prometheus.Counter }

func (f *v2Families) series(apiID, stage, route string) *v2Series {
	return &v2Series{err4: f.err4.WithLabelValues(apiID, stage, route), err5: f.err5.WithLabelValues(apiID, stage, route),
		data: f.data.WithLabelValues(apiID, stage, route)}
}

func (f *v2Families) forStage(apiID, stage string, routes []*pipeline.RouteInfo) *v2Stage {
	return &v2Stage{f: f, apiID: apiID, stage: stage, routes: routes, slots: make([]atomic.Pointer[v2Series], len(routes)),
		unknown: f.series(apiID, stage, "-")}
}

// observe counts x under AWS's HTTP API names.
func (v *v2Stage) observe(x *pipeline.Exchange) {
	s := v.unknown
	if r := x.Route; r != nil && r.Index < len(v.slots) && v.routes[r.Index] == r {
		if s = v.slots[r.Index].Load(); s == nil {
			s = v.f.series(v.apiID, v.stage, r.RouteKey)
			v.slots[r.Index].Store(s)
		}
	}
	switch {
	case x.Status >= 500:
		s.err5.Inc()
	case x.Status >= 400:
		s.err4.Inc()
	}
	n := max(x.Req.ContentLength(), 0)
	if x.ResponseLength > 0 {
		n += int64(x.ResponseLength)
	}
	if n > 0 {
		s.data.Add(float64(n))
	}
}

// retire deletes the series next (the version replacing v; nil: none)
// does not label the same way: all of them when the stage is gone.
func (v *v2Stage) retire(next *v2Stage) {
	if v == nil {
		return
	}
	keep := map[string]bool{}
	if next != nil && next.apiID == v.apiID && next.stage == v.stage {
		keep["-"] = true
		for _, r := range next.routes {
			keep[r.RouteKey] = true
		}
	}
	del := func(route string) {
		for _, f := range []*prometheus.CounterVec{v.f.err4, v.f.err5, v.f.data} {
			f.DeleteLabelValues(v.apiID, v.stage, route)
		}
	}
	if !keep["-"] {
		del("-")
	}
	for _, r := range v.routes {
		if !keep[r.RouteKey] {
			del(r.RouteKey)
		}
	}
}

// ownFamilies are Tollgate's own per-stage metrics.
type ownFamilies struct {
	authCache *prometheus.CounterVec
}

func newOwnFamilies(reg prometheus.Registerer) ownFamilies {
	o := ownFamilies{authCache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tollgate_authorizer_cache_total",
		Help: "Lambda authorizer result cache lookups by stage and result (hit: the authorizer was not called)."},
		[]string{"api_id", "stage", "result"})}
	reg.MustRegister(o.authCache)
	return o
}

type authCounters struct{ hit, miss prometheus.Counter }

func (o *ownFamilies) authCounters(apiID, stage string) authCounters {
	return authCounters{hit: o.authCache.WithLabelValues(apiID, stage, "hit"), miss: o.authCache.WithLabelValues(apiID, stage, "miss")}
}

func (o *ownFamilies) deleteStage(apiID, stage string) {
	o.authCache.DeleteLabelValues(apiID, stage, "hit")
	o.authCache.DeleteLabelValues(apiID, stage, "miss")
}

// WebSocketStage records a WebSocket API stage's metrics under AWS's
// names (ConnectCount, MessageCount, IntegrationError, ClientError,
// ExecutionError; labels ApiId, Stage, Route) and its integration latency
// in apigateway_IntegrationLatency (api = the API's name, method "-",
// resource = the route key). The WebSocket data plane calls it as
// connections and messages pass; a nil *WebSocketStage records nothing.
type WebSocketStage struct {
	m                     *Metrics
	apiID, apiName, stage string
}

// WebSocketStage returns the recorder of a WebSocket API stage (nil when
// m is nil). Once the stage is no longer served, Retire it.
func (m *Metrics) WebSocketStage(apiID, apiName, stage string) *WebSocketStage {
	if m == nil {
		return nil
	}
	return &WebSocketStage{m: m, apiID: apiID, apiName: apiName, stage: stage}
}

func (w *WebSocketStage) inc(v *prometheus.CounterVec, route string) {
	if w != nil {
		v.WithLabelValues(w.apiID, w.stage, route).Inc()
	}
}

// Connect counts a message sent to the $connect route's integration.
func (w *WebSocketStage) Connect(route string) {
	if w != nil {
		w.inc(w.m.v2.connect, route)
	}
}

// Message counts a message sent to or from a client on route.
func (w *WebSocketStage) Message(route string) {
	if w != nil {
		w.inc(w.m.v2.message, route)
	}
}

// IntegrationError counts an integration answer of 4XX or 5XX.
func (w *WebSocketStage) IntegrationError(route string) {
	if w != nil {
		w.inc(w.m.v2.integrationErr, route)
	}
}

// ClientError counts a 4XX the gateway answered before calling the
// integration.
func (w *WebSocketStage) ClientError(route string) {
	if w != nil {
		w.inc(w.m.v2.clientErr, route)
	}
}

// ExecutionError counts an error calling the integration.
func (w *WebSocketStage) ExecutionError(route string) {
	if w != nil {
		w.inc(w.m.v2.executionErr, route)
	}
}

// IntegrationLatency records how long the integration of route took (AWS
// reports none for callbacks and MOCK integrations).
func (w *WebSocketStage) IntegrationLatency(route string, d time.Duration) {
	if w != nil {
		w.m.integration.WithLabelValues(w.apiName, w.stage, "-", route).Observe(float64(d.Microseconds()) / 1000)
	}
}

// Retire deletes the stage's series (the stage is no longer served).
func (w *WebSocketStage) Retire() {
	if w == nil {
		return
	}
	l := prometheus.Labels{"ApiId": w.apiID, "Stage": w.stage}
	for _, v := range []*prometheus.CounterVec{w.m.v2.connect, w.m.v2.message, w.m.v2.integrationErr, w.m.v2.clientErr, w.m.v2.executionErr} {
		v.DeletePartialMatch(l)
	}
	w.m.integration.DeletePartialMatch(prometheus.Labels{"api": w.apiName, "stage": w.stage, "method": "-"})
}
