package managed_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// benchFns are minimal Node.js and Python functions.
var benchFns = []struct {
	lang, runtime, handler string
	files                  map[string]string
}{
	{"node", "nodejs20.x", "index.handler", map[string]string{"index.mjs": "export const handler = async (event) => event;\n"}},
	{"python", "python3.11", "app.handler", map[string]string{"app.py": "def handler(event, context):\n    return event\n"}},
}

// BenchmarkWarm measures a warm invocation per language, from Invoke to the
// answer: the Runtime API exchanges, the runtime client's own work and the
// (trivial) handler.
func BenchmarkWarm(b *testing.B) {
	for _, f := range benchFns {
		b.Run(f.lang, func(b *testing.B) {
			fn := newFn(b, f.runtime, f.handler, f.files)
			payload := []byte(`{"hello":"world"}`)
			ctx := context.Background()
			if res, err := fn.pool.Invoke(ctx, payload, runtime.Invocation{}); err != nil || res.FunctionError != "" {
				b.Fatalf("warm-up: %v %s", err, res.Payload)
			}
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := fn.pool.Invoke(ctx, payload, runtime.Invocation{})
				if err != nil || res.FunctionError != "" {
					b.Fatalf("%v %s", err, res.Payload)
				}
				lat = append(lat, time.Since(start))
			}
			percentiles(b, lat)
		})
	}
}

// BenchmarkColdStart measures an invocation that starts the interpreter
// and the runtime client and loads the handler (a new pool each time).
func BenchmarkColdStart(b *testing.B) {
	for _, f := range benchFns {
		b.Run(f.lang, func(b *testing.B) {
			fn := newFn(b, f.runtime, f.handler, f.files)
			var lat, init []time.Duration
			for b.Loop() {
				fn.pool.Update(fn.cfg) // the next invocation starts a new process
				start := time.Now()
				res, err := fn.pool.Invoke(context.Background(), []byte(`{}`), runtime.Invocation{})
				if err != nil || res.FunctionError != "" || res.InitDuration == 0 {
					b.Fatalf("%v %s (init %v)", err, res.Payload, res.InitDuration)
				}
				lat = append(lat, time.Since(start))
				init = append(init, res.InitDuration)
			}
			percentiles(b, lat)
			slices.Sort(init)
			b.ReportMetric(float64(init[len(init)/2].Microseconds())/1000, "init-p50-ms")
		})
	}
}

func percentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
