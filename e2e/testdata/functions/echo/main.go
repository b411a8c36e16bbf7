// echo answers a Lambda proxy event (one with httpMethod) with a 200 whose
// body is the event itself, and any other event with the event unchanged.
// Direct invocations may ask for more: {"getenv": "NAME"} answers
// {"NAME": value}, {"big": N} answers a JSON string of N bytes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, event json.RawMessage) (io.Reader, error) {
	fmt.Printf("echo: %d bytes\n", len(event))
	var probe struct {
		HTTPMethod *string `json:"httpMethod"`
		Getenv     string  `json:"getenv"`
		Big        int     `json:"big"`
	}
	_ = json.Unmarshal(event, &probe)
	switch {
	case probe.HTTPMethod != nil:
		out, err := json.Marshal(map[string]any{
			"statusCode": 200,
			"headers":    map[string]string{"Content-Type": "application/json"},
			"body":       string(event),
		})
		return bytes.NewReader(out), err
	case probe.Getenv != "":
		out, err := json.Marshal(map[string]string{probe.Getenv: os.Getenv(probe.Getenv)})
		return bytes.NewReader(out), err
	case probe.Big > 0:
		return strings.NewReader(`"` + strings.Repeat("x", probe.Big-2) + `"`), nil
	}
	return bytes.NewReader(event), nil
}

func main() { lambda.Start(handle) }
