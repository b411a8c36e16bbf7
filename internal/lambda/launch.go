package lambda

import (
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/managed"
	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// poolConfig is the runtime configuration of fn's instances. For a
// nodejs*/python3.* function it starts the local interpreter with the
// runtime client; an error means no interpreter serves the runtime (the
// invocation then fails as an unstartable runtime does).
func (s *Service) poolConfig(fn Function, version string) (runtime.Config, error) {
	cfg := runtime.Config{
		Name: fn.FunctionName, Handler: fn.Handler, Executable: fn.Executable, WorkDir: fn.CodeDir,
		Timeout: time.Duration(fn.Timeout) * time.Second, MemoryMB: fn.MemorySize,
		Region: s.cfg.Region, AccountID: s.cfg.AccountID, Version: version, Runtime: fn.Runtime,
	}
	if fn.ReservedConcurrency != nil {
		cfg.MaxConcurrency = *fn.ReservedConcurrency
	}
	if fn.Environment != nil {
		cfg.Env = fn.Environment.Variables
	}
	if managed.FamilyOf(fn.Runtime) == managed.None {
		return cfg, nil
	}
	l, err := s.managed.Launch(fn.Runtime, fn.CodeDir)
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
