// Command exit is a test function that calls os.Exit(3) in the middle of an
// invocation, unless the event is {"calm": true}: then it returns its pid.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, ev struct {
	Calm bool `json:"calm"`
}) (int, error) {
	if ev.Calm {
		return os.Getpid(), nil
	}
	fmt.Println("exiting with status 3")
	os.Exit(3)
	return 0, nil
}

func main() { lambda.Start(handler) }
