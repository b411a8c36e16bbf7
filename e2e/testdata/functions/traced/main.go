// traced answers a Lambda proxy event (payload 1.0 or 2.0) with a 200 whose
// body tells what the function saw of its trace: the _X_AMZN_TRACE_ID
// environment variable during the invocation, the trace header
// aws-lambda-go put into the context, and the event it was given.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, event json.RawMessage) (map[string]any, error) {
	body, err := json.Marshal(map[string]any{
		"env":   os.Getenv("_X_AMZN_TRACE_ID"),
		"ctx":   ctx.Value("x-amzn-trace-id"),
		"event": event,
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "application/json"}, "body": string(body)}, nil
}

func main() { lambda.Start(handle) }
