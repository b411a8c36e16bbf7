package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
)

// otlpSink stands in for an OpenTelemetry collector: it takes OTLP/HTTP
// exports and discards them, counting requests and bytes. It runs in the
// harness process, so its CPU is not charged to the target.
type otlpSink struct {
	url             string
	requests, bytes atomic.Int64
}

func startOTLPSink() (*otlpSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &otlpSink{url: "http://" + ln.Addr().String()}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := io.Copy(io.Discard, r.Body)
			s.requests.Add(1)
			s.bytes.Add(n)
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
	}()
	return s, nil
}

// summary describes what the sink received.
func (s *otlpSink) summary() string {
	return fmt.Sprintf("OTLP sink: %d exports, %d bytes of spans", s.requests.Load(), s.bytes.Load())
}
