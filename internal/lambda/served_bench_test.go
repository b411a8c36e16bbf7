package lambda_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/deploy"
	"github.com/tollgate/tollgate/internal/gateway/engine"
	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/lambda"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/rawconn"
)

// BenchmarkServedAWSProxy serves a REST API whose {proxy+} ANY method is an
// AWS_PROXY integration to a warm local function (the runtime package's
// tiny: an aws-lambda-go program with a fixed 100-byte answer), end to end:
// an HTTP client in this process (its connection with raw calls, as the
// engine's) → the engine over loopback TCP → the REST
// pipeline → the proxy event → the function's pool and Runtime API → the
// function's answer decoded into the HTTP response. tollgate-cpu-µs/op is
// this process's CPU per request (the client's small share included),
// fn-cpu-µs/op the function processes'. Run it pinned to one CPU
// (taskset -c 1) to read it as the bench harness's split.
func BenchmarkServedAWSProxy(b *testing.B) {
	b.Run("serial", func(b *testing.B) { benchServed(b, 1) })
	b.Run("parallel-10", func(b *testing.B) { benchServed(b, 10) })
}

func benchServed(b *testing.B, conns int) {
	dir := b.TempDir()
	exe := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-o", exe, "./runtime/testdata/functions/tiny")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building tiny: %v\n%s", err, out)
	}
	svc := lambda.New(lambda.Config{CodeDir: filepath.Join(dir, "data"), Region: "us-east-1", AccountID: "000000000000",
		Log: slog.New(slog.DiscardHandler)})
	defer svc.Close()
	if err := svc.RegisterLocal("tiny", exe); err != nil {
		b.Fatal(err)
	}
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + svc.ARN("tiny") + "/invocations"
	snap := &model.Snapshot{API: model.RestApi{ID: "px", Name: "px"}, Resources: []model.Resource{
		{ID: "root", Path: "/"},
		{ID: "p", ParentID: "root", PathPart: "{proxy+}", Path: "/{proxy+}", ResourceMethods: map[string]*model.Method{"ANY": {
			HTTPMethod: "ANY", AuthorizationType: "NONE",
			MethodIntegration: &model.Integration{Type: "AWS_PROXY", HTTPMethod: model.Ptr("POST"), URI: model.Ptr(uri), TimeoutInMillis: 29000}}}},
	}}
	format := `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}`
	stage := &model.Stage{StageName: "s", AccessLogSettings: &model.AccessLogSettings{Format: &format, DestinationArn: model.Ptr("-")}}
	logs := &observe.LogSinks{Stdout: discard{}}
	defer logs.Close()
	c := &deploy.Compiler{Lambda: svc, Logs: logs}
	d, err := c.CompileDeployment("d", snap)
	if err != nil {
		b.Fatal(err)
	}
	st, err := c.CompileStage(stage, d, nil)
	if err != nil {
		b.Fatal(err)
	}
	door := &front.Door{}
	door.Set("px", "s", st)
	srv := engine.New(door, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Shutdown(context.Background()) }()

	// The client's connections use raw calls too, so that it does not wake
	// the runtime's monitor thread as a separate load generator would not.
	client := &fasthttp.HostClient{Addr: ln.Addr().String(), MaxConns: conns, Dial: func(addr string) (net.Conn, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		return rawconn.Wrap(c), nil
	}}
	do := func(req *fasthttp.Request, resp *fasthttp.Response) {
		if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 || !bytes.HasPrefix(resp.Body(), []byte("tollgate bench function")) {
			panic(fmt.Sprint(err, resp.StatusCode(), string(resp.Body())))
		}
	}
	newReq := func() *fasthttp.Request {
		req := fasthttp.AcquireRequest()
		req.SetRequestURI("http://px.execute-api.localhost/s/hello")
		req.Header.Set("User-Agent", "bench")
		return req
	}
	// Warm as many instances as there are connections.
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := newReq(), fasthttp.AcquireResponse()
			for range 20 {
				do(req, resp)
			}
		}()
	}
	wg.Wait()
	self0, fn0 := cpuSelf(), cpuChildren()
	b.ResetTimer()
	var next atomic.Int64
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := newReq(), fasthttp.AcquireResponse()
			for next.Add(1) <= int64(b.N) {
				do(req, resp)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	self, fn := cpuSelf()-self0, cpuChildren()-fn0
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "tollgate-cpu-µs/op")
	b.ReportMetric(float64(fn.Microseconds())/float64(b.N), "fn-cpu-µs/op")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// cpuSelf is this process's CPU time (user and system, all threads).
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuChildren is the CPU time of this process's live children (the
// function instances), from /proc (clock ticks of 10 ms).
func cpuChildren() (d time.Duration) {
	self := strconv.Itoa(os.Getpid())
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 || f[1] != self {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		d += time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return d
}
