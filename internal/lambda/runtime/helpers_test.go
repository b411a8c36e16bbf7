package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/goleak"
)

// binDir holds the test functions under testdata/functions, built once per
// test run by TestMain.
var binDir string

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "tollgate-lambda-fns-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./testdata/functions/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building the test functions: %w\n%s", err, out)
	}
	binDir = dir
	code := m.Run()
	if code == 0 {
		// fasthttp's idle-worker cleaner notices a server's shutdown only
		// when its sleep (10 s) ends; every other goroutine of a Runtime API
		// server (accept loop, connection workers) is checked.
		if err := goleak.Find(goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2")); err != nil {
			return 1, fmt.Errorf("leaked goroutines: %w", err)
		}
		if pids := childPIDs(); len(pids) > 0 {
			return 1, fmt.Errorf("leaked child processes: %v", pids)
		}
	}
	return code, nil
}

// fnConfig returns a configuration for the test function name.
func fnConfig(t testing.TB, name string) Config {
	return Config{
		Name:       name,
		Handler:    "bootstrap",
		Executable: filepath.Join(binDir, name),
		WorkDir:    t.TempDir(),
		Timeout:    3 * time.Second,
	}
}

// newTestPool starts a pool whose log is recorded, and on cleanup closes it
// and checks that no child process is left.
func newTestPool(t testing.TB, cfg Config) (*Pool, *logStore) {
	t.Helper()
	logs := &logStore{}
	p := NewPool(cfg, slog.New(&recHandler{store: logs}))
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if pids := childPIDs(); len(pids) > 0 {
			t.Errorf("child processes left after Close: %v", pids)
		}
		if t.Failed() {
			for _, r := range logs.all() {
				t.Logf("log: %s %q %v", r.level, r.msg, r.attrs)
			}
		}
	})
	return p, logs
}

func invoke(t testing.TB, p *Pool, payload string, opts Invocation) Result {
	t.Helper()
	res, err := p.Invoke(context.Background(), []byte(payload), opts)
	if err != nil {
		t.Fatalf("Invoke(%.40s): %v", payload, err)
	}
	return res
}

// mustSucceed fails the test unless res is a successful result.
func mustSucceed(t testing.TB, res Result) {
	t.Helper()
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q, payload %.500s", res.FunctionError, res.Payload)
	}
}

// mustFail fails the test unless res is an Unhandled failure, and returns
// its error document.
func mustFail(t testing.TB, res Result) errorDoc {
	t.Helper()
	if res.FunctionError != FunctionErrorUnhandled {
		t.Fatalf("FunctionError = %q, want Unhandled; payload %.500s", res.FunctionError, res.Payload)
	}
	var doc errorDoc
	if err := json.Unmarshal(res.Payload, &doc); err != nil {
		t.Fatalf("error payload %q: %v", res.Payload, err)
	}
	return doc
}

// echoOut is what the echo function returns.
type echoOut struct {
	Event           json.RawMessage             `json:"event"`
	LambdaContext   lambdacontext.LambdaContext `json:"lambdaContext"`
	DeadlineMs      int64                       `json:"deadlineMs"`
	TraceID         string                      `json:"traceId"`
	FunctionName    string                      `json:"functionName"`
	FunctionVersion string                      `json:"functionVersion"`
	MemoryLimitInMB int                         `json:"memoryLimitInMB"`
	LogGroupName    string                      `json:"logGroupName"`
	LogStreamName   string                      `json:"logStreamName"`
	Env             map[string]string           `json:"env"`
	PID             int                         `json:"pid"`
	Cwd             string                      `json:"cwd"`
}

func decode[T any](t testing.TB, res Result) T {
	t.Helper()
	mustSucceed(t, res)
	var v T
	if err := json.Unmarshal(res.Payload, &v); err != nil {
		t.Fatalf("payload %.300q: %v", res.Payload, err)
	}
	return v
}

// childPIDs lists this process's child processes (zombies included).
func childPIDs() []int {
	self := strconv.Itoa(os.Getpid())
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may contain spaces.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == self {
			pids = append(pids, pid)
		}
	}
	return pids
}

// processGone reports whether pid no longer runs (absent, or a zombie
// waiting for its new parent to reap it).
func processGone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

// eventually polls cond for up to 5 seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitGone(t testing.TB, pid int) {
	t.Helper()
	eventually(t, fmt.Sprintf("process %d to be gone", pid), func() bool { return processGone(pid) })
}

func waitNoChildren(t testing.TB) {
	t.Helper()
	eventually(t, "no child processes", func() bool { return len(childPIDs()) == 0 })
}

// logRec is one recorded log record, attributes flattened to strings.
type logRec struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

type logStore struct {
	mu   sync.Mutex
	recs []logRec
}

func (s *logStore) all() []logRec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recs)
}

// find returns the records satisfying match.
func (s *logStore) find(match func(logRec) bool) []logRec {
	var out []logRec
	for _, r := range s.all() {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

// output returns the function output records of request id on stream.
func (s *logStore) output(stream, id string) []logRec {
	return s.find(func(r logRec) bool { return r.attrs["stream"] == stream && r.attrs["requestId"] == id })
}

type recHandler struct {
	store *logStore
	attrs []slog.Attr
}

func (h *recHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRec{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	h.store.mu.Lock()
	h.store.recs = append(h.store.recs, rec)
	h.store.mu.Unlock()
	return nil
}

func (h *recHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &recHandler{store: h.store, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h *recHandler) WithGroup(string) slog.Handler { return h }
