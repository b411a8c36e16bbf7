package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// maxLogLine bounds one log record; longer lines are split into pieces of
// this size so that a function cannot make Tollgate buffer without limit.
const maxLogLine = 64 << 10

// logSink writes a function instance's output to the logger, one record per
// line, with the function name and the request id of the invocation the
// instance is serving: output written after the runtime fetched an
// invocation and before it fetched the next carries that invocation's id.
type logSink struct {
	log       *slog.Logger
	requestID atomic.Pointer[string]
	tail      atomic.Pointer[logTail] // the current invocation's, if it asked
	cloud     *cloud                  // nil unless Config.Logs is set
}

func (s *logSink) setRequestID(id string) { s.requestID.Store(&id) }

// setInvocation makes later output belong to inv.
func (s *logSink) setInvocation(inv *invocation) {
	s.setRequestID(inv.id)
	s.tail.Store(inv.tail)
}

func (s *logSink) emit(stream string, line []byte) {
	id := ""
	if p := s.requestID.Load(); p != nil {
		id = *p
	}
	s.log.LogAttrs(context.Background(), slog.LevelInfo, string(line),
		slog.String("stream", stream), slog.String("requestId", id))
	s.cloud.log(string(line))
	if t := s.tail.Load(); t != nil {
		t.add(line)
	}
}

// streamReader turns one of the process's output pipes into log records.
// Only whole lines are logged (or pieces of maxLogLine), so output from
// stdout and stderr never interleaves within a record.
type streamReader struct {
	f    *os.File
	rc   syscall.RawConn // f's, for pipesReadable
	name string          // "stdout" or "stderr"
	sink *logSink
	busy atomic.Bool // bytes taken from the pipe but not yet logged
	done chan struct{}
}

func newStreamReader(f *os.File, name string, sink *logSink) *streamReader {
	rc, _ := f.SyscallConn() // nil for a file that is not pollable: pipesReadable then skips it
	return &streamReader{f: f, rc: rc, name: name, sink: sink, done: make(chan struct{})}
}

// run reads until end of file (every writer gone) or a read deadline.
func (r *streamReader) run() {
	defer close(r.done)
	defer r.f.Close()
	chunk := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := r.read(chunk)
		if n > 0 {
			pending = r.emitLines(append(pending, chunk[:n]...))
		}
		r.busy.Store(false)
		if err != nil || n == 0 {
			if len(pending) > 0 {
				r.sink.emit(r.name, pending)
			}
			return
		}
	}
}

// read reads from the pipe with busy set before any byte leaves it, so that
// drained never sees an empty pipe while bytes are on their way to the log.
func (r *streamReader) read(chunk []byte) (int, error) {
	if r.rc == nil {
		r.busy.Store(true)
		return r.f.Read(chunk)
	}
	var n int
	var rerr error
	err := r.rc.Read(func(fd uintptr) bool {
		r.busy.Store(true)
		n, rerr = syscall.Read(int(fd), chunk)
		if rerr == syscall.EAGAIN {
			r.busy.Store(false)
			return false
		}
		if rerr == syscall.EINTR {
			n, rerr = 0, nil
			r.busy.Store(false)
			return false
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	if n < 0 {
		n = 0
	}
	return n, rerr
}

// emitLines logs every complete line in buf and returns the unfinished rest,
// moved to the front of buf.
func (r *streamReader) emitLines(buf []byte) []byte {
	rest := buf
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSuffix(rest[:i], []byte{'\r'})
		for len(line) > maxLogLine {
			r.sink.emit(r.name, line[:maxLogLine])
			line = line[maxLogLine:]
		}
		if len(line) > 0 {
			r.sink.emit(r.name, line)
		}
		rest = rest[i+1:]
	}
	for len(rest) >= maxLogLine {
		r.sink.emit(r.name, rest[:maxLogLine])
		rest = rest[maxLogLine:]
	}
	return append(buf[:0], rest...)
}

// drainLogs waits briefly until the readers have logged what the process has
// written so far. It runs when the runtime answers an invocation (so that the
// output is in the log when Invoke returns) and when it fetches the next (so
// that earlier output keeps the earlier request id).
func drainLogs(readers ...*streamReader) {
	var deadline time.Time // taken only when there is something to wait for
	for !drained(readers) {
		now := time.Now()
		if deadline.IsZero() {
			deadline = now.Add(50 * time.Millisecond)
		} else if now.After(deadline) {
			return
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// drained reports whether everything written to the readers' pipes so far
// has been logged.
func drained(readers []*streamReader) bool {
	var buf [2]syscall.RawConn
	rcs := buf[:0]
	for _, r := range readers {
		if !r.isDone() {
			rcs = append(rcs, r.rc)
		}
	}
	// The pipes first: a reader sets busy before it takes bytes out, so
	// empty pipes and then no reader busy mean nothing is on its way.
	if len(rcs) == 0 || pipesReadable(rcs) {
		return len(rcs) == 0
	}
	for _, r := range readers {
		if r.busy.Load() && !r.isDone() {
			return false
		}
	}
	return true
}

func (r *streamReader) isDone() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}
