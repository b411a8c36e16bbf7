package runtime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestColdThenWarm(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.WorkDir, cfg.Executable = binDir, "echo" // relative to WorkDir
	cfg.Region, cfg.AccountID = "eu-west-3", "123456789012"
	p, _ := newTestPool(t, cfg)

	before := time.Now()
	res := invoke(t, p, `{"hello":"world"}`, Invocation{
		RequestID:       "11111111-2222-3333-4444-555555555555",
		TraceID:         "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
		ClientContext:   `{"Client":{"installation_id":"inst-1"},"custom":{"k":"v"},"env":{"e":"1"}}`,
		CognitoIdentity: `{"CognitoIdentityID":"id-1","CognitoIdentityPoolID":"pool-1"}`,
	})
	after := time.Now()
	cold := decode[echoOut](t, res)
	if res.InitDuration <= 0 {
		t.Errorf("cold start: InitDuration = %v, want > 0", res.InitDuration)
	}
	if res.Duration <= 0 {
		t.Errorf("Duration = %v", res.Duration)
	}
	if string(cold.Event) != `{"hello":"world"}` {
		t.Errorf("event = %s", cold.Event)
	}
	lc := cold.LambdaContext
	if lc.AwsRequestID != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("request id = %q", lc.AwsRequestID)
	}
	if want := "arn:aws:lambda:eu-west-3:123456789012:function:echo"; lc.InvokedFunctionArn != want {
		t.Errorf("ARN = %q, want %q", lc.InvokedFunctionArn, want)
	}
	if lc.ClientContext.Client.InstallationID != "inst-1" || lc.ClientContext.Custom["k"] != "v" || lc.ClientContext.Env["e"] != "1" {
		t.Errorf("client context = %+v", lc.ClientContext)
	}
	if lc.Identity.CognitoIdentityID != "id-1" || lc.Identity.CognitoIdentityPoolID != "pool-1" {
		t.Errorf("cognito identity = %+v", lc.Identity)
	}
	if cold.TraceID != "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1" {
		t.Errorf("trace id = %q", cold.TraceID)
	}
	// The deadline is the delivery time plus the timeout, in milliseconds.
	lo, hi := before.Add(cfg.Timeout).UnixMilli()-1, after.Add(cfg.Timeout).UnixMilli()+1
	if cold.DeadlineMs < lo || cold.DeadlineMs > hi {
		t.Errorf("deadline %d not in [%d, %d]", cold.DeadlineMs, lo, hi)
	}
	if cold.Cwd != binDir {
		t.Errorf("working directory = %q, want %q", cold.Cwd, binDir)
	}

	res = invoke(t, p, `{}`, Invocation{})
	warm := decode[echoOut](t, res)
	if warm.PID != cold.PID {
		t.Errorf("warm invocation ran in pid %d, cold one in %d: instance not reused", warm.PID, cold.PID)
	}
	if res.InitDuration != 0 {
		t.Errorf("warm start: InitDuration = %v, want 0", res.InitDuration)
	}
	if warm.LambdaContext.AwsRequestID == "" || warm.LambdaContext.AwsRequestID == lc.AwsRequestID {
		t.Errorf("generated request id = %q", warm.LambdaContext.AwsRequestID)
	}
	if warm.TraceID == "" {
		t.Error("no trace id generated")
	}
	if s := p.Stats(); s != (Stats{Instances: 1, Idle: 1, Starts: 1}) {
		t.Errorf("Stats = %+v", s)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.MaxConcurrency = 3
	p, _ := newTestPool(t, cfg)

	pids := make([]int, 3)
	var wg sync.WaitGroup
	for i := range pids {
		wg.Go(func() {
			res, err := p.Invoke(context.Background(), []byte(`{"sleepMs":800}`), Invocation{})
			if err != nil {
				t.Errorf("invocation %d: %v", i, err)
				return
			}
			pids[i] = decode[echoOut](t, res).PID
		})
	}
	eventually(t, "3 busy instances", func() bool { s := p.Stats(); return s.Busy == 3 && s.Instances == 3 })

	// The fourth waits, and gives up with its context.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Invoke(ctx, []byte(`{}`), Invocation{})
	if !errors.Is(err, ErrTooManyRequests) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fourth invocation: err = %v, want ErrTooManyRequests and DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited < 90*time.Millisecond {
		t.Errorf("gave up after %v, before its context ended", waited)
	}

	// The fifth waits long enough and gets one of the three instances.
	var fifth int
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := p.Invoke(ctx, []byte(`{}`), Invocation{})
		if err != nil {
			t.Errorf("fifth invocation: %v", err)
			return
		}
		fifth = decode[echoOut](t, res).PID
	})
	eventually(t, "a waiting invocation", func() bool { return p.Stats().Waiting == 1 })
	if s := p.Stats(); s.Instances != 3 || s.Busy != 3 {
		t.Errorf("while waiting: Stats = %+v", s)
	}
	wg.Wait()

	distinct := slices.Compact(slices.Sorted(slices.Values(pids)))
	if len(distinct) != 3 {
		t.Errorf("3 parallel invocations ran in pids %v, want 3 instances", pids)
	}
	if !slices.Contains(pids, fifth) {
		t.Errorf("waiting invocation ran in pid %d, not in a warm instance %v", fifth, pids)
	}
	if s := p.Stats(); s != (Stats{Instances: 3, Idle: 3, Starts: 3}) {
		t.Errorf("after: Stats = %+v", s)
	}
}

func TestIdleReaping(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.IdleTimeout = 500 * time.Millisecond
	p, _ := newTestPool(t, cfg)

	pid := decode[echoOut](t, invoke(t, p, `{}`, Invocation{})).PID
	// Used again before the timeout, it survives.
	time.Sleep(100 * time.Millisecond)
	if again := decode[echoOut](t, invoke(t, p, `{}`, Invocation{})).PID; again != pid {
		t.Fatalf("instance replaced before its idle timeout (%d → %d)", pid, again)
	}
	eventually(t, "the idle instance to be stopped", func() bool { return p.Stats().Instances == 0 })
	waitGone(t, pid)

	res := invoke(t, p, `{}`, Invocation{})
	if decode[echoOut](t, res).PID == pid || res.InitDuration == 0 {
		t.Errorf("invocation after reaping was not a cold start (InitDuration %v)", res.InitDuration)
	}
}

func TestUpdateReplacesInstances(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.Env = map[string]string{"VERSION": "1"}
	p, _ := newTestPool(t, cfg)

	// Two instances.
	var a, b int
	var wg sync.WaitGroup
	wg.Go(func() { a = decode[echoOut](t, invoke(t, p, `{"sleepMs":300}`, Invocation{})).PID })
	wg.Go(func() { b = decode[echoOut](t, invoke(t, p, `{"sleepMs":300}`, Invocation{})).PID })
	wg.Wait()

	// One becomes busy; the busy one finishes its invocation with the old
	// configuration.
	type outcome struct {
		out echoOut
		err error
	}
	busy := make(chan outcome, 1)
	go func() {
		res, err := p.Invoke(context.Background(), []byte(`{"sleepMs":1000}`), Invocation{})
		var o outcome
		if o.err = err; err == nil {
			o.out = decode[echoOut](t, res)
		}
		busy <- o
	}()
	eventually(t, "a busy instance", func() bool { return p.Stats().Busy == 1 })

	cfg.Env = map[string]string{"VERSION": "2"}
	cfg.MemoryMB = 512
	p.Update(cfg)
	// The idle one stops at once.
	eventually(t, "the idle instance to stop", func() bool { return processGone(a) || processGone(b) })
	select {
	case <-busy:
		t.Fatal("the busy invocation ended before the idle instance stopped")
	default:
	}

	o := <-busy
	if o.err != nil {
		t.Fatalf("busy invocation during Update: %v", o.err)
	}
	if o.out.Env["VERSION"] != "1" {
		t.Errorf("busy invocation saw VERSION=%q, want the old 1", o.out.Env["VERSION"])
	}
	if o.out.PID != a && o.out.PID != b {
		t.Errorf("busy invocation ran in pid %d, not %d or %d", o.out.PID, a, b)
	}
	waitGone(t, a)
	waitGone(t, b) // the busy one stops after its invocation

	res := invoke(t, p, `{}`, Invocation{})
	now := decode[echoOut](t, res)
	if now.Env["VERSION"] != "2" || now.MemoryLimitInMB != 512 || res.InitDuration == 0 {
		t.Errorf("after Update: VERSION=%q memory=%d InitDuration=%v", now.Env["VERSION"], now.MemoryLimitInMB, res.InitDuration)
	}
	if s := p.Stats(); s.Instances != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestUpdateRaisesConcurrency(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.MaxConcurrency = 1
	p, _ := newTestPool(t, cfg)

	var wg sync.WaitGroup
	wg.Go(func() { invoke(t, p, `{"sleepMs":3000}`, Invocation{}) })
	eventually(t, "a busy instance", func() bool { return p.Stats().Busy == 1 })
	waited := make(chan time.Duration, 1)
	wg.Go(func() {
		start := time.Now()
		invoke(t, p, `{}`, Invocation{})
		waited <- time.Since(start)
	})
	eventually(t, "a waiting invocation", func() bool { return p.Stats().Waiting == 1 })
	cfg.MaxConcurrency = 2
	p.Update(cfg)
	if d := <-waited; d > 2500*time.Millisecond {
		t.Errorf("waiting invocation took %v: raising the limit did not release it", d)
	}
	wg.Wait()
}

func TestContextCancelKillsInstance(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "echo"))
	pid := decode[echoOut](t, invoke(t, p, `{}`, Invocation{})).PID

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := p.Invoke(ctx, []byte(`{"sleepMs":5000}`), Invocation{})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTooManyRequests) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	waitGone(t, pid)
	eventually(t, "no instance", func() bool { return p.Stats() == Stats{Starts: 1} })
}

func TestCloseStopsEverything(t *testing.T) {
	cfg := fnConfig(t, "echo")
	p := NewPool(cfg, nil)

	// Two idle instances and one busy.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { invoke(t, p, `{"sleepMs":300}`, Invocation{}) })
	}
	wg.Wait()
	errc := make(chan error, 1)
	go func() {
		_, err := p.Invoke(context.Background(), []byte(`{"sleepMs":10000}`), Invocation{})
		errc <- err
	}()
	eventually(t, "a busy instance", func() bool { return p.Stats().Busy == 1 })
	if n := len(childPIDs()); n != 2 {
		t.Errorf("%d child processes before Close, want 2", n)
	}

	start := time.Now()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if pids := childPIDs(); len(pids) != 0 {
		t.Errorf("child processes after Close: %v", pids)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("invocation running during Close: err = %v, want ErrClosed", err)
	}
	if _, err := p.Invoke(context.Background(), []byte(`{}`), Invocation{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: err = %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseFailsWaiters(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.MaxConcurrency = 1
	p := NewPool(cfg, nil)
	go func() { _, _ = p.Invoke(context.Background(), []byte(`{"sleepMs":10000}`), Invocation{}) }()
	eventually(t, "a busy instance", func() bool { return p.Stats().Busy == 1 })
	errc := make(chan error, 1)
	go func() {
		_, err := p.Invoke(context.Background(), []byte(`{}`), Invocation{})
		errc <- err
	}()
	eventually(t, "a waiting invocation", func() bool { return p.Stats().Waiting == 1 })
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("waiting invocation: err = %v, want ErrClosed", err)
	}
	waitNoChildren(t)
}

// TestManyConcurrentInvocations runs more invocations than the limit from
// many goroutines: all of them must succeed, on no more instances than the
// limit.
func TestManyConcurrentInvocations(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.MaxConcurrency = 4
	p, _ := newTestPool(t, cfg)
	var (
		mu   sync.Mutex
		pids = map[int]bool{}
		wg   sync.WaitGroup
	)
	for i := range 40 {
		wg.Go(func() {
			res := invoke(t, p, fmt.Sprintf(`{"n":%d}`, i), Invocation{})
			out := decode[echoOut](t, res)
			if string(out.Event) != fmt.Sprintf(`{"n":%d}`, i) {
				t.Errorf("invocation %d got event %s", i, out.Event)
			}
			mu.Lock()
			pids[out.PID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(pids) > 4 {
		t.Errorf("%d instances used, limit 4", len(pids))
	}
}

// TestIdleInstanceKilled: an idle instance that dies (here killed from
// outside) is dropped from the pool and replaced on the next invocation.
func TestIdleInstanceKilled(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "echo"))
	for range 3 {
		pid := decode[echoOut](t, invoke(t, p, `{}`, Invocation{})).PID
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the dead instance to leave the pool", func() bool { return p.Stats().Instances == 0 })
		res := invoke(t, p, `{}`, Invocation{})
		if next := decode[echoOut](t, res).PID; next == pid || res.InitDuration == 0 {
			t.Fatalf("after killing %d: pid %d, InitDuration %v", pid, next, res.InitDuration)
		}
	}
}

// TestWarmInstanceDeadBeforeDelivery: when a warm instance turns out to be
// dead as an invocation is handed to it, the invocation is not failed but
// run again on a new instance.
func TestWarmInstanceDeadBeforeDelivery(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "echo"))
	in, err := p.spawn()
	if err != nil {
		t.Fatal(err)
	}
	if _, v, err := in.invoke(context.Background(), newInvocation([]byte(`{}`), Invocation{})); v != keep || err != nil {
		t.Fatalf("first invocation: verdict %v, err %v", v, err)
	}
	in.proc.kill()
	<-in.exited
	if _, v, err := in.invoke(context.Background(), newInvocation([]byte(`{}`), Invocation{})); v != retry || err != nil {
		t.Fatalf("invocation on a dead warm instance: verdict %v, err %v; want retry", v, err)
	}
	p.drop(in)
}
