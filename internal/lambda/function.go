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
	FunctionName  string            `json:"FunctionName"`
	FunctionArn   string            `json:"FunctionArn"`
	Runtime       string            `json:"Runtime,omitempty"`
	Role          string            `json:"Role,omitempty"`
	Handler       string            `json:"Handler,omitempty"`
	Description   string            `json:"Description"`
	Timeout       int               `json:"Timeout"`
	MemorySize    int               `json:"MemorySize"`
	CodeSize      int64             `json:"CodeSize"`
	CodeSha256    string            `json:"CodeSha256"`
	LastModified  string            `json:"LastModified"`
	Version       string            `json:"Version"`
	Environment   *Environment      `json:"Environment,omitempty"`
	PackageType   string            `json:"PackageType"`
	Architectures []string          `json:"Architectures"`
	State         string            `json:"State"`
	RevisionID    string            `json:"RevisionId"`
	Tags          map[string]string `json:"-"`
	// ReservedConcurrency is the function's reserved concurrency
	// (PutFunctionConcurrency): nil when none is set (invocations then
	// queue for one of runtime.DefaultMaxConcurrency instances), else the
	// most concurrent invocations, beyond which Lambda throttles at once
	// (0 throttles every invocation).
	ReservedConcurrency *int `json:"-"`

	// Local code: the executable to run and the directory holding it.
	Executable string `json:"-"`
	CodeDir    string `json:"-"`
	// Static functions come from --function and are not stored.
	Static bool `json:"-"`
}

// Environment holds a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables"`
}

// Defaults Lambda applies.
const (
	DefaultTimeoutSeconds = 3
	DefaultMemoryMB       = 128
	MaxTimeoutSeconds     = 900
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
// qualifier (":$LATEST", ":alias", ":3") dropped; Tollgate serves $LATEST.
func FunctionName(ref string) string {
	if i := strings.Index(ref, "function:"); i >= 0 {
		ref = ref[i+len("function:"):]
	}
	name, _, _ := strings.Cut(ref, ":")
	return name
}
