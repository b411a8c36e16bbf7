// Command error is a test function whose handler always returns an error,
// which aws-lambda-go reports to /runtime/invocation/{id}/error.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// ValidationError gives the error document its errorType.
type ValidationError struct{ msg string }

func (e *ValidationError) Error() string { return e.msg }

func handler(context.Context) (string, error) {
	return "", &ValidationError{fmt.Sprintf("bad input (pid %d)", os.Getpid())}
}

func main() { lambda.Start(handler) }
