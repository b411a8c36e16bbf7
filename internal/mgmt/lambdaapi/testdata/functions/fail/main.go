// Command fail is a test function that fails with the event's "message".
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, ev struct {
	Message string `json:"message"`
}) (string, error) {
	return "", errors.New("failed: " + ev.Message)
}

func main() { lambda.Start(handler) }
