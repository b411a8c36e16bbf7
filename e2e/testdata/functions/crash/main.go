// crash exits with status 3 in the middle of its first invocation.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, _ json.RawMessage) (any, error) {
	fmt.Fprintln(os.Stderr, "crash: exiting with status 3")
	os.Exit(3)
	return nil, nil
}

func main() { lambda.Start(handle) }
