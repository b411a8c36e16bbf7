package runtime

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLogTail: Invocation.LogTail returns what the function wrote during
// that invocation, and only then; MaxLogTail bounds it.
func TestLogTail(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "logs"))
	res := invoke(t, p, `{}`, Invocation{RequestID: "req-1", LogTail: true})
	mustSucceed(t, res)
	logs := string(res.Logs)
	for _, want := range []string{"hello stdout req-1\n", "hello stderr req-1\n", "first half, second half\n"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log tail lacks %q:\n%s", want, logs)
		}
	}
	if res := invoke(t, p, `{}`, Invocation{RequestID: "req-2"}); res.Logs != nil {
		t.Errorf("a log tail nobody asked for: %q", res.Logs)
	}
	res = invoke(t, p, `{"long": 10000}`, Invocation{RequestID: "req-3", LogTail: true})
	if len(res.Logs) != MaxLogTail || strings.Contains(string(res.Logs), "req-2") || !strings.HasSuffix(string(res.Logs), "LLL\n") {
		t.Errorf("long log tail: %d bytes, ends %q", len(res.Logs), res.Logs[max(len(res.Logs)-20, 0):])
	}
}

// TestFailFast: with every slot busy, a FailFast invocation fails at once
// with ErrTooManyRequests; others wait.
func TestFailFast(t *testing.T) {
	cfg := fnConfig(t, "echo")
	cfg.MaxConcurrency = 1
	p, _ := newTestPool(t, cfg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := p.Invoke(context.Background(), []byte(`{"sleepMs": 500}`), Invocation{}); err != nil {
			t.Errorf("first invocation: %v", err)
		}
	}()
	deadline := time.Now().Add(2 * time.Second)
	for p.Stats().Busy == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := p.Invoke(context.Background(), []byte(`{}`), Invocation{FailFast: true})
	if !errors.Is(err, ErrTooManyRequests) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("FailFast with the slot busy: %v after %v", err, time.Since(start))
	}
	// Without FailFast the invocation waits for the slot.
	res := invoke(t, p, `{}`, Invocation{})
	mustSucceed(t, res)
	<-done
}

func TestTraceIDFormat(t *testing.T) {
	re := regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`)
	a, b := newInvocation(nil, Invocation{}).traceID, newInvocation(nil, Invocation{}).traceID
	if !re.MatchString(a) || a == b {
		t.Fatalf("trace ids %q, %q", a, b)
	}
	if got, want := a[7:15], fmt.Sprintf("%08x", time.Now().Unix()); got > want {
		t.Errorf("epoch part %s is after now (%s)", got, want)
	}
	// A caller's header is handed on, completed with a Parent and a
	// decision when it lacks them.
	const root = "Root=1-5759e988-bd862e3fe1be46a994272793"
	if got := newInvocation(nil, Invocation{TraceID: root + ";Parent=53995c3f42cd8ad8;Sampled=1"}).traceID; got != root+";Parent=53995c3f42cd8ad8;Sampled=1" {
		t.Errorf("caller's header: %q", got)
	}
	if got := newInvocation(nil, Invocation{TraceID: root}).traceID; !regexp.MustCompile("^" + root + `;Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) {
		t.Errorf("root only: %q", got)
	}
}
