package runtime

import (
	"io"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/randid"
	"github.com/tollgate/tollgate/internal/xray"
)

// Invocation carries the optional metadata of one invocation.
type Invocation struct {
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id); a
	// random UUID when empty.
	RequestID string
	// TraceID is the caller's X-Ray header, passed as
	// Lambda-Runtime-Trace-Id with a Parent and a sampling decision added
	// when it lacks them; a new, unsampled trace when empty or invalid.
	TraceID string
	// InvokedARN is the function ARN as the caller named it, passed as
	// Lambda-Runtime-Invoked-Function-Arn: unqualified, or with the
	// version or alias it was invoked through (…:function:f:live). The
	// function's unqualified ARN when empty.
	InvokedARN string
	// ClientContext and CognitoIdentity are passed, when set, as the
	// Lambda-Runtime-Client-Context and Lambda-Runtime-Cognito-Identity
	// headers (JSON documents, as the Invoke API receives them).
	ClientContext, CognitoIdentity string
	// Deadline, when set and earlier than the function's timeout allows,
	// ends the invocation sooner (Lambda-Runtime-Deadline-Ms and the
	// timeout both follow it).
	Deadline time.Time
	// FailFast makes the invocation fail at once with [ErrTooManyRequests]
	// when every concurrency slot is busy, instead of waiting for one:
	// Lambda's answer when a function's reserved concurrency is exhausted.
	FailFast bool
	// LogTail asks for the output the function writes during the
	// invocation in [Result.Logs] (Lambda's X-Amz-Log-Type: Tail).
	LogTail bool
}

// Result is what an invocation produced, as Lambda's Invoke returns it.
type Result struct {
	// Payload is the function's response, or on failure an error document
	// {"errorMessage","errorType","stackTrace"} (the function's own, or the
	// one Lambda writes for crashes, timeouts and oversized responses).
	Payload []byte
	// FunctionError is "" on success and [FunctionErrorUnhandled] on any
	// failure: Lambda's X-Amz-Function-Error header.
	FunctionError string
	// Duration is the time from handing the invocation to the runtime to
	// its answer.
	Duration time.Duration
	// InitDuration is how long the instance took to start and ask for its
	// first invocation; it is non-zero only on a cold start.
	InitDuration time.Duration
	// Logs holds the last MaxLogTail bytes of what the function wrote to
	// stdout and stderr during the invocation, one line each, when
	// Invocation.LogTail asked for them.
	Logs []byte
	// MaxMemoryMB is the instance's peak resident memory after the
	// invocation, in MB (0 when not known): REPORT's Max Memory Used.
	MaxMemoryMB int
	// Stream is set by [Pool.InvokeStream] when the runtime answered in
	// the streaming response mode: it yields the response as the function
	// writes it and ends with io.EOF, or with a *[FunctionError] when the
	// function failed. Payload and FunctionError are then unset, and
	// Duration and Logs are not known. The caller must Close it.
	Stream io.ReadCloser
	// ContentType is the Content-Type the runtime gave a streamed response.
	ContentType string
}

// MaxLogTail bounds Result.Logs (Lambda returns the last 4 KB).
const MaxLogTail = 4096

// logTail collects an invocation's output lines, keeping the last
// MaxLogTail bytes.
type logTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *logTail) add(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(append(t.buf, line...), '\n')
	if len(t.buf) > 2*MaxLogTail {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-MaxLogTail:]...)
	}
}

func (t *logTail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > MaxLogTail {
		b = b[len(b)-MaxLogTail:]
	}
	return append([]byte(nil), b...)
}

// invocation is an invocation on its way through an instance.
type invocation struct {
	id, traceID                    string
	invokedARN                     string // "" means the instance's unqualified ARN
	clientContext, cognitoIdentity string
	payload                        []byte
	maxDeadline                    time.Time  // Invocation.Deadline
	tail                           *logTail   // nil unless Invocation.LogTail
	deadline                       time.Time  // set before delivery
	done                           chan reply // the runtime's answer; capacity 1

	// Guarded by the instance's mu:
	stream  *responseStream // the streamed answer, once the runtime began it
	failure []byte          // the error document of whoever ended it, if it ended a stream
}

// reply is the runtime's answer to an invocation: a whole payload, or the
// start of a streamed response.
type reply struct {
	payload []byte
	failed  bool
	stream  *responseStream
}

func newInvocation(payload []byte, opts Invocation) *invocation {
	inv := &invocation{
		id:              opts.RequestID,
		traceID:         opts.TraceID,
		invokedARN:      opts.InvokedARN,
		clientContext:   opts.ClientContext,
		cognitoIdentity: opts.CognitoIdentity,
		payload:         payload,
		maxDeadline:     opts.Deadline,
		done:            make(chan reply, 1),
	}
	if opts.LogTail {
		inv.tail = &logTail{}
	}
	if inv.id == "" {
		inv.id = randid.UUID()
	}
	inv.traceID = xray.Complete(inv.traceID, time.Now())
	return inv
}
