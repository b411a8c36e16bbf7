package lambda

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/managed"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// launcher starts managed runtimes (Node.js, Python) for the service.
type launcher struct{ *managed.Runtimes }

func newLauncher(cfg Config) launcher {
	// The runtime clients live beside the code, in a directory no
	// function name can take (names have no dots).
	return launcher{managed.New(managed.Config{Dir: filepath.Join(cfg.CodeDir, ".runtime"), Interpreters: cfg.Interpreters})}
}

// isInterpreterError reports a function whose runtime has no usable
// interpreter here.
func isInterpreterError(err error) bool {
	var ie *managed.InterpreterError
	return errors.As(err, &ie)
}

// poolRevision identifies what a pool runs: the version's revision and the
// function's reserved concurrency (which a published version shares).
func poolRevision(fn Function) string {
	if fn.ReservedConcurrency == nil {
		return fn.RevisionID
	}
	return fn.RevisionID + "/" + strconv.Itoa(*fn.ReservedConcurrency)
}

// reservation is a function's reserved concurrency, shared by the pools of
// its versions: a channel of that many slots.
type reservation struct {
	limit int
	slots chan struct{}
}

// reserve takes one of fn's reserved concurrency slots (none to take when
// it has none): a synchronous invocation is throttled at once when they are
// all busy, others wait. The returned function gives the slot back.
func (s *Service) reserve(ctx context.Context, fn Function, sync bool) (func(), error) {
	if fn.ReservedConcurrency == nil {
		return func() {}, nil
	}
	limit := *fn.ReservedConcurrency
	s.mu.Lock()
	r := s.reserved[fn.FunctionName]
	if r == nil || r.limit != limit {
		// A changed limit starts afresh: invocations holding slots of the
		// old one give them back there.
		r = &reservation{limit: limit, slots: make(chan struct{}, limit)}
		s.reserved[fn.FunctionName] = r
	}
	s.mu.Unlock()
	release := func() { <-r.slots }
	select {
	case r.slots <- struct{}{}:
		return release, nil
	default:
	}
	if sync {
		return nil, fmt.Errorf("invoke %s: %w", fn.FunctionName, runtime.ErrTooManyRequests)
	}
	select {
	case r.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("invoke %s: %w: %w", fn.FunctionName, runtime.ErrTooManyRequests, ctx.Err())
	}
}

// poolConfig is the runtime configuration of fn's instances. For a
// nodejs*/python3.* function it starts the local interpreter with the
// runtime client; an error means no interpreter serves the runtime (the
// invocation then fails as an unstartable runtime does).
func (s *Service) poolConfig(fn Function, version string) (runtime.Config, error) {
	cfg := runtime.Config{
		Name: fn.FunctionName, Handler: fn.Handler, Executable: fn.Executable, WorkDir: fn.CodeDir,
		Timeout: time.Duration(fn.Timeout) * time.Second, MemoryMB: fn.MemorySize,
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, Version: version, Runtime: fn.Runtime, Logs: s.cfg.Logs,
	}
	if fn.ReservedConcurrency != nil {
		cfg.MaxConcurrency = *fn.ReservedConcurrency
	}
	if fn.Environment != nil {
		cfg.Env = fn.Environment.Variables
	}
	if rc := s.cfg.RoleCredentials; rc != nil && fn.Role != "" {
		if id, secret, ok := rc(fn.Role); ok {
			cfg.Credentials = &runtime.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		}
	}
	if managed.FamilyOf(fn.Runtime) == managed.None {
		return cfg, nil
	}
	l, err := s.launcher.Launch(fn.Runtime, fn.CodeDir)
	if err != nil {
		s.warnOnce("interp\x00"+fn.FunctionName+"\x00"+err.Error(), "cannot run the function", "function", fn.FunctionName, "error", err)
		return cfg, err
	}
	if l.Mismatch {
		s.warnOnce("mismatch\x00"+fn.FunctionName+"\x00"+fn.Runtime+"\x00"+l.Executable,
			fmt.Sprintf("function %s: runtime %s, running on %s", fn.FunctionName, fn.Runtime, l.Interpreter),
			"function", fn.FunctionName, "interpreter", l.Executable)
	}
	cfg.Executable, cfg.Args, cfg.RuntimeDir, cfg.BaseEnv = l.Executable, l.Args, l.RuntimeDir, l.BaseEnv
	return cfg, nil
}

// warnOnce logs a warning the first time key is seen.
func (s *Service) warnOnce(key, msg string, args ...any) {
	s.mu.Lock()
	seen := s.warned[key]
	s.warned[key] = true
	s.mu.Unlock()
	if !seen {
		s.log.Warn(msg, args...)
	}
}
