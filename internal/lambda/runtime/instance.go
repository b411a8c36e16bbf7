package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/rawconn"
)

// instance is one execution environment: a function process and the
// Runtime API listener that only it uses. At most one invocation runs on it
// at a time; the pool guarantees that.
type instance struct {
	cfg     Config
	gen     uint64 // the pool's configuration generation it was started with
	log     *slog.Logger
	arn     string
	pid     int
	started time.Time

	proc    *process
	srv     *fasthttp.Server
	sink    logSink
	readers [2]*streamReader
	wg      sync.WaitGroup // server, waiter and log readers

	next chan *invocation // to the /next handler

	ready        chan struct{} // closed at the first /next
	readyOnce    sync.Once
	initDuration time.Duration // set before ready is closed

	initFailed chan struct{} // closed when the runtime posts /init/error
	initOnce   sync.Once
	initErr    []byte // set before initFailed is closed

	exited     chan struct{} // closed when the process has exited
	exitStatus string        // set before exited is closed

	stopping chan struct{} // closed when the instance is being stopped
	stopOnce sync.Once

	mu      sync.Mutex
	current *invocation // being delivered, or delivered and not yet answered

	// Owned by whoever holds the instance (see Pool):
	delivered bool        // an invocation has been delivered: the instance is warm
	timer     *time.Timer // the invocation's deadline, reused
	lastUsed  time.Time   // when it last went idle (guarded by Pool.mu)

	mem peakMemory // the process's peak memory, for REPORT lines
}

// verdict tells the pool what to do with an instance after an invocation.
type verdict int

const (
	keep    verdict = iota // healthy: reuse it
	discard                // stop it
	retry                  // a warm instance that died while idle: stop it, run the invocation on a new one
)

// errStopped is returned by invoke when the instance is stopped under it
// (the pool is closing).
var errStopped = errors.New("instance stopped")

// startInstance starts a process for cfg with its own Runtime API listener.
// onExit is called once the process has exited; it must not wait for stop.
func startInstance(cfg Config, gen uint64, log *slog.Logger, onExit func(*instance)) (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	in := &instance{
		cfg:        cfg,
		gen:        gen,
		arn:        cfg.FunctionARN(),
		next:       make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		stopping:   make(chan struct{}),
	}
	in.srv = newRuntimeServer(in, log)
	stream := logStreamName(cfg.Version)
	in.started = time.Now()
	proc, err := startProcess(cfg, cfg.environ(ln.Addr().String(), stream))
	if err != nil {
		ln.Close()
		return nil, err
	}
	in.proc, in.pid = proc, proc.pid
	in.log = log.With("pid", proc.pid)
	in.sink.log = in.log
	if cfg.Logs != nil {
		in.sink.cloud = &cloud{logs: cfg.Logs, group: LogGroup(cfg.Name), stream: stream, version: cfg.Version}
	}
	in.readers = [2]*streamReader{
		newStreamReader(proc.stdout, "stdout", &in.sink),
		newStreamReader(proc.stderr, "stderr", &in.sink),
	}
	in.wg.Add(4)
	go func() {
		defer in.wg.Done()
		_ = in.srv.Serve(rawconn.Listener(ln)) // returns when stop closes the server
	}()
	for _, r := range in.readers {
		go func() {
			defer in.wg.Done()
			r.run()
		}()
	}
	go func() {
		defer in.wg.Done()
		in.exitStatus = proc.wait()
		close(in.exited)
		onExit(in)
	}()
	in.log.Debug("instance started", "logStream", stream)
	return in, nil
}

// logStreamName returns a name like Lambda's: 2024/01/15/[$LATEST]<32 hex>.
func logStreamName(version string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
}

// invoke runs inv on the instance. The caller holds the instance exclusively.
// Its error is errStopped or the context's error; the Result carries every
// failure of the function itself.
func (in *instance) invoke(ctx context.Context, inv *invocation) (Result, verdict, error) {
	var res Result
	cold := !in.delivered
	if cold {
		// Initialisation: wait until the runtime asks for its first
		// invocation, within the init limit (or the function's timeout
		// when it is longer).
		t := time.NewTimer(max(in.cfg.InitTimeout, in.cfg.Timeout))
		defer t.Stop()
		select {
		case <-in.ready:
		case <-in.initFailed:
			return in.initFailure(in.initErr), discard, nil
		case <-in.exited:
			in.log.Warn("runtime exited during initialisation", "requestId", inv.id, "status", in.exitStatus)
			return in.initFailure(exitError(inv.id, in.exitStatus)), discard, nil
		case <-t.C:
			in.kill()
			in.log.Warn("runtime did not ask for an invocation within the timeout; instance killed", "requestId", inv.id)
			return in.initFailure(timeoutError(inv.id, in.cfg.Timeout)), discard, nil
		case <-ctx.Done():
			return res, keep, ctx.Err()
		case <-in.stopping:
			return res, discard, errStopped
		}
		res.InitDuration = in.initDuration
	}

	// Delivery: hand the invocation to the runtime's pending /next. A warm
	// instance already known dead (its /next handler may not have noticed)
	// must not take it.
	if !cold && in.hasExited() {
		return res, retry, nil
	}
	start := time.Now()
	budget := in.cfg.Timeout
	if !inv.maxDeadline.IsZero() && inv.maxDeadline.Sub(start) < budget {
		budget = max(inv.maxDeadline.Sub(start), 0)
	}
	inv.deadline = start.Add(budget)
	// One timer per instance, reset for each invocation: it holds the
	// instance exclusively, and a stopped timer's channel is empty.
	if in.timer == nil {
		in.timer = time.NewTimer(budget)
	} else {
		in.timer.Reset(budget)
	}
	timer := in.timer
	defer timer.Stop()
	// inv is current from now on, so that whatever ends it later can take
	// it, even before the /next handler has written it out.
	in.mu.Lock()
	in.current = inv
	in.mu.Unlock()
	// A warm runtime is usually waiting in /next already: it is handed
	// the invocation without the six-way select (which locks every
	// channel in it).
	select {
	case in.next <- inv:
		in.delivered = true
	default:
		if res, v, ended, err := in.deliver(ctx, inv, cold, timer, budget); ended {
			return res, v, err
		}
	}

	// The answer, or the end of the process, the timeout or the caller.
	var rep reply
	select {
	case rep = <-inv.done:
	case <-in.exited:
		if in.takeWaiting(inv) {
			in.log.Warn("runtime exited during an invocation", "requestId", inv.id, "status", in.exitStatus)
			return in.failure(exitError(inv.id, in.exitStatus), time.Since(start)), discard, nil
		}
		rep = <-inv.done // answered just before it exited
	case <-timer.C:
		if in.takeWaiting(inv) {
			return in.timedOut(inv, budget), discard, nil
		}
		rep = <-inv.done
	case <-ctx.Done():
		if in.takeWaiting(inv) {
			in.kill()
			return res, discard, ctx.Err()
		}
		rep = <-inv.done
	case <-in.stopping:
		if in.takeWaiting(inv) {
			return res, discard, errStopped
		}
		rep = <-inv.done
	}
	if s := rep.stream; s != nil {
		// The answer is streamed: the invocation goes on, within its
		// timeout, while the caller reads it.
		s.start = start
		remaining := time.Until(inv.deadline)
		s.timer = time.AfterFunc(remaining, func() { s.timedOut(budget) })
		res.Stream, res.ContentType = s, s.contentType
		return res, keep, nil
	}
	res.Payload, res.Duration = rep.payload, time.Since(start)
	if rep.failed {
		res.FunctionError = FunctionErrorUnhandled
	}
	return res, keep, nil
}

// deliver waits until the runtime asks for inv (its /next), or for
// whatever ends the invocation first: ended reports the latter, with
// invoke's results.
func (in *instance) deliver(ctx context.Context, inv *invocation, cold bool, timer *time.Timer, budget time.Duration) (res Result, v verdict, ended bool, err error) {
	select {
	case in.next <- inv:
		in.delivered = true
		return res, keep, false, nil
	case <-in.exited:
		in.take(inv)
		if !cold {
			return res, retry, true, nil
		}
		return in.failure(exitError(inv.id, in.exitStatus), 0), discard, true, nil
	case <-in.initFailed:
		in.take(inv)
		return in.failure(in.initErr, 0), discard, true, nil
	case <-timer.C:
		in.take(inv)
		return in.timedOut(inv, budget), discard, true, nil
	case <-ctx.Done():
		in.take(inv)
		return res, keep, true, ctx.Err()
	case <-in.stopping:
		in.take(inv)
		return res, discard, true, errStopped
	}
}

func (in *instance) failure(payload []byte, d time.Duration) Result {
	return Result{Payload: payload, FunctionError: FunctionErrorUnhandled, Duration: d}
}

// initFailure is the answer when the instance fails before its first
// invocation is delivered.
func (in *instance) initFailure(payload []byte) Result {
	return Result{Payload: payload, FunctionError: FunctionErrorUnhandled, InitDuration: time.Since(in.started)}
}

// timedOut kills the instance and returns Lambda's timeout answer.
func (in *instance) timedOut(inv *invocation, budget time.Duration) Result {
	in.kill()
	in.log.Warn("invocation timed out; instance killed", "requestId", inv.id, "timeout", budget)
	return in.failure(timeoutError(inv.id, budget), budget)
}

// pending returns the delivered, unanswered invocation with the given id.
func (in *instance) pending(id string) *invocation {
	in.mu.Lock()
	inv := in.current
	streaming := inv != nil && inv.stream != nil
	in.mu.Unlock()
	// Once a response is streaming, neither /response nor /error may
	// answer the invocation again [D: the error endpoint "can only be
	// called before the runtime begins sending an invocation response"].
	if inv == nil || inv.id != id || streaming {
		return nil
	}
	return inv
}

// take claims the delivered invocation inv so that exactly one party (the
// runtime's answer, the timeout, a crash) completes it.
func (in *instance) take(inv *invocation) bool {
	return in.takeWith(inv, nil)
}

// takeWith is take that records, for a stream's consumer, the error
// document of the ending.
func (in *instance) takeWith(inv *invocation, failure []byte) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.current != inv {
		return false
	}
	in.current = nil
	inv.failure = failure
	return true
}

// takeWaiting is take for invoke, which has not received an answer: a
// stream the runtime began meanwhile goes back to its handler.
func (in *instance) takeWaiting(inv *invocation) bool {
	if !in.take(inv) {
		return false
	}
	select {
	case rep := <-inv.done: // only a stream can be there: answers take inv
		if rep.stream != nil {
			rep.stream.abandon()
		}
	default:
	}
	return true
}

// finish completes inv with the runtime's answer, once its output so far is
// in the log. It reports false if inv was already completed.
func (in *instance) finish(inv *invocation, rep reply) bool {
	if !in.take(inv) {
		return false
	}
	drainLogs(in.readers[:]...)
	inv.done <- rep
	return true
}

func (in *instance) markReady() {
	in.readyOnce.Do(func() {
		in.initDuration = time.Since(in.started)
		close(in.ready)
	})
}

func (in *instance) isReady() bool {
	select {
	case <-in.ready:
		return true
	default:
		return false
	}
}

func (in *instance) failInit(payload []byte) {
	in.initOnce.Do(func() {
		in.initErr = payload
		in.log.Warn("runtime reported an initialisation error", "error", string(payload))
		close(in.initFailed)
	})
}

func (in *instance) hasExited() bool {
	select {
	case <-in.exited:
		return true
	default:
		return false
	}
}

// kill kills the process group at once; stop finishes the clean-up.
func (in *instance) kill() {
	in.stopOnce.Do(func() {
		close(in.stopping)
		in.proc.kill()
	})
}

// stop kills the process group and waits until the process, the Runtime API
// server and the log readers are gone.
func (in *instance) stop() {
	in.kill()
	<-in.exited
	// Every connection is the dead process's; handlers waiting in /next
	// have returned (stopping is closed).
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_ = in.srv.ShutdownWithContext(ctx)
	cancel()
	// The readers end when every holder of the pipes is gone; a process
	// that left the group could keep them open, so do not wait for ever.
	t := time.AfterFunc(time.Second, func() {
		for _, r := range in.readers {
			_ = r.f.SetReadDeadline(time.Now())
		}
	})
	in.wg.Wait()
	t.Stop()
	in.mem.close()
}
