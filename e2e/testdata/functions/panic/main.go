// panic panics in its handler; aws-lambda-go reports the panic as the
// invocation's error and the process exits.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, _ json.RawMessage) (any, error) {
	panic("the function panicked")
}

func main() { lambda.Start(handle) }
