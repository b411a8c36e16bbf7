package runtime

import (
	"log/slog"
	"path/filepath"
	"time"
)

// Defaults applied to the zero values of [Config]'s optional fields.
const (
	DefaultTimeout        = 3 * time.Second // Config.Timeout
	DefaultMemoryMB       = 128             // Config.MemoryMB
	DefaultMaxConcurrency = 10              // Config.MaxConcurrency
	DefaultIdleTimeout    = 5 * time.Minute // Config.IdleTimeout
	DefaultRegion         = "us-east-1"     // Config.Region
	DefaultAccountID      = "000000000000"  // Config.AccountID
)

// Config describes one function: its code and the settings Lambda applies to
// it. A Pool copies it; change it with [Pool.Update].
type Config struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME, ARN, log group).
	Name string
	// Handler is passed as _HANDLER. Provided runtimes treat it as
	// informational; aws-lambda-go ignores it.
	Handler string
	// Executable is the program to run: the function's bootstrap or any
	// executable. A relative path is taken relative to WorkDir.
	Executable string
	// WorkDir is the directory holding the code: the process's working
	// directory and LAMBDA_TASK_ROOT. It defaults to the directory of an
	// absolute Executable.
	WorkDir string
	// Env holds the function's environment variables. Keys Lambda reserves
	// (see [IsReservedEnv]) are ignored: Lambda refuses them at configuration
	// time, so callers validating a configuration should reject them there.
	Env map[string]string
	// Timeout bounds each invocation (default 3 s). It also bounds the
	// runtime's initialisation: a process that has not asked for its first
	// invocation after Timeout is killed.
	Timeout time.Duration
	// MemoryMB is reported as AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128).
	// It is not a hard limit. As a soft limit, GOMEMLIMIT is set to this
	// size unless Env sets it, which Go functions honour and others ignore.
	MemoryMB int
	// MaxConcurrency is the function's reserved concurrency: the most
	// instances, and so invocations, running at once (default 10).
	MaxConcurrency int
	// IdleTimeout is how long an instance may stay unused before it is
	// stopped (default 5 minutes).
	IdleTimeout time.Duration
	// Region and AccountID go into the function ARN and AWS_REGION
	// (defaults us-east-1 and 000000000000).
	Region, AccountID string
}

// FunctionARN returns the function's unqualified ARN,
// arn:aws:lambda:{region}:{account}:function:{name}, with defaults applied.
func (c Config) FunctionARN() string {
	c = c.withDefaults()
	return "arn:aws:lambda:" + c.Region + ":" + c.AccountID + ":function:" + c.Name
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MemoryMB <= 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = DefaultMaxConcurrency
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.WorkDir == "" && filepath.IsAbs(c.Executable) {
		c.WorkDir = filepath.Dir(c.Executable)
	}
	// Copy the map so that the caller may keep changing its own.
	env := make(map[string]string, len(c.Env))
	for k, v := range c.Env {
		env[k] = v
	}
	c.Env = env
	return c
}

// logAttrs are the attributes every log record about the function carries.
func (c Config) logAttrs() slog.Attr {
	return slog.String("function", c.Name)
}
