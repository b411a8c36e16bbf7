package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/tollgate/tollgate/internal/gateway/engine"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/tracing"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// These benchmarks run the whole data plane in memory — client → engine →
// pipeline → HTTP_PROXY integration → backend — over in-memory listeners,
// so that profiles show Tollgate's own cost without syscalls, and compare
// it with the bare engine proxying the same way (the floor).

var body = []byte(strings.Repeat("x", 100))

func backend(b *testing.B) *fasthttputil.InmemoryListener {
	ln := fasthttputil.NewInmemoryListener()
	go func() {
		_ = fasthttp.Serve(ln, func(ctx *fasthttp.RequestCtx) { ctx.SetBody(body) })
	}()
	b.Cleanup(func() { ln.Close() })
	return ln
}

func drive(b *testing.B, ln *fasthttputil.InmemoryListener, host string) {
	c := &fasthttp.HostClient{Addr: "gateway", Dial: func(string) (net.Conn, error) { return ln.Dial() }, MaxConns: 64}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op") }()
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://" + host + "/s/hello")
		req.Header.Set("User-Agent", "bench")
		for pb.Next() {
			if err := c.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				panic(fmt.Sprint(err, resp.StatusCode(), string(resp.Body())))
			}
		}
	})
}

// cpuTime is the process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkFloor(b *testing.B) {
	be := backend(b)
	client := &fasthttp.HostClient{Addr: "backend", Dial: func(string) (net.Conn, error) { return be.Dial() }, MaxConns: 4096}
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		ctx.Request.SetHost("backend")
		if err := client.DoDeadline(&ctx.Request, &ctx.Response, time.Now().Add(29*time.Second)); err != nil {
			ctx.Error(err.Error(), 502)
		}
	}, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	defer ln.Close()
	drive(b, ln, "x")
}

func BenchmarkTollgateProxy(b *testing.B) { benchTollgate(b, false, -1) }

// BenchmarkTollgateHTTPAPI is BenchmarkTollgateProxy for an HTTP API, as
// the harness's tollgate-httpapi target: a $default route to HTTP_PROXY
// http://backend (the request path appended) on stage s, with the same
// access log fields ($context.routeKey for resourcePath).
func BenchmarkTollgateHTTPAPI(b *testing.B) {
	be := backend(b)
	logs := &observe.LogSinks{Stdout: discard{}}
	b.Cleanup(func() { logs.Close() })
	env := &httpapi.Env{Region: "us-east-1", AccountID: "000000000000", Logs: logs,
		Clients: upstream.NewClientsWithDial(func(string) (net.Conn, error) { return be.Dial() })}
	snap := &modelv2.Snapshot{
		API: modelv2.Api{ApiID: "hx", Name: "hx", ProtocolType: modelv2.ProtocolHTTP, RouteSelectionExpression: modelv2.HTTPRouteSelection},
		Integrations: []modelv2.Integration{{IntegrationID: "i", IntegrationType: modelv2.IntegrationHTTPProxy,
			IntegrationURI: model.Ptr("http://backend"), IntegrationMethod: model.Ptr("ANY"), ConnectionType: modelv2.ConnectionInternet,
			PayloadFormatVersion: "1.0", TimeoutInMillis: modelv2.DefaultTimeoutHTTP}},
		Routes: []modelv2.Route{{RouteID: "r", RouteKey: "$default", AuthorizationType: modelv2.AuthNone, Target: model.Ptr(modelv2.TargetPrefix + "i")}},
	}
	d, err := httpapi.Compile(env, "d", snap)
	if err != nil {
		b.Fatal(err)
	}
	format := `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}`
	st, err := httpapi.NewStage(env, &modelv2.Stage{StageName: "s",
		AccessLogSettings: &modelv2.AccessLogSettings{Format: &format, DestinationArn: model.Ptr("-")}}, d, "hx")
	if err != nil {
		b.Fatal(err)
	}
	door := &front.Door{}
	door.Set("hx", "s", st)
	srv := engine.New(door, slog.New(slog.DiscardHandler))
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()
	drive(b, ln, "hx.execute-api.localhost")
}

// BenchmarkTollgateCacheHit is BenchmarkTollgateProxy with the stage cache
// on and "*/*" caching: every request after the first is a hit.
func BenchmarkTollgateCacheHit(b *testing.B) { benchTollgate(b, true, -1) }

// BenchmarkTollgateProxyTraced is BenchmarkTollgateProxy on a stage with
// tracingEnabled, its spans exported over OTLP/HTTP to an in-process
// collector that discards them, at sampling ratios 1 and 0.05, beside the
// same stage untraced ("off"), so that the cost of tracing reads as a
// ratio of one run. cpu-ns/op is the process's CPU time per request
// (client, gateway, backend and collector).
func BenchmarkTollgateProxyTraced(b *testing.B) {
	b.Run("off", func(b *testing.B) { benchTollgate(b, false, -1) })
	b.Run("1", func(b *testing.B) { benchTollgate(b, false, 1) })
	b.Run("0.05", func(b *testing.B) { benchTollgate(b, false, 0.05) })
}

// benchTollgate runs the proxy benchmark; ratio < 0: the stage does not
// trace.
func benchTollgate(b *testing.B, cached bool, ratio float64) {
	be := backend(b)
	verb := "ANY"
	if cached {
		verb = "GET"
	}
	snap := &model.Snapshot{API: model.RestApi{ID: "px", Name: "px"}, Resources: []model.Resource{
		{ID: "root", Path: "/"},
		{ID: "p", ParentID: "root", PathPart: "{proxy+}", Path: "/{proxy+}", ResourceMethods: map[string]*model.Method{verb: {
			HTTPMethod: verb, AuthorizationType: "NONE", RequestParameters: map[string]bool{"method.request.path.proxy": true},
			MethodIntegration: &model.Integration{Type: "HTTP_PROXY", HTTPMethod: model.Ptr("ANY"), URI: model.Ptr("http://backend/{proxy}"),
				RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}, TimeoutInMillis: 29000,
				CacheKeyParameters: []string{"method.request.path.proxy"}}}}},
	}}
	format := `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}`
	stage := &model.Stage{StageName: "s", AccessLogSettings: &model.AccessLogSettings{Format: &format, DestinationArn: model.Ptr("-")}}
	if cached {
		ms := model.DefaultMethodSetting()
		ms.CachingEnabled = true
		stage.CacheClusterEnabled = true
		stage.MethodSettings = map[string]*model.MethodSetting{"*/*": &ms}
	}
	var tr *tracing.Tracer
	if ratio >= 0 {
		// The collector: a fasthttp server that discards the spans. It
		// runs in this process, so its CPU (a small part) is counted.
		sink, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = fasthttp.Serve(sink, func(*fasthttp.RequestCtx) {}) }()
		defer sink.Close()
		// A queue large enough that no span is dropped: their export
		// is counted.
		b.Setenv("OTEL_BSP_MAX_QUEUE_SIZE", "4000000")
		tr, err = tracing.New(context.Background(), tracing.Config{Endpoint: "http://" + sink.Addr().String(), Ratio: ratio, Region: "us-east-1", AccountID: "000000000000"})
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := tr.Shutdown(context.Background()); err != nil {
				b.Error(err)
			}
			if d := tr.Dropped(); d > 0 {
				b.Errorf("%d spans dropped", d)
			}
		}()
		stage.TracingEnabled = true
	}
	h := newTracedHandler(b, snap, stage, func(string) (net.Conn, error) { return be.Dial() }, tr)
	srv := engine.New(h, slog.New(slog.DiscardHandler))
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()
	drive(b, ln, "px.execute-api.localhost")
}
