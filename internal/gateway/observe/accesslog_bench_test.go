package observe

import (
	"io"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/logs"
)

// BenchmarkAccessLogStdout is the per-request cost of a JSON access-log
// line to a stdout/file sink (the common case; log groups untouched).
func BenchmarkAccessLogStdout(b *testing.B) {
	sinks := &LogSinks{Stdout: io.Discard}
	defer sinks.Close()
	s, _ := sinks.Open("-")
	al := NewAccessLog(`{"requestId":"$context.requestId","status":"$context.status","time":"$context.requestTimeEpoch","length":"$context.responseLength"}`, s)
	x := &pipeline.Exchange{Start: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		al.Write(x)
	}
}

// BenchmarkAccessLogGroup is the same line to a log group: rendered, then
// queued for the logs writer (the store work happens off the request).
func BenchmarkAccessLogGroup(b *testing.B) {
	store, err := logs.Open(logs.Config{MaxBytes: 8 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	w := logs.NewWriter(store)
	defer w.Close()
	sinks := &LogSinks{Groups: w}
	s, _ := sinks.Open("arn:aws:logs:us-east-1:000000000000:log-group:bench")
	al := NewAccessLog(`{"requestId":"$context.requestId","status":"$context.status","time":"$context.requestTimeEpoch","length":"$context.responseLength"}`, s)
	x := &pipeline.Exchange{Start: time.Now()}
	b.ReportAllocs()
	for b.Loop() {
		al.Write(x)
	}
	b.ReportMetric(float64(w.Dropped())/float64(b.N), "dropped/op")
}
