// Command echo is a test function: it returns its event together with what
// the runtime told it (lambdacontext, deadline, environment, process id).
// An event {"sleepMs": N} makes it sleep first.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func handler(ctx context.Context, raw json.RawMessage) (map[string]any, error) {
	var ev struct {
		SleepMs int `json:"sleepMs"`
	}
	_ = json.Unmarshal(raw, &ev)
	if ev.SleepMs > 0 {
		time.Sleep(time.Duration(ev.SleepMs) * time.Millisecond)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	wd, _ := os.Getwd()
	return map[string]any{
		"event":           raw,
		"lambdaContext":   lc,
		"deadlineMs":      deadline.UnixMilli(),
		"traceId":         ctx.Value("x-amzn-trace-id"),
		"functionName":    lambdacontext.FunctionName,
		"functionVersion": lambdacontext.FunctionVersion,
		"memoryLimitInMB": lambdacontext.MemoryLimitInMB,
		"logGroupName":    lambdacontext.LogGroupName,
		"logStreamName":   lambdacontext.LogStreamName,
		"env":             env,
		"pid":             os.Getpid(),
		"cwd":             wd,
	}, nil
}

func main() { lambda.Start(handler) }
