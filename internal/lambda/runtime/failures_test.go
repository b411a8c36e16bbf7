package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFunctionError(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "error"))
	doc := mustFail(t, invoke(t, p, `{}`, Invocation{}))
	if doc.ErrorType != "ValidationError" || !strings.HasPrefix(doc.ErrorMessage, "bad input (pid ") {
		t.Fatalf("error document = %+v", doc)
	}
	// A reported error leaves the instance in service.
	again := mustFail(t, invoke(t, p, `{}`, Invocation{}))
	if again.ErrorMessage != doc.ErrorMessage {
		t.Errorf("second error %q, first %q: instance not reused", again.ErrorMessage, doc.ErrorMessage)
	}
}

func TestPanic(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "panic"))
	first := invoke(t, p, `{"calm":true}`, Invocation{})
	mustSucceed(t, first)
	pid, _ := strconv.Atoi(string(first.Payload))

	// aws-lambda-go reports the panic, with its stack, then exits.
	res := invoke(t, p, `{}`, Invocation{})
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
		StackTrace   []any  `json:"stackTrace"`
	}
	mustFail(t, res)
	if err := json.Unmarshal(res.Payload, &doc); err != nil || doc.ErrorMessage != "boom" || doc.ErrorType != "string" || len(doc.StackTrace) == 0 {
		t.Fatalf("panic document = %s (%v)", res.Payload, err)
	}
	waitGone(t, pid)

	// The next invocation gets a new instance.
	res = invoke(t, p, `{"calm":true}`, Invocation{})
	mustSucceed(t, res)
	if next, _ := strconv.Atoi(string(res.Payload)); next == pid || res.InitDuration == 0 {
		t.Errorf("after the panic: pid %d (was %d), InitDuration %v", next, pid, res.InitDuration)
	}

	// A panic nobody recovers kills the process: Runtime.ExitError.
	id := "panic-goroutine"
	doc2 := mustFail(t, invoke(t, p, `{"goroutine":true}`, Invocation{RequestID: id}))
	want := errorDoc{ErrorType: "Runtime.ExitError", ErrorMessage: "RequestId: panic-goroutine Error: Runtime exited with error: exit status 2"}
	if doc2.ErrorType != want.ErrorType || doc2.ErrorMessage != want.ErrorMessage {
		t.Errorf("got %+v, want %+v", doc2, want)
	}
}

func TestExitMidInvocation(t *testing.T) {
	p, logs := newTestPool(t, fnConfig(t, "exit"))
	res := invoke(t, p, `{"calm":true}`, Invocation{})
	mustSucceed(t, res)
	pid, _ := strconv.Atoi(string(res.Payload))

	res = invoke(t, p, `{}`, Invocation{RequestID: "req-exit"})
	if got, want := string(res.Payload), `{"errorMessage":"RequestId: req-exit Error: Runtime exited with error: exit status 3","errorType":"Runtime.ExitError"}`; got != want {
		t.Errorf("payload = %s\nwant      %s", got, want)
	}
	mustFail(t, res)
	waitGone(t, pid)
	// The pipe's last line reaches the log reader after the exit is seen.
	eventually(t, "output before the exit logged", func() bool { return len(logs.output("stdout", "req-exit")) == 1 })

	res = invoke(t, p, `{"calm":true}`, Invocation{})
	mustSucceed(t, res)
	if next, _ := strconv.Atoi(string(res.Payload)); next == pid || res.InitDuration == 0 {
		t.Errorf("after the crash: pid %d (was %d), InitDuration %v", next, pid, res.InitDuration)
	}
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	cfg := fnConfig(t, "sleep")
	cfg.Timeout = time.Second
	p, logs := newTestPool(t, cfg)
	mustSucceed(t, invoke(t, p, `{"ms":1}`, Invocation{})) // warm

	start := time.Now()
	res := invoke(t, p, `{}`, Invocation{RequestID: "req-sleep"})
	took := time.Since(start)
	doc := mustFail(t, res)
	want := errorDoc{ErrorType: "Sandbox.Timedout", ErrorMessage: "RequestId: req-sleep Error: Task timed out after 1.00 seconds"}
	if doc.ErrorType != want.ErrorType || doc.ErrorMessage != want.ErrorMessage {
		t.Errorf("got %+v, want %+v", doc, want)
	}
	if took < time.Second || took > 2500*time.Millisecond {
		t.Errorf("timed out after %v, timeout 1s", took)
	}
	if res.Duration != time.Second {
		t.Errorf("Duration = %v", res.Duration)
	}
	// The function's own child, in its process group, is killed too.
	lines := logs.output("stdout", "req-sleep")
	if len(lines) != 1 || !strings.HasPrefix(lines[0].msg, "grandchild-pid=") {
		t.Fatalf("stdout lines = %+v", lines)
	}
	grandchild, _ := strconv.Atoi(strings.TrimPrefix(lines[0].msg, "grandchild-pid="))
	pid, _ := strconv.Atoi(lines[0].attrs["pid"])
	waitGone(t, pid)
	waitGone(t, grandchild)
	waitNoChildren(t)

	// The next invocation starts a new instance.
	res = invoke(t, p, `{"ms":1}`, Invocation{})
	mustSucceed(t, res)
	if res.InitDuration == 0 {
		t.Error("invocation after a timeout was not a cold start")
	}
}

func TestDeadlineOverride(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "sleep"))
	mustSucceed(t, invoke(t, p, `{"ms":1}`, Invocation{})) // warm
	start := time.Now()
	res := invoke(t, p, `{"ms":2000}`, Invocation{Deadline: time.Now().Add(300 * time.Millisecond)})
	doc := mustFail(t, res)
	if !regexp.MustCompile(`Error: Task timed out after 0\.\d\d seconds$`).MatchString(doc.ErrorMessage) {
		t.Errorf("errorMessage = %q", doc.ErrorMessage)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v with a 300ms deadline", took)
	}
}

func TestPayloadLimits(t *testing.T) {
	cfg := fnConfig(t, "big")
	cfg.Timeout = 20 * time.Second // megabytes through the race detector on a busy machine
	p, _ := newTestPool(t, cfg)

	t.Run("request too large", func(t *testing.T) {
		_, err := p.Invoke(context.Background(), make([]byte, MaxRequestPayload+1), Invocation{})
		if !errors.Is(err, ErrRequestTooLarge) {
			t.Fatalf("err = %v, want ErrRequestTooLarge", err)
		}
		if s := p.Stats(); s.Instances != 0 {
			t.Errorf("an instance started for a rejected payload: %+v", s)
		}
	})
	t.Run("request at the limit", func(t *testing.T) {
		prefix := `{"bytes":10,"pad":"`
		payload := prefix + strings.Repeat("p", MaxRequestPayload-len(prefix)-2) + `"}`
		if len(payload) != MaxRequestPayload {
			t.Fatal(len(payload))
		}
		res := invoke(t, p, payload, Invocation{})
		mustSucceed(t, res)
		if string(res.Payload) != `"xxxxxxxx"` {
			t.Errorf("payload = %q", res.Payload)
		}
	})
	t.Run("response at the limit", func(t *testing.T) {
		res := invoke(t, p, fmt.Sprintf(`{"bytes":%d}`, MaxResponsePayload), Invocation{})
		mustSucceed(t, res)
		if len(res.Payload) != MaxResponsePayload {
			t.Errorf("%d bytes returned", len(res.Payload))
		}
	})
	t.Run("response too large", func(t *testing.T) {
		for _, event := range []string{fmt.Sprintf(`{"bytes":%d}`, MaxResponsePayload+1), `{}`} {
			res := invoke(t, p, event, Invocation{})
			want := `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`
			if string(res.Payload) != want || res.FunctionError != FunctionErrorUnhandled {
				t.Errorf("%.30s: FunctionError %q, payload %.300s", event, res.FunctionError, res.Payload)
			}
		}
		// The function (aws-lambda-go exits when its answer is refused)
		// is replaced on the next invocation.
		res := invoke(t, p, `{"bytes":4}`, Invocation{})
		mustSucceed(t, res)
		if !bytes.Equal(res.Payload, []byte(`"xx"`)) {
			t.Errorf("payload = %q", res.Payload)
		}
	})
}

// TestStreamingFailure: aws-lambda-go reports an error met while streaming
// its response in HTTP trailers; the invocation fails with that error.
func TestStreamingFailure(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "big"))
	res := invoke(t, p, `{"failAfter":100000}`, Invocation{})
	mustFail(t, res)
	if want := `{"errorMessage":"disk on fire","errorType":"errorString"}`; string(res.Payload) != want {
		t.Errorf("payload = %.200s, want %s", res.Payload, want)
	}
}

func TestNoLoop(t *testing.T) {
	for _, tc := range []struct {
		mode, want string
		timeout    time.Duration
	}{
		{"exit0", `{"errorMessage":"RequestId: req-noloop Error: Runtime exited without providing a reason","errorType":"Runtime.ExitError"}`, 0},
		{"exit1", `{"errorMessage":"RequestId: req-noloop Error: Runtime exited with error: exit status 1","errorType":"Runtime.ExitError"}`, 0},
		{"sleep", `{"errorMessage":"RequestId: req-noloop Error: Task timed out after 0.50 seconds","errorType":"Sandbox.Timedout"}`, 500 * time.Millisecond},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := fnConfig(t, "noloop")
			cfg.Env = map[string]string{"NOLOOP_MODE": tc.mode}
			cfg.Timeout, cfg.InitTimeout = tc.timeout, tc.timeout
			p, logs := newTestPool(t, cfg)
			res := invoke(t, p, `{}`, Invocation{RequestID: "req-noloop"})
			mustFail(t, res)
			if string(res.Payload) != tc.want {
				t.Errorf("payload = %s\nwant      %s", res.Payload, tc.want)
			}
			if res.InitDuration <= 0 {
				t.Errorf("InitDuration = %v", res.InitDuration)
			}
			waitNoChildren(t)
			if tc.mode == "exit1" && len(logs.find(func(r logRec) bool { return r.msg == "cannot start: no configuration" })) != 1 {
				t.Error("stderr of the failed start not logged")
			}
		})
	}
}

func TestSlowInit(t *testing.T) {
	p, _ := newTestPool(t, fnConfig(t, "slowinit"))
	res := invoke(t, p, `{}`, Invocation{})
	mustSucceed(t, res)
	if res.InitDuration < 300*time.Millisecond {
		t.Errorf("InitDuration = %v, want ≥ 300ms", res.InitDuration)
	}
	if res.Duration >= 300*time.Millisecond {
		t.Errorf("Duration = %v includes the initialisation", res.Duration)
	}
	res = invoke(t, p, `{}`, Invocation{})
	if mustSucceed(t, res); res.InitDuration != 0 {
		t.Errorf("second invocation: InitDuration = %v", res.InitDuration)
	}
}

// TestInitLongerThanTimeout: the initialisation has its own limit, not the
// function's (shorter) timeout: a runtime that takes 1.5 s to start serves
// a function whose timeout is 1 s.
func TestInitLongerThanTimeout(t *testing.T) {
	cfg := fnConfig(t, "slowinit")
	cfg.Env = map[string]string{"SLOWINIT_MS": "1500"}
	cfg.Timeout = time.Second
	p, _ := newTestPool(t, cfg)
	res := invoke(t, p, `{}`, Invocation{})
	if mustSucceed(t, res); res.InitDuration < 1500*time.Millisecond {
		t.Errorf("InitDuration = %v", res.InitDuration)
	}
}

func TestInitPastTimeout(t *testing.T) {
	cfg := fnConfig(t, "slowinit")
	cfg.Env = map[string]string{"SLOWINIT_MS": "5000"}
	cfg.Timeout, cfg.InitTimeout = time.Second, 2*time.Second
	p, _ := newTestPool(t, cfg)
	doc := mustFail(t, invoke(t, p, `{}`, Invocation{RequestID: "req-init"}))
	if doc.ErrorType != "Sandbox.Timedout" || doc.ErrorMessage != "RequestId: req-init Error: Task timed out after 1.00 seconds" {
		t.Errorf("got %+v", doc)
	}
	waitNoChildren(t)
}

func TestInitError(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{
		{"initerror", `{"errorMessage":"missing configuration","errorType":"Runtime.ConfigError"}`},
		{"initerror-text", `{"errorMessage":"no configuration","errorType":"Runtime.NoConfig"}`},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := fnConfig(t, "rawruntime")
			cfg.Env = map[string]string{"RAW_MODE": tc.mode}
			p, _ := newTestPool(t, cfg)
			res := invoke(t, p, `{}`, Invocation{})
			mustFail(t, res)
			if string(res.Payload) != tc.want {
				t.Errorf("payload = %s, want %s", res.Payload, tc.want)
			}
			// The instance reported a fatal error: it is stopped.
			waitNoChildren(t)
		})
	}
}

func TestErrorWithoutJSONBody(t *testing.T) {
	cfg := fnConfig(t, "rawruntime")
	cfg.Env = map[string]string{"RAW_MODE": "errortext"}
	p, _ := newTestPool(t, cfg)
	res := invoke(t, p, `{}`, Invocation{})
	mustFail(t, res)
	if want := `{"errorMessage":"plain failure","errorType":"Function.Oops"}`; string(res.Payload) != want {
		t.Errorf("payload = %s, want %s", res.Payload, want)
	}
}

func TestBootstrapThatCannotStart(t *testing.T) {
	cfg := fnConfig(t, "missing")
	cfg.Executable = "/nonexistent/bootstrap"
	p, _ := newTestPool(t, cfg)
	doc := mustFail(t, invoke(t, p, `{}`, Invocation{RequestID: "req-missing"}))
	if doc.ErrorType != "Runtime.InvalidEntrypoint" || !strings.HasPrefix(doc.ErrorMessage, "RequestId: req-missing Error: start /nonexistent/bootstrap: ") {
		t.Errorf("got %+v", doc)
	}
	if s := p.Stats(); s != (Stats{}) {
		t.Errorf("Stats = %+v", s)
	}
}
