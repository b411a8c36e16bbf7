// Command big is a test function that returns a JSON string of exactly
// {"bytes": N} bytes (default 7 MB, over Lambda's response limit), as an
// io.Reader, which aws-lambda-go streams without re-encoding. With
// {"failAfter": N} the reader fails after N bytes: aws-lambda-go then
// reports the error in HTTP trailers.
package main

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aws/aws-lambda-go/lambda"
)

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func handler(_ context.Context, ev struct {
	Bytes     int `json:"bytes"`
	FailAfter int `json:"failAfter"`
}) (io.Reader, error) {
	if ev.FailAfter > 0 {
		return io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{'x'}, ev.FailAfter)), failingReader{}), nil
	}
	n := ev.Bytes
	if n < 2 {
		n = 7 * 1024 * 1024
	}
	b := bytes.Repeat([]byte{'x'}, n)
	b[0], b[n-1] = '"', '"'
	return bytes.NewReader(b), nil
}

func main() { lambda.Start(handler) }
