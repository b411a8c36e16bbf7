package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

func TestSplitRef(t *testing.T) {
	for ref, want := range map[string][2]string{
		"f":                            {"f", ""},
		"f:1":                          {"f", "1"},
		"f:$LATEST":                    {"f", "$LATEST"},
		"000000000000:function:f":      {"f", ""},
		"000000000000:function:f:live": {"f", "live"},
		"arn:aws:lambda:us-east-1:000000000000:function:f:live": {"f", "live"},
		// An empty stage variable: a qualifier that names nothing.
		"arn:aws:lambda:us-east-1:000000000000:function:f:": {"f", ":"},
	} {
		if n, q := SplitRef(ref); n != want[0] || q != want[1] {
			t.Errorf("SplitRef(%q) = %q, %q; want %q, %q", ref, n, q, want[0], want[1])
		}
	}
}

// pythonZip is a deployment package holding app.py.
func pythonZip(t *testing.T, code string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	_, _ = w.Write([]byte(code))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testService(t *testing.T) *Service {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Store: st, CodeDir: filepath.Join(dir, "lambda"), Region: "us-east-1", AccountID: "000000000000"})
	t.Cleanup(func() {
		_ = s.Close()
		_ = st.Close()
	})
	return s
}

// TestReservedConcurrencySharedByVersions: a function's reserved
// concurrency bounds all its versions together [D: "Reserved concurrency
// is per function"]: with 1, a synchronous invocation of version 2 is
// throttled while version 1 runs.
func TestReservedConcurrencySharedByVersions(t *testing.T) {
	s := testService(t)
	ctx := context.Background()
	code := "import time\ndef handler(event, context):\n    time.sleep(event.get('s', 0))\n    return 'ok'\n"
	if _, err := s.Create(ctx, Function{FunctionName: "f", Runtime: "python3.11", Handler: "app.handler", Timeout: 30}, pythonZip(t, code), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishVersion(ctx, "f", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "f", nil, func(fn *Function) error { fn.Description = "two"; return nil }); err != nil {
		t.Fatal(err)
	}
	if v, err := s.PublishVersion(ctx, "f", "", nil); err != nil || v.Version != "2" {
		t.Fatalf("publish 2: %v %v", v.Version, err)
	}
	one := 1
	if _, err := s.SetConcurrency(ctx, "f", &one); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		res, err := s.InvokeFunction(ctx, "f:1", []byte(`{"s":3}`), Invocation{})
		if err == nil && res.FunctionError != "" {
			err = errors.New(string(res.Payload))
		}
		done <- err
	}()
	// Wait until version 1 holds the function's only slot.
	deadline := time.Now().Add(20 * time.Second)
	for {
		s.mu.Lock()
		r := s.reserved["f"]
		s.mu.Unlock()
		if r != nil && len(r.slots) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("version 1 never took the slot")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := s.InvokeFunction(ctx, "f:2", []byte(`{}`), Invocation{}); !errors.Is(err, runtime.ErrTooManyRequests) {
		t.Errorf("version 2 while version 1 runs: %v, want throttled", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if res, err := s.InvokeFunction(ctx, "f:2", []byte(`{}`), Invocation{}); err != nil || res.ExecutedVersion != "2" {
		t.Errorf("version 2 afterwards: %v %+v", err, res)
	}
}

// TestMissingInterpreter: CreateFunction succeeds (Lambda cannot know this
// machine), and each invocation fails as an unstartable runtime does,
// saying what to install.
func TestMissingInterpreter(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Config{Store: st, CodeDir: filepath.Join(dir, "lambda"), Region: "us-east-1", AccountID: "000000000000",
		Interpreters: map[string]string{"python3": filepath.Join(dir, "no-such-python")}})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Create(ctx, Function{FunctionName: "f", Runtime: "python3.12", Handler: "app.handler"}, pythonZip(t, ""), nil); err != nil {
		t.Fatal(err)
	}
	res, err := s.InvokeFunction(ctx, "f", []byte(`{}`), Invocation{RequestID: "req-1", LogTail: true})
	want := `{"errorMessage":"RequestId: req-1 Error: no Python interpreter for runtime python3.12: fork/exec ` + filepath.Join(dir, "no-such-python") +
		`: no such file or directory (install python3 or pass --lambda-interpreter python3.12=PATH)","errorType":"Runtime.InvalidEntrypoint"}`
	if err != nil || res.FunctionError != "Unhandled" || string(res.Payload) != want || !bytes.HasPrefix(res.Logs, []byte("START RequestId: req-1 Version: $LATEST\n")) {
		t.Errorf("got %v %q %s\nwant %s", err, res.FunctionError, res.Payload, want)
	}
}
