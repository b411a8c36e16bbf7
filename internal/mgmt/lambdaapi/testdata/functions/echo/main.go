// Command echo is a test function: it writes a log line and returns its
// event unchanged.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, ev json.RawMessage) (io.Reader, error) {
	fmt.Printf("echo: %d bytes\n", len(ev))
	return bytes.NewReader(ev), nil
}

func main() { lambda.Start(handler) }
