package lambda

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate/internal/lambda/managed"
)

// executableHandler is the handler unpack may take for the executable's
// name (the go1.x convention), or "" for a managed runtime, whose handler
// names a module.
func executableHandler(fn Function) string {
	if managed.FamilyOf(fn.Runtime) != managed.None {
		return ""
	}
	return fn.Handler
}

// Default handlers of a --function directory without handler=, as the
// Lambda console names them for new functions.
const (
	defaultNodeHandler   = "index.handler"
	defaultPythonHandler = "lambda_function.lambda_handler"
)

// LocalSpec is a --function registration: NAME=PATH followed by optional
// ",key=value" settings (runtime, handler, timeout, memory).
type LocalSpec struct {
	Name, Path       string
	Runtime, Handler string
	Timeout, Memory  int
}

// ParseLocalSpec parses "PATH[,runtime=R][,handler=H][,timeout=S][,memory=MB]",
// the part of a --function value after "NAME=".
func ParseLocalSpec(name, spec string) (LocalSpec, error) {
	parts := strings.Split(spec, ",")
	ls := LocalSpec{Name: name, Path: parts[0]}
	if name == "" || ls.Path == "" {
		return ls, fmt.Errorf("want NAME=PATH[,runtime=R][,handler=H][,timeout=S][,memory=MB]")
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" {
			return ls, fmt.Errorf("function %s: %q: want key=value", name, kv)
		}
		var err error
		switch k {
		case "runtime":
			ls.Runtime = v
		case "handler":
			ls.Handler = v
		case "timeout":
			ls.Timeout, err = strconv.Atoi(v)
			if err == nil && (ls.Timeout < 1 || ls.Timeout > MaxTimeoutSeconds) {
				err = fmt.Errorf("want 1 to %d seconds", MaxTimeoutSeconds)
			}
		case "memory":
			ls.Memory, err = strconv.Atoi(v)
			if err == nil && (ls.Memory < 128 || ls.Memory > 10240) {
				err = fmt.Errorf("want 128 to 10240 MB")
			}
		default:
			err = fmt.Errorf("unknown setting (want runtime, handler, timeout or memory)")
		}
		if err != nil {
			return ls, fmt.Errorf("function %s: %s: %v", name, kv, err)
		}
	}
	if ls.Runtime != "" && managed.FamilyOf(ls.Runtime) == managed.None && !strings.HasPrefix(ls.Runtime, "provided") {
		return ls, fmt.Errorf("function %s: runtime %s: Tollgate runs nodejs*, python3.* and provided* functions", name, ls.Runtime)
	}
	return ls, nil
}

// RegisterLocal registers a function served from disk (--function
// NAME=SPEC, SPEC as ParseLocalSpec reads it): an executable, a directory
// holding a bootstrap, or with runtime=nodejs*/python3.* a directory of
// Node.js or Python code. It is not stored, shadows a stored function of
// the same name, and is reloaded when its files change.
func (s *Service) RegisterLocal(name, spec string) error {
	ls, err := ParseLocalSpec(name, spec)
	if err != nil {
		return err
	}
	fn, watch, err := s.localFunction(ls)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.static[name] = fn
	s.mu.Unlock()
	s.watchLocal(name, watch)
	if managed.FamilyOf(fn.Runtime) != managed.None {
		// Resolve the interpreter now, in the background (a version
		// manager's shims can take seconds), so that a missing or
		// different one is reported at start-up rather than at the first
		// invocation, which waits for this resolution if it comes first.
		s.watchers.Add(1)
		go func() {
			defer s.watchers.Done()
			_, _ = s.poolConfig(fn, "$LATEST")
		}()
	}
	return nil
}

// localFunction builds the function a --function registration describes,
// and what to watch for its changes: a directory as a tree, an executable
// alone (its directory may be anything, a working directory say).
func (s *Service) localFunction(ls LocalSpec) (Function, watchTarget, error) {
	var watch watchTarget
	abs, err := filepath.Abs(ls.Path)
	if err != nil {
		return Function{}, watch, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Function{}, watch, fmt.Errorf("function %s: %w", ls.Name, err)
	}
	watch.dir = abs
	if !fi.IsDir() {
		watch.dir, watch.file = filepath.Dir(abs), filepath.Base(abs)
	}
	fn := Function{FunctionName: ls.Name, Runtime: ls.Runtime, Handler: ls.Handler, Timeout: ls.Timeout, MemorySize: ls.Memory}
	switch managed.FamilyOf(ls.Runtime) {
	case managed.NodeJS, managed.Python:
		if !fi.IsDir() {
			return Function{}, watch, fmt.Errorf("function %s: runtime %s runs a directory of code; %s is a file", ls.Name, ls.Runtime, abs)
		}
		if fn.Handler == "" {
			fn.Handler = defaultNodeHandler
			if managed.FamilyOf(ls.Runtime) == managed.Python {
				fn.Handler = defaultPythonHandler
			}
		}
		fn.CodeDir = abs
	default:
		exe := abs
		if fi.IsDir() {
			exe = filepath.Join(abs, "bootstrap")
			if fi, err = os.Stat(exe); err != nil {
				return Function{}, watch, fmt.Errorf("function %s: %s has no bootstrap: build one there, or name the runtime of its code (%s=%s,runtime=nodejs22.x or runtime=python3.12)",
					ls.Name, abs, ls.Name, ls.Path)
			}
		}
		if fi.Mode()&0o111 == 0 {
			return Function{}, watch, fmt.Errorf("function %s: %s is not executable", ls.Name, exe)
		}
		if fn.Runtime == "" {
			fn.Runtime = "provided.al2023"
		}
		if fn.Handler == "" {
			fn.Handler = filepath.Base(exe)
		}
		fn.Executable, fn.CodeDir = exe, filepath.Dir(exe)
		fn.CodeSize = fi.Size()
	}
	fn = s.defaults(fn)
	fn.Static = true
	fn.RevisionID = uuid.NewString()
	return fn, watch, nil
}
