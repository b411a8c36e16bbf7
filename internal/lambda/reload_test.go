package lambda

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
)

// logLines records the messages logged.
type logLines struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.msgs = append(l.msgs, r.Message)
	l.mu.Unlock()
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

func (l *logLines) has(prefix string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.msgs, func(m string) bool { return strings.HasPrefix(m, prefix) })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHotReload: a --function directory reloads when a file changes: the
// invocation in flight finishes on the old code, later ones run the new
// code in a new process, and one line says so.
func TestHotReload(t *testing.T) {
	dir := t.TempDir()
	write := func(version string) {
		code := `const version = "` + version + `";
exports.handler = async (event) => {
  if (event.ms) await new Promise((r) => setTimeout(r, event.ms));
  return { version, pid: process.pid };
};`
		if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	logs := &logLines{}
	s := New(Config{CodeDir: t.TempDir(), Region: "us-east-1", AccountID: "000000000000", Log: slog.New(logs)})
	t.Cleanup(func() { _ = s.Close() })
	if err := s.RegisterLocal("hot", dir+",runtime=nodejs20.x,timeout=30"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type out struct {
		Version string
		PID     int
	}
	invoke := func(payload string) out {
		t.Helper()
		res, err := s.InvokeFunction(ctx, "hot", []byte(payload), Invocation{})
		if err != nil || res.FunctionError != "" {
			t.Fatalf("invoke: %v %s", err, res.Payload)
		}
		var o out
		_ = json.Unmarshal(res.Payload, &o)
		return o
	}
	first := invoke(`{}`)
	if first.Version != "one" {
		t.Fatalf("first: %+v", first)
	}
	slow := make(chan out, 1)
	go func() { slow <- invoke(`{"ms":1500}`) }()
	waitFor(t, "the slow invocation to be running", func() bool {
		s.mu.Lock()
		e := s.pools[poolKey{"hot", "$LATEST"}]
		s.mu.Unlock()
		return e != nil && e.pool.Stats().Busy == 1
	})
	write("two")
	waitFor(t, "the reload line", func() bool {
		return logs.has("function hot: code changed (1 file); replacing 1 warm instance")
	})
	if o := <-slow; o.Version != "one" || o.PID != first.PID {
		t.Errorf("the invocation in flight: %+v, want version one on pid %d", o, first.PID)
	}
	if o := invoke(`{}`); o.Version != "two" || o.PID == first.PID {
		t.Errorf("after the reload: %+v, want version two in a new process", o)
	}
}

// TestWatchIgnores: caches, version control and editor files are not code.
func TestWatchIgnores(t *testing.T) {
	for rel, want := range map[string]bool{
		"index.js": false, "src/app.py": false, "node_modules/x/index.js": false,
		".git/HEAD": true, "pkg/__pycache__/app.cpython-311.pyc": true, "app.pyc": true, ".index.js.swp": true,
		"index.js~": true, ".#index.js": true, "4913": true,
	} {
		if got := ignoredPath(rel); got != want {
			t.Errorf("ignoredPath(%q) = %v", rel, got)
		}
	}
	exe := watchTarget{dir: "/srv", file: "hello"}
	if !exe.relevant("/srv/hello") || exe.relevant("/srv/other") || exe.relevant("/srv/sub/hello") {
		t.Error("an executable's watch must look at that file only")
	}
	tree := watchTarget{dir: "/code"}
	if !tree.relevant("/code/a/b.js") || tree.relevant("/codex/a.js") || tree.relevant("/code/__pycache__/a.pyc") {
		t.Error("a tree's watch must look at its files but not at ignored ones")
	}
}

// TestWatchers: both watchers report a changed file, and not an ignored
// one written before it.
func TestWatchers(t *testing.T) {
	for name, start := range map[string]func(watchTarget, chan<- string) (watcher, error){
		"inotify": newInotifyWatcher,
		"poll":    func(t watchTarget, c chan<- string) (watcher, error) { return newPollWatcher(t, c), nil },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "__pycache__"), 0o755); err != nil {
				t.Fatal(err)
			}
			changes := make(chan string, 16)
			w, err := start(watchTarget{dir: dir}, changes)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { w.run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			_ = os.WriteFile(filepath.Join(dir, "__pycache__", "x.pyc"), []byte("x"), 0o644)
			_ = os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
			_ = os.WriteFile(filepath.Join(dir, "sub", "app.py"), []byte("x"), 0o644)
			select {
			case p := <-changes:
				if p != filepath.Join(dir, "sub") && p != filepath.Join(dir, "sub", "app.py") {
					t.Errorf("first change %q", p)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no change reported")
			}
		})
	}
}
