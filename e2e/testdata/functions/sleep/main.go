// sleep waits for the event's "ms" member (or the proxy event's "ms" query
// parameter; default 10 s) and then answers a proxy 200 "slept".
package main

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, event json.RawMessage) (map[string]any, error) {
	var ev struct {
		MS                    int               `json:"ms"`
		QueryStringParameters map[string]string `json:"queryStringParameters"`
	}
	_ = json.Unmarshal(event, &ev)
	ms := ev.MS
	if s := ev.QueryStringParameters["ms"]; s != "" {
		ms, _ = strconv.Atoi(s)
	}
	if ms == 0 {
		ms = 10000
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return map[string]any{"statusCode": 200, "body": "slept"}, nil
}

func main() { lambda.Start(handle) }
