// fail returns an error: its message is the event's "message" member, the
// proxy event's "message" query parameter, or "boom".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, event json.RawMessage) (any, error) {
	var ev struct {
		Message               string            `json:"message"`
		QueryStringParameters map[string]string `json:"queryStringParameters"`
	}
	_ = json.Unmarshal(event, &ev)
	msg := ev.Message
	if msg == "" {
		msg = ev.QueryStringParameters["message"]
	}
	if msg == "" {
		msg = "boom"
	}
	fmt.Fprintln(os.Stderr, "fail: returning an error:", msg)
	return nil, errors.New(msg)
}

func main() { lambda.Start(handle) }
