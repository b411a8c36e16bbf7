package observe

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/logs"
)

// AccessLog is a stage's compiled access-log format and its destination.
type AccessLog struct {
	format *pipeline.Template
	sink   *LogSink
}

// NewAccessLog compiles format for sink.
func NewAccessLog(format string, sink *LogSink) *AccessLog {
	return &AccessLog{format: pipeline.ParseTemplate(strings.TrimRight(format, "\r\n")), sink: sink}
}

// NewHTTPAccessLog compiles an HTTP API stage's format for sink, with the
// $context variables of HTTP APIs (pipeline.ParseHTTPContextVar).
func NewHTTPAccessLog(format string, sink *LogSink) *AccessLog {
	return &AccessLog{format: pipeline.ParseHTTPTemplate(strings.TrimRight(format, "\r\n")), sink: sink}
}

// NewWebSocketAccessLog compiles a WebSocket API stage's format for sink,
// with the $context variables of WebSocket APIs
// (pipeline.ParseWebSocketContextVar).
func NewWebSocketAccessLog(format string, sink *LogSink) *AccessLog {
	return &AccessLog{format: pipeline.ParseWebSocketTemplate(strings.TrimRight(format, "\r\n")), sink: sink}
}

// Write logs one finished exchange: the format with its $context values
// ("-" when absent).
func (a *AccessLog) Write(x *pipeline.Exchange) {
	bp := lineBufs.Get().(*[]byte)
	line := a.format.Append((*bp)[:0], x, "-")
	if a.sink.group != "" {
		// A log group: one event per request, at the request's time [U].
		a.sink.groups.Write(logs.Entry{Group: a.sink.group, Stream: a.sink.stream,
			Input: logs.Input{Timestamp: x.Start.UnixMilli(), Message: string(line)}})
	} else {
		line = append(line, '\n')
		a.sink.Write(line)
	}
	*bp = line
	lineBufs.Put(bp)
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// LogSink is a buffered, goroutine-safe line writer, flushed at least every
// flushInterval so that lines appear promptly without a write per request;
// or, for a CloudWatch Logs destination, a log group and stream the
// gateway's logs.Writer takes events for.
type LogSink struct {
	mu     sync.Mutex
	w      *bufio.Writer
	closer io.Closer
	dirty  bool

	group, stream string
	groups        *logs.Writer
}

const flushInterval = 200 * time.Millisecond

// Write appends one line.
func (s *LogSink) Write(line []byte) {
	s.mu.Lock()
	_, _ = s.w.Write(line)
	s.dirty = true
	s.mu.Unlock()
}

func (s *LogSink) flush() {
	if s.w == nil {
		return
	}
	s.mu.Lock()
	if s.dirty {
		_ = s.w.Flush()
		s.dirty = false
	}
	s.mu.Unlock()
}

// LogSinks opens and shares access-log destinations: a CloudWatch Logs
// log group ARN (arn:aws:logs:{region}:{account}:log-group:{name}) goes to
// that group of Tollgate's Logs stand-in when Groups is set; a file path
// to the file; "-", "stdout" and other ARNs (Firehose) to the process's
// stdout.
type LogSinks struct {
	Stdout io.Writer
	// Groups takes events for log group destinations (nil: they go to
	// Stdout, as other ARNs do).
	Groups *logs.Writer

	mu    sync.Mutex
	sinks map[string]*LogSink
	stop  chan struct{}
	once  sync.Once
}

// Open returns the sink for a stage's destinationArn.
func (ls *LogSinks) Open(dest string) (*LogSink, error) {
	key := dest
	group, isGroup := LogGroupOf(dest)
	switch {
	case isGroup && ls.Groups != nil:
		key = "\x00" + group // no file path holds a NUL
	case isStdoutDestination(dest):
		key = "-"
	}
	key = strings.TrimPrefix(key, "file://")
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.once.Do(func() {
		ls.sinks = map[string]*LogSink{}
		ls.stop = make(chan struct{})
		go ls.flusher(ls.stop)
	})
	if s := ls.sinks[key]; s != nil {
		return s, nil
	}
	if isGroup && ls.Groups != nil {
		// Access-log stream names were not observed; one stream per
		// group and gateway process, named like AWS's execution-log
		// streams (32 hex characters) [U].
		s := &LogSink{group: group, stream: ProcessStream(), groups: ls.Groups}
		ls.sinks[key] = s
		return s, nil
	}
	var w io.Writer
	var closer io.Closer
	if key == "-" {
		w = ls.Stdout
		if w == nil {
			w = os.Stdout
		}
	} else {
		// Access logs carry caller addresses, identities and whatever the
		// format names: readable by the gateway's user only (an existing
		// file keeps its mode, e.g. one a log shipper's group may read).
		f, err := os.OpenFile(key, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("access log destination %q: %w", dest, err)
		}
		w, closer = f, f
	}
	s := &LogSink{w: bufio.NewWriterSize(w, 64<<10), closer: closer}
	ls.sinks[key] = s
	return s, nil
}

// LogGroupOf returns the log group a CloudWatch Logs destination ARN
// names ("arn:aws:logs:us-east-1:123456789012:log-group:my-api-logs"; a
// trailing ":*", which AWS refuses [L], is tolerated).
func LogGroupOf(dest string) (string, bool) {
	if !strings.HasPrefix(dest, "arn:") {
		return "", false
	}
	parts := strings.SplitN(dest, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" {
		return "", false
	}
	name := strings.TrimSuffix(parts[6], ":*")
	return name, name != ""
}

// ProcessStream names this process's log streams in the gateway's log
// groups: 32 random hex characters, like AWS's execution-log streams
// [C].
func ProcessStream() string { return processStream }

var processStream = func() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

func isStdoutDestination(dest string) bool {
	return dest == "-" || dest == "stdout" || strings.HasPrefix(dest, "arn:")
}

// flusher flushes every sink periodically until stop is closed (the
// channel is passed in: Close clears ls.stop under the lock).
func (ls *LogSinks) flusher(stop <-chan struct{}) {
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ls.flushAll()
		case <-stop:
			return
		}
	}
}

func (ls *LogSinks) flushAll() {
	ls.mu.Lock()
	sinks := make([]*LogSink, 0, len(ls.sinks))
	for _, s := range ls.sinks {
		sinks = append(sinks, s)
	}
	ls.mu.Unlock()
	for _, s := range sinks {
		s.flush()
	}
}

// Close flushes and closes every sink.
func (ls *LogSinks) Close() error {
	ls.mu.Lock()
	if ls.stop != nil {
		close(ls.stop)
		ls.stop = nil
	}
	sinks := ls.sinks
	ls.sinks = map[string]*LogSink{}
	ls.mu.Unlock()
	for _, s := range sinks {
		if s.w == nil {
			continue // a log group's
		}
		s.flush()
		if s.closer != nil {
			_ = s.closer.Close()
		}
	}
	return nil
}
