// Package lambda is Tollgate's Lambda service: the functions it knows
// (created through the Lambda API, persisted in the store, or registered
// with --function), their local runtime pools, and invocation — locally
// when the function is local, else through the Lambda Invoke API of the
// configured remote endpoint.
package lambda

import (
	"errors"
	"strings"
	"time"
)

// Function is a function's configuration, as Lambda's API reports it
// (FunctionConfiguration) plus where Tollgate keeps its code.
type Function struct {
	// FunctionName is the function's name, unique in the service.
	FunctionName string `json:"FunctionName"`
	// FunctionArn is the unqualified ARN,
	// arn:aws:lambda:{region}:{account}:function:{name} (a published
	// version's is qualified with its number).
	FunctionArn string `json:"FunctionArn"`
	// Runtime is the Lambda runtime identifier ("provided.al2023" for
	// --function executables); Tollgate runs the code as a local process
	// whatever it says.
	Runtime string `json:"Runtime,omitempty"`
	// Role is the execution role ARN, kept and reported but not assumed.
	Role string `json:"Role,omitempty"`
	// Handler is passed to the runtime as _HANDLER; for a zip it also names
	// the executable when the package has no bootstrap.
	Handler string `json:"Handler,omitempty"`
	// Description is free text.
	Description string `json:"Description"`
	// Timeout is the most an invocation may run, in seconds
	// (DefaultTimeoutSeconds when zero, at most MaxTimeoutSeconds).
	Timeout int `json:"Timeout"`
	// MemorySize is the memory setting in MB (DefaultMemoryMB when zero),
	// reported to the function and used as its soft memory limit.
	MemorySize int `json:"MemorySize"`
	// CodeSize is the deployment package's size in bytes.
	CodeSize int64 `json:"CodeSize"`
	// CodeSha256 is the base64 SHA-256 of the deployment package.
	CodeSha256 string `json:"CodeSha256"`
	// LastModified is when the configuration or code last changed, in
	// Lambda's format "2006-01-02T15:04:05.000+0000".
	LastModified string `json:"LastModified"`
	// Version is "$LATEST", or a published version's number.
	Version string `json:"Version"`
	// Environment holds the environment variables; nil when none are set.
	Environment *Environment `json:"Environment,omitempty"`
	// PackageType is "Zip".
	PackageType string `json:"PackageType"`
	// Architectures is the instruction set list Lambda reports, by default
	// ["x86_64"]; the code runs on the host's architecture.
	Architectures []string `json:"Architectures"`
	// State is "Active": functions are ready as soon as they are created.
	State string `json:"State"`
	// RevisionID changes (a new UUID) with every change of code or
	// configuration; a function's runtime pool restarts when it differs.
	RevisionID string `json:"RevisionId"`
	// Tags are the function's tags, reported by ListTags rather than in the
	// configuration.
	Tags map[string]string `json:"-"`
	// ReservedConcurrency is the function's reserved concurrency
	// (PutFunctionConcurrency): nil when none is set (invocations then
	// queue for one of runtime.DefaultMaxConcurrency instances), else the
	// most concurrent invocations, beyond which Lambda throttles at once
	// (0 throttles every invocation).
	ReservedConcurrency *int `json:"-"`

	// Executable is the program the runtime pool runs: the package's
	// bootstrap, or the --function executable.
	Executable string `json:"-"`
	// CodeDir is the directory holding the code, the process's working
	// directory and LAMBDA_TASK_ROOT.
	CodeDir string `json:"-"`
	// Static functions come from --function and are not stored.
	Static bool `json:"-"`
}

// Environment holds a function's environment variables.
type Environment struct {
	// Variables maps names to values; Lambda's reserved names (AWS_REGION,
	// _HANDLER, ...) are refused when set through the API.
	Variables map[string]string `json:"Variables"`
}

// Defaults Lambda applies.
const (
	DefaultTimeoutSeconds = 3   // Timeout when none is given
	DefaultMemoryMB       = 128 // MemorySize when none is given
	MaxTimeoutSeconds     = 900 // the largest Timeout Lambda accepts (15 minutes)
)

// lastModified formats a time as Lambda does ("2026-11-24T21:15:27.000+0000").
func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// Errors callers map to Lambda's API errors.
var (
	// ErrNotFound: no such function.
	ErrNotFound = errors.New("function not found")
	// ErrExists: CreateFunction for a name that exists.
	ErrExists = errors.New("function already exists")
	// ErrStatic: a change (code, configuration, deletion) to a function
	// registered with --function, which only the command line defines.
	ErrStatic = errors.New("function is registered with --function")
	// ErrClosed: the service is shutting down.
	ErrClosed = errors.New("lambda service closed")
)

// FunctionName extracts the function name from a name, a partial ARN
// ("123456789012:function:name") or a full ARN, with an optional
// qualifier (":$LATEST", ":alias", ":3") dropped (SplitRef keeps it).
func FunctionName(ref string) string {
	if i := strings.Index(ref, "function:"); i >= 0 {
		ref = ref[i+len("function:"):]
	}
	name, _, _ := strings.Cut(ref, ":")
	return name
}
