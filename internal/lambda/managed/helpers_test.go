package managed_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/managed"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// runtimes is shared by the tests: an interpreter is probed once per
// runtime name (through version-manager shims, that takes a while).
var runtimes *managed.Runtimes

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tollgate-managed-")
	if err != nil {
		panic(err)
	}
	runtimes = managed.New(managed.Config{Dir: filepath.Join(dir, ".runtime")})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fn is a managed-runtime function under test: its code in a temporary
// directory, run by a runtime pool on the machine's own interpreter.
type fn struct {
	t    testing.TB
	pool *runtime.Pool
	dir  string // the code (LAMBDA_TASK_ROOT)
	rt   string // the runtime client directory (LAMBDA_RUNTIME_DIR)
	logs *logStore
	cfg  runtime.Config
}

// newFn writes files into a new code directory and starts a pool for it.
func newFn(t testing.TB, runtimeName, handler string, files map[string]string, edit ...func(*runtime.Config)) *fn {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := runtimes.Launch(runtimeName, dir)
	if err != nil {
		t.Fatalf("Launch(%s): %v", runtimeName, err)
	}
	cfg := runtime.Config{
		Name: "fn", Handler: handler, Executable: l.Executable, Args: l.Args, WorkDir: dir,
		RuntimeDir: l.RuntimeDir, BaseEnv: l.BaseEnv, Runtime: runtimeName, Timeout: 5 * time.Second,
		Region: "eu-west-1", AccountID: "123456789012",
	}
	for _, e := range edit {
		e(&cfg)
	}
	logs := &logStore{}
	p := runtime.NewPool(cfg, slog.New(&recHandler{store: logs}))
	t.Cleanup(func() {
		_ = p.Close()
		if t.Failed() {
			for _, r := range logs.all() {
				t.Logf("log: %s %q %v", r.level, r.msg, r.attrs)
			}
		}
	})
	return &fn{t: t, pool: p, dir: dir, rt: l.RuntimeDir, logs: logs, cfg: cfg}
}

// invoke runs one invocation with a log tail.
func (f *fn) invoke(payload string, opts ...func(*runtime.Invocation)) runtime.Result {
	f.t.Helper()
	inv := runtime.Invocation{LogTail: true}
	for _, o := range opts {
		o(&inv)
	}
	res, err := f.pool.Invoke(context.Background(), []byte(payload), inv)
	if err != nil {
		f.t.Fatalf("Invoke: %v", err)
	}
	return res
}

// ok invokes and decodes a successful result into v.
func (f *fn) ok(payload string, v any) runtime.Result {
	f.t.Helper()
	res := f.invoke(payload)
	if res.FunctionError != "" {
		f.t.Fatalf("FunctionError %q: %s\nlogs:\n%s", res.FunctionError, res.Payload, res.Logs)
	}
	if v != nil {
		if err := json.Unmarshal(res.Payload, v); err != nil {
			f.t.Fatalf("payload %s: %v", res.Payload, err)
		}
	}
	return res
}

// fails invokes and returns the error document's members in order.
func (f *fn) fails(payload string) (runtime.Result, orderedDoc) {
	f.t.Helper()
	res := f.invoke(payload)
	if res.FunctionError != runtime.FunctionErrorUnhandled {
		f.t.Fatalf("FunctionError %q, want Unhandled: %s", res.FunctionError, res.Payload)
	}
	return res, parseOrdered(f.t, res.Payload)
}

// orderedDoc is a JSON object's members in their order.
type orderedDoc struct {
	keys []string
	vals map[string]json.RawMessage
}

func (d orderedDoc) str(k string) string {
	var s string
	_ = json.Unmarshal(d.vals[k], &s)
	return s
}

func (d orderedDoc) strs(k string) []string {
	var s []string
	_ = json.Unmarshal(d.vals[k], &s)
	return s
}

func parseOrdered(t testing.TB, b []byte) orderedDoc {
	t.Helper()
	d := orderedDoc{vals: map[string]json.RawMessage{}}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", b)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		d.keys = append(d.keys, tok.(string))
		d.vals[tok.(string)] = v
	}
	return d
}

// lines returns the log tail's lines.
func lines(res runtime.Result) []string {
	return strings.Split(strings.TrimSuffix(string(res.Logs), "\n"), "\n")
}

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

// output returns the function's output lines logged with request id id
// ("" for the initialisation).
func (s *logStore) output(id string) []string {
	var out []string
	for _, r := range s.all() {
		if r.attrs["stream"] != "" && r.attrs["requestId"] == id {
			out = append(out, r.msg)
		}
	}
	return out
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

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}
