package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Pool runs one function: it keeps warm instances, starts new ones up to the
// function's concurrency limit, and stops those that crash, time out, stay
// idle too long or run an outdated configuration. All methods are safe for
// concurrent use.
type Pool struct {
	base *slog.Logger                // as given to NewPool
	log  atomic.Pointer[slog.Logger] // base with the function's name

	mu       sync.Mutex
	cfg      Config
	gen      uint64                 // incremented by Update
	idle     []*instance            // least recently used first
	all      map[*instance]struct{} // every instance not yet being stopped
	inflight int                    // invocations holding a concurrency slot
	starts   uint64                 // instances started (Stats.Starts)
	waiters  []*waiter              // invocations waiting for a slot, in order
	closed   bool

	kick chan struct{} // wakes the reaper after Update
	done chan struct{} // closed by Close
	wg   sync.WaitGroup
}

// waiter is an invocation waiting for a concurrency slot.
type waiter struct{ ch chan grant } // capacity 1

// grant hands a slot to a waiter: with an idle instance, or nil to start one.
type grant struct {
	inst *instance
	err  error
}

// Stats is a snapshot of a pool's state.
type Stats struct {
	Instances int // running instances, busy or idle
	Idle      int // instances waiting for an invocation
	Busy      int // invocations holding a concurrency slot
	Waiting   int // invocations waiting for a slot
	// Starts counts the instances the pool has started (cold starts).
	Starts uint64
}

// NewPool returns a pool for the function cfg describes. No process starts
// before the first invocation. log receives the function's output and the
// pool's own events; nil discards them.
func NewPool(cfg Config, log *slog.Logger) *Pool {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	p := &Pool{
		base: log,
		cfg:  cfg,
		all:  make(map[*instance]struct{}),
		kick: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	p.log.Store(log.With(cfg.logAttrs()))
	p.wg.Add(1)
	go p.reap()
	return p
}

// Invoke runs one synchronous invocation and returns what the function
// answered. Failures of the function (an error it reports, a crash, a
// timeout, an oversized response, a bootstrap that cannot start) are not Go
// errors: they come back as a Result with FunctionError set and Lambda's
// error document as Payload. The error is non-nil only when the invocation
// did not run to an answer: [ErrRequestTooLarge], [ErrTooManyRequests] (the
// context ended while every instance was busy), [ErrClosed], or the
// context's error when it ended first (the instance running the invocation
// is then killed).
func (p *Pool) Invoke(ctx context.Context, payload []byte, opts Invocation) (Result, error) {
	res, err := p.invoke(ctx, payload, opts)
	if err != nil || res.Stream == nil {
		return res, err
	}
	return bufferStream(res), nil
}

// InvokeStream is Invoke for callers that take a streamed response as the
// function writes it (Lambda's InvokeWithResponseStream): when the runtime
// answers in the streaming response mode, Result.Stream carries the
// response, and the instance serves no other invocation until the
// function has finished it, even when the caller closes the stream early
// (the function runs on, as in Lambda). Other answers come as from Invoke.
func (p *Pool) InvokeStream(ctx context.Context, payload []byte, opts Invocation) (Result, error) {
	return p.invoke(ctx, payload, opts)
}

func (p *Pool) invoke(ctx context.Context, payload []byte, opts Invocation) (Result, error) {
	if len(payload) > MaxRequestPayload {
		return Result{}, fmt.Errorf("invoke %s: %d bytes (limit %d): %w", p.name(), len(payload), MaxRequestPayload, ErrRequestTooLarge)
	}
	inv := newInvocation(payload, opts)
	inst, err := p.acquire(ctx, opts.FailFast)
	if err != nil {
		return Result{}, fmt.Errorf("invoke %s: %w", p.name(), err)
	}
	for {
		if inst == nil {
			if inst, err = p.spawn(); err != nil {
				p.release(nil, false)
				if errors.Is(err, ErrClosed) {
					return Result{}, fmt.Errorf("invoke %s: %w", p.name(), err)
				}
				p.log.Load().Warn("cannot start the function", "requestId", inv.id, "error", err)
				return EntrypointFailure(inv.id, err.Error()), nil
			}
		}
		res, v, err := inst.invoke(ctx, inv)
		if v == retry {
			// A warm instance died while idle: Lambda would have
			// replaced it before this invocation, so do that. (A new
			// instance is cold: this happens once at most.)
			p.drop(inst)
			inst = nil
			continue
		}
		if s, ok := res.Stream.(*responseStream); ok {
			// The instance is released once the function has finished
			// its response.
			s.release = func(healthy bool) {
				done := Result{Duration: time.Since(s.start)}
				if inst.sink.cloud != nil {
					done.MaxMemoryMB = inst.mem.mb(inst.pid)
					inst.sink.cloud.finish(inv.id, done, inst.cfg.MemoryMB)
				}
				p.release(inst, healthy)
				p.report(inv, done, nil)
			}
			return res, nil
		}
		if inst.sink.cloud != nil || inv.tail != nil {
			res.MaxMemoryMB = inst.mem.mb(inst.pid)
			inst.sink.cloud.finish(inv.id, res, inst.cfg.MemoryMB)
		}
		p.release(inst, v == keep)
		if inv.tail != nil {
			res.Logs = inv.tail.bytes()
		}
		p.report(inv, res, err)
		if errors.Is(err, errStopped) {
			err = ErrClosed
		}
		if err != nil {
			return Result{}, fmt.Errorf("invoke %s: %w", p.name(), err)
		}
		return res, nil
	}
}

// Update replaces the function's code or configuration. Idle instances stop
// at once; busy ones finish their invocation and then stop. Later
// invocations run on instances started with cfg.
func (p *Pool) Update(cfg Config) {
	cfg = cfg.withDefaults()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.cfg = cfg
	p.gen++
	p.log.Store(p.base.With(cfg.logAttrs()))
	stale := p.idle
	p.idle = nil
	for _, in := range stale {
		p.stopLocked(in)
	}
	p.dispatchLocked() // the limit may have grown
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Close stops every instance, busy or idle, and waits until their processes
// are gone. Invocations still running fail with [ErrClosed].
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	close(p.done)
	insts := make([]*instance, 0, len(p.all))
	for in := range p.all {
		insts = append(insts, in)
	}
	p.all = make(map[*instance]struct{})
	p.idle = nil
	p.dispatchLocked() // fails the waiters
	p.mu.Unlock()

	var wg sync.WaitGroup
	for _, in := range insts {
		in.kill()
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.stop()
		}()
	}
	wg.Wait()
	p.wg.Wait()
	return nil
}

// Stats returns the pool's current state.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Instances: len(p.all), Idle: len(p.idle), Busy: p.inflight, Waiting: len(p.waiters), Starts: p.starts}
}

func (p *Pool) name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Name
}

// acquire takes a concurrency slot, with an idle instance when there is one
// (nil means: start one). It waits for a slot until ctx ends, or not at all
// when failFast is set.
func (p *Pool) acquire(ctx context.Context, failFast bool) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if len(p.waiters) == 0 && p.inflight < p.cfg.MaxConcurrency {
		p.inflight++
		in := p.popIdleLocked()
		p.mu.Unlock()
		return in, nil
	}
	if failFast {
		p.mu.Unlock()
		return nil, ErrTooManyRequests
	}
	w := &waiter{ch: make(chan grant, 1)}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()

	select {
	case g := <-w.ch:
		return g.inst, g.err
	case <-ctx.Done():
	}
	p.mu.Lock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.mu.Unlock()
			return nil, fmt.Errorf("%w: %w", ErrTooManyRequests, ctx.Err())
		}
	}
	p.mu.Unlock()
	// A slot was granted as the context ended: hand it back.
	if g := <-w.ch; g.err == nil {
		p.release(g.inst, true)
	}
	return nil, fmt.Errorf("%w: %w", ErrTooManyRequests, ctx.Err())
}

// release gives back a slot and the instance that held it (nil if none):
// to the idle list if it is healthy and current, else it is stopped.
func (p *Pool) release(in *instance, healthy bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if in != nil {
		if healthy && !p.closed && in.gen == p.gen && !in.hasExited() {
			in.lastUsed = time.Now()
			p.idle = append(p.idle, in)
		} else {
			p.stopLocked(in)
		}
	}
	p.dispatchLocked()
}

// drop stops an instance that holds a slot, keeping the slot.
func (p *Pool) drop(in *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked(in)
}

// stopLocked kills in and finishes stopping it in the background. Once the
// pool is closed, Close stops every instance itself.
func (p *Pool) stopLocked(in *instance) {
	if _, ok := p.all[in]; !ok {
		in.kill()
		return
	}
	delete(p.all, in)
	in.kill()
	if p.closed {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		in.stop()
	}()
}

// dispatchLocked hands free slots to waiters in order; once closed, it
// fails them all.
func (p *Pool) dispatchLocked() {
	for len(p.waiters) > 0 && (p.closed || p.inflight < p.cfg.MaxConcurrency) {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		if p.closed {
			w.ch <- grant{err: ErrClosed}
			continue
		}
		p.inflight++
		w.ch <- grant{inst: p.popIdleLocked()}
	}
}

// popIdleLocked returns the most recently used idle instance, or nil.
func (p *Pool) popIdleLocked() *instance {
	for len(p.idle) > 0 {
		in := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !in.hasExited() {
			return in
		}
		p.stopLocked(in)
	}
	return nil
}

// spawn starts an instance with the current configuration.
func (p *Pool) spawn() (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	cfg, gen, log := p.cfg, p.gen, p.log.Load()
	p.wg.Add(1) // Close waits for starts in progress
	p.mu.Unlock()
	defer p.wg.Done()

	in, err := startInstance(cfg, gen, log, p.onExit)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Executable, err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		in.stop()
		return nil, ErrClosed
	}
	p.all[in] = struct{}{}
	p.starts++
	p.mu.Unlock()
	return in, nil
}

// onExit removes an instance whose process exited while idle. (A busy one
// is dealt with by the invocation running on it.)
func (p *Pool) onExit(in *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.idle {
		if x == in {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			in.log.Debug("idle instance exited", "status", in.exitStatus)
			p.stopLocked(in)
			return
		}
	}
}

// reap stops instances idle for longer than the idle timeout.
func (p *Pool) reap() {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		idleTimeout := p.cfg.IdleTimeout
		p.mu.Unlock()
		t := time.NewTimer(min(max(idleTimeout/4, 10*time.Millisecond), 30*time.Second))
		select {
		case <-p.done:
			t.Stop()
			return
		case <-p.kick:
			t.Stop()
			continue
		case <-t.C:
		}
		p.mu.Lock()
		cutoff := time.Now().Add(-p.cfg.IdleTimeout)
		kept := p.idle[:0]
		for _, in := range p.idle {
			if in.lastUsed.Before(cutoff) {
				in.log.Debug("stopping idle instance", "idle", time.Since(in.lastUsed).Round(time.Millisecond))
				p.stopLocked(in)
			} else {
				kept = append(kept, in)
			}
		}
		clear(p.idle[len(kept):])
		p.idle = kept
		p.mu.Unlock()
	}
}

// report logs the end of an invocation, like Lambda's REPORT line.
func (p *Pool) report(inv *invocation, res Result, err error) {
	log := p.log.Load()
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("requestId", inv.id), slog.Duration("duration", res.Duration)}
	if res.InitDuration > 0 {
		attrs = append(attrs, slog.Duration("initDuration", res.InitDuration))
	}
	if res.FunctionError != "" {
		attrs = append(attrs, slog.String("functionError", res.FunctionError))
	}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	log.LogAttrs(context.Background(), slog.LevelDebug, "REPORT", attrs...)
}
