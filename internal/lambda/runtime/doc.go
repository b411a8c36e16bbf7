// Package runtime runs Lambda functions locally as child processes that speak
// the Lambda Runtime API (version 2018-06-01), without containers.
//
// A [Pool] serves one function. Each instance of the function is a child
// process (the function's bootstrap or any executable built for the
// provided.al2/provided.al2023 runtimes, such as an aws-lambda-go program)
// started with the environment Lambda gives a custom runtime, including
// AWS_LAMBDA_RUNTIME_API pointing at a Runtime API listener on 127.0.0.1 that
// belongs to that instance alone. A managed runtime (Node.js, Python) is the
// same to the pool: an interpreter (Config.Executable) running a runtime
// client script (Config.Args) that speaks the Runtime API; package managed
// says which. The runtime fetches invocations from
// GET /2018-06-01/runtime/invocation/next and answers them through the
// response and error endpoints, exactly as in Lambda.
//
// The pool keeps instances warm and reuses them, starts one per concurrent
// invocation up to the function's reserved concurrency, stops instances that
// stay idle too long, and discards an instance whose process crashes or times
// out (its whole process group is killed). What an invocation returns is what
// Lambda's Invoke would: the function's payload, or an error document with
// FunctionError "Unhandled". The callers (the Lambda API and the API Gateway
// Lambda integrations) map [ErrTooManyRequests] and [ErrRequestTooLarge] to
// AWS's errors.
//
// A runtime may answer in the streaming response mode (a chunked POST with
// Lambda-Runtime-Function-Response-Mode: streaming, and error trailers):
// [Pool.InvokeStream] then hands its caller the response as the function
// writes it, while the function's timeout keeps running; [Pool.Invoke]
// reads it whole, as Lambda's Invoke does.
//
// Each line a function writes to stdout or stderr becomes an Info record of
// the pool's logger, with the attributes function, pid, stream and requestId
// (the invocation the line was written during; empty during initialisation).
// Lines longer than 64 KiB are split. The pool's own events are logged at
// Debug (instance started and stopped, a REPORT per invocation) and Warn
// (crashes, timeouts).
//
// Memory: MemoryMB is reported to the function and set as GOMEMLIMIT, a soft
// limit that Go functions honour; nothing enforces a hard limit.
//
// The package is meant for Linux and other Unix systems: it uses process
// groups (Setpgid) to kill everything a function started.
package runtime
