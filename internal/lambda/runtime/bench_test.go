package runtime

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkInvokeWarm measures a warm invocation of echo, from Invoke to its
// answer: two Runtime API exchanges over loopback plus the function's own
// (negligible) work, so its p50 bounds the latency the runtime adds.
func BenchmarkInvokeWarm(b *testing.B) {
	p := NewPool(fnConfig(b, "echo"), nil)
	defer p.Close()
	ctx := context.Background()
	payload := []byte(`{"hello":"world"}`)
	if res, err := p.Invoke(ctx, payload, Invocation{}); err != nil || res.FunctionError != "" {
		b.Fatalf("warm-up: %v %s", err, res.Payload)
	}
	lat := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		start := time.Now()
		res, err := p.Invoke(ctx, payload, Invocation{})
		if err != nil || res.FunctionError != "" {
			b.Fatalf("%v %s", err, res.Payload)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

// BenchmarkInvokeWarmCPU measures the CPU a warm invocation of tiny (a
// fixed 100-byte answer) costs: Tollgate's own (this process: the caller,
// the pool and the Runtime API server) and the function's, per invocation,
// one invocation at a time. Tollgate's share is what the Runtime API
// exchange costs on top of a plain HTTP hop.
func BenchmarkInvokeWarmCPU(b *testing.B) {
	b.Run("serial", func(b *testing.B) { benchInvokeCPU(b, 1) })
	// Ten callers on ten instances, as under load (the bench harness's
	// 64 connections meet the default concurrency of 10).
	b.Run("parallel-10", func(b *testing.B) { benchInvokeCPU(b, 10) })
}

func benchInvokeCPU(b *testing.B, callers int) {
	p := NewPool(fnConfig(b, "tiny"), nil)
	defer p.Close()
	ctx := context.Background()
	payload := []byte(`{"resource":"/{proxy+}","path":"/hello","httpMethod":"GET","headers":{"Host":"api.example.com"},"body":null}`)
	// Warm as many instances as there are callers.
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if res, err := p.Invoke(ctx, []byte(`{"sleepMs":1}`), Invocation{}); err != nil || res.FunctionError != "" {
				b.Errorf("warm-up: %v %s", err, res.Payload)
			}
		}()
	}
	wg.Wait()
	p.mu.Lock()
	var pids []int
	for in := range p.all {
		pids = append(pids, in.pid)
	}
	p.mu.Unlock()
	fnCPU := func() (d time.Duration) {
		for _, pid := range pids {
			d += procCPU(pid)
		}
		return d
	}
	self0, fn0 := selfCPU(), fnCPU()
	b.ResetTimer()
	var next atomic.Int64
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				res, err := p.Invoke(ctx, payload, Invocation{})
				if err != nil || res.FunctionError != "" {
					b.Errorf("%v %s", err, res.Payload)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	self, fn := selfCPU()-self0, fnCPU()-fn0
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "tollgate-cpu-µs/op")
	b.ReportMetric(float64(fn.Microseconds())/float64(b.N), "fn-cpu-µs/op")
}

// selfCPU is this process's CPU time (user and system, all threads).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is a process's CPU time from /proc/PID/stat (utime + stime, in
// clock ticks of 10 ms).
func procCPU(pid int) time.Duration {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// BenchmarkColdStart measures an invocation that starts a new instance of
// echo (a Go program built with aws-lambda-go): process start, the Go
// runtime's and aws-lambda-go's initialisation, the first /next, and the
// invocation itself. The previous instance is stopped outside the timer.
func BenchmarkColdStart(b *testing.B) {
	cfg := fnConfig(b, "echo")
	ctx := context.Background()
	var lat, init []time.Duration
	for range b.N {
		b.StopTimer()
		p := NewPool(cfg, nil)
		b.StartTimer()
		start := time.Now()
		res, err := p.Invoke(ctx, []byte(`{}`), Invocation{})
		if err != nil || res.FunctionError != "" || res.InitDuration == 0 {
			b.Fatalf("%v %s (init %v)", err, res.Payload, res.InitDuration)
		}
		lat = append(lat, time.Since(start))
		init = append(init, res.InitDuration)
		b.StopTimer()
		p.Close()
		b.StartTimer()
	}
	reportPercentiles(b, lat)
	slices.Sort(init)
	b.ReportMetric(float64(init[len(init)/2].Microseconds())/1000, "init-p50-ms")
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
