// Command panic is a test function. By default its handler panics, which
// aws-lambda-go reports to /error before exiting. {"goroutine": true} panics
// on another goroutine instead, killing the process (exit status 2);
// {"calm": true} returns the process id.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Goroutine bool `json:"goroutine"`
	Calm      bool `json:"calm"`
}

func handler(_ context.Context, ev event) (int, error) {
	switch {
	case ev.Calm:
		return os.Getpid(), nil
	case ev.Goroutine:
		go func() { panic("boom on a goroutine") }()
		time.Sleep(10 * time.Second)
		return 0, nil
	default:
		panic("boom")
	}
}

func main() { lambda.Start(handler) }
