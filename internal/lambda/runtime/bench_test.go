package runtime

import (
	"context"
	"slices"
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
