package lambda

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Hot reload of --function registrations: their code is watched (the
// directory tree, or the executable alone), and a change gives the function
// a new revision once the files have been quiet for reloadQuiet. Its pool
// is then updated at once: idle instances stop, busy ones finish their
// invocation on the old code and stop, later invocations start processes
// on the new code. Processes are replaced, never reloaded in place (Node's
// module cache and Python's sys.modules cannot be invalidated reliably).

// reloadQuiet is how long the files must stay unchanged before a reload:
// build tools and editors write several files, or one file several times.
const reloadQuiet = 300 * time.Millisecond

// pollInterval is how often the polling watcher (where inotify is not
// available) looks at the files.
const pollInterval = 500 * time.Millisecond

// watchTarget is what a registration's watcher looks at: a directory tree,
// or one file (an executable) in dir.
type watchTarget struct {
	dir  string
	file string // "" for the whole tree under dir
}

// ignoredPath reports files whose changes never reload a function: version
// control, Python's bytecode caches, editors' swap and backup files.
func ignoredPath(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == ".git" || part == "__pycache__" {
			return true
		}
	}
	base := filepath.Base(rel)
	return strings.HasSuffix(base, ".pyc") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") ||
		strings.HasSuffix(base, "~") || strings.HasPrefix(base, ".#") || base == "4913" // vim's write test
}

// relevant reports whether a change of path (absolute) matters to t.
func (t watchTarget) relevant(path string) bool {
	if t.file != "" {
		return filepath.Dir(path) == t.dir && filepath.Base(path) == t.file
	}
	rel, err := filepath.Rel(t.dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	return !ignoredPath(rel)
}

// watchLocal starts watching a --function registration's code. It stops
// when the service closes.
func (s *Service) watchLocal(name string, t watchTarget) {
	changes := make(chan string, 64)
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.stopWatch = append(s.stopWatch, cancel)
	s.mu.Unlock()
	w, err := newInotifyWatcher(t, changes)
	if err != nil {
		s.log.Debug("watching with inotify failed; polling", "function", name, "error", err)
		w = newPollWatcher(t, changes)
	}
	s.watchers.Add(2)
	go func() {
		defer s.watchers.Done()
		w.run(ctx)
	}()
	go func() {
		defer s.watchers.Done()
		s.debounce(ctx, name, changes)
	}()
}

// watcher reports changed paths until its context ends.
type watcher interface{ run(ctx context.Context) }

// debounce reloads the function once changes have been quiet for
// reloadQuiet, counting the distinct files changed.
func (s *Service) debounce(ctx context.Context, name string, changes <-chan string) {
	changed := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case p := <-changes:
			changed[p] = true
			timer.Reset(reloadQuiet)
		case <-timer.C:
			s.reload(name, countChanged(changed))
			changed = map[string]bool{}
		}
	}
}

// countChanged counts the changed files for the reload line: those that
// exist, not the temporary files tools write and rename away (sed -i,
// editors); only when nothing changed exists (deletions) the deleted ones.
func countChanged(paths map[string]bool) int {
	n := 0
	for p := range paths {
		if _, err := os.Lstat(p); err == nil {
			n++
		}
	}
	if n == 0 {
		return len(paths)
	}
	return n
}

// reload gives a --function registration a new revision and replaces its
// instances, logging one line.
func (s *Service) reload(name string, files int) {
	s.mu.Lock()
	fn, ok := s.static[name]
	if !ok || s.closed {
		s.mu.Unlock()
		return
	}
	fn.RevisionID = uuid.NewString()
	fn.LastModified = lastModified(s.cfg.Now())
	if fi, err := os.Stat(fn.Executable); err == nil && fn.Executable != "" {
		fn.CodeSize = fi.Size()
	}
	s.static[name] = fn
	e := s.pools[poolKey{name, "$LATEST"}]
	s.mu.Unlock()
	warm := 0
	if e != nil {
		warm = e.pool.Stats().Instances
		// Replace the instances now rather than at the next invocation:
		// idle ones stop, busy ones finish on the old code.
		if _, err := s.pool(fn, "$LATEST"); err != nil {
			s.log.Warn("reloading the function", "function", name, "error", err)
		}
	}
	s.log.Info(fmt.Sprintf("function %s: code changed (%s); replacing %s", name, plural(files, "file"), plural(warm, "warm instance")))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// stopWatching stops every watcher and waits for them.
func (s *Service) stopWatching() {
	s.mu.Lock()
	stops := s.stopWatch
	s.stopWatch = nil
	s.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	s.watchers.Wait()
}

// pollWatcher finds changes by comparing the files' sizes, modification
// times and modes every pollInterval.
type pollWatcher struct {
	t       watchTarget
	changes chan<- string
	prev    map[string]fileState // the files as last seen
}

// newPollWatcher looks at the files at once: changes after it returns are
// reported.
func newPollWatcher(t watchTarget, changes chan<- string) watcher {
	p := &pollWatcher{t: t, changes: changes}
	p.prev = p.snapshot()
	return p
}

type fileState struct {
	size  int64
	mtime time.Time
	mode  fs.FileMode
}

func (p *pollWatcher) snapshot() map[string]fileState {
	out := map[string]fileState{}
	add := func(path string, fi fs.FileInfo) {
		out[path] = fileState{size: fi.Size(), mtime: fi.ModTime(), mode: fi.Mode()}
	}
	if p.t.file != "" {
		path := filepath.Join(p.t.dir, p.t.file)
		if fi, err := os.Stat(path); err == nil {
			add(path, fi)
		}
		return out
	}
	_ = filepath.WalkDir(p.t.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(p.t.dir, path)
		if rel != "." && ignoredPath(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if fi, err := d.Info(); err == nil && !d.IsDir() {
			add(path, fi)
		}
		return nil
	})
	return out
}

func (p *pollWatcher) run(ctx context.Context) {
	prev := p.prev
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cur := p.snapshot()
		for path, st := range cur {
			if old, ok := prev[path]; !ok || old != st {
				p.send(ctx, path)
			}
		}
		for path := range prev {
			if _, ok := cur[path]; !ok {
				p.send(ctx, path)
			}
		}
		prev = cur
	}
}

func (p *pollWatcher) send(ctx context.Context, path string) {
	select {
	case p.changes <- path:
	case <-ctx.Done():
	}
}
