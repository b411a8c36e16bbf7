package runtime

import (
	"log/slog"
	"path/filepath"
	"time"
)

// Defaults applied to the zero values of [Config]'s optional fields.
const (
	DefaultTimeout        = 3 * time.Second   // Config.Timeout
	DefaultInitTimeout    = 10 * time.Second  // Config.InitTimeout
	DefaultMemoryMB       = 128               // Config.MemoryMB
	DefaultMaxConcurrency = 10                // Config.MaxConcurrency
	DefaultIdleTimeout    = 5 * time.Minute   // Config.IdleTimeout
	DefaultRegion         = "us-east-1"       // Config.Region
	DefaultAccountID      = "000000000000"    // Config.AccountID
	DefaultVersion        = "$LATEST"         // Config.Version
	DefaultRuntime        = "provided.al2023" // Config.Runtime
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
	// executable, or the interpreter of a managed runtime (node, python3).
	// A relative path is taken relative to WorkDir.
	Executable string
	// Args are the program's arguments (after its name), such as the
	// runtime client script an interpreter runs.
	Args []string
	// WorkDir is the directory holding the code: the process's working
	// directory and LAMBDA_TASK_ROOT. It defaults to the directory of an
	// absolute Executable.
	WorkDir string
	// Env holds the function's environment variables. Keys Lambda reserves
	// (see [IsReservedEnv]) are ignored: Lambda refuses them at configuration
	// time, so callers validating a configuration should reject them there.
	Env map[string]string
	// Credentials, when set, are the execution role's credentials, given
	// to the function as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as
	// Lambda gives a function its role's (so that an SDK in the function
	// signs its calls, e.g. @connections callbacks).
	Credentials *Credentials
	// Timeout bounds each invocation (default 3 s).
	Timeout time.Duration
	// InitTimeout bounds the runtime's initialisation, from the start of
	// the process to its first request for an invocation (default 10 s,
	// Lambda's limit: "The Init phase is limited to 10 seconds", AWS Lambda
	// Developer Guide, "Understanding the Lambda execution environment
	// lifecycle"); a longer Timeout extends it, as Lambda then retries the
	// initialisation within the invocation. A process past it is killed
	// and the invocation fails as timed out.
	InitTimeout time.Duration
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
	// Version is the function version the instances run:
	// AWS_LAMBDA_FUNCTION_VERSION and the "[version]" of the log stream
	// name (default "$LATEST").
	Version string
	// Runtime is the Lambda runtime identifier the function declares:
	// AWS_EXECUTION_ENV is "AWS_Lambda_" followed by it (default
	// "provided.al2023").
	Runtime string
	// RuntimeDir is LAMBDA_RUNTIME_DIR (default /var/runtime, which
	// provided runtimes do not use): where a managed runtime's client lives.
	RuntimeDir string
	// BaseEnv holds the unreserved variables a managed runtime adds to the
	// environment or changes (PATH, NODE_PATH, PYTHONPATH…): they replace
	// the defaults, and the function's Env may replace them in turn.
	BaseEnv map[string]string
	// Logs, when set, receives the instances' logs as CloudWatch Logs
	// events (see CloudLogs).
	Logs CloudLogs
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
	if c.InitTimeout <= 0 {
		c.InitTimeout = DefaultInitTimeout
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
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.Runtime == "" {
		c.Runtime = DefaultRuntime
	}
	if c.RuntimeDir == "" {
		c.RuntimeDir = defaultRuntimeDir
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
	c.Args = append([]string(nil), c.Args...)
	base := make(map[string]string, len(c.BaseEnv))
	for k, v := range c.BaseEnv {
		base[k] = v
	}
	c.BaseEnv = base
	return c
}

// logAttrs are the attributes every log record about the function carries.
func (c Config) logAttrs() slog.Attr {
	return slog.String("function", c.Name)
}

// Credentials are an access key pair a function runs with.
type Credentials struct {
	AccessKeyID, SecretAccessKey string
}
