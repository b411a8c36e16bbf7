// Command slowinit is a test function that spends SLOWINIT_MS milliseconds
// (default 300) initialising before it starts the runtime loop; it returns
// its pid.
package main

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	ms, err := strconv.Atoi(os.Getenv("SLOWINIT_MS"))
	if err != nil {
		ms = 300
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	lambda.Start(func(context.Context) (int, error) { return os.Getpid(), nil })
}
