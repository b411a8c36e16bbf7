// Command logs is a test function that writes to stdout and stderr: a line
// naming the request on each, a line written in two parts, and a line of
// {"long": N} bytes.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func handler(ctx context.Context, ev struct {
	Long int `json:"long"`
}) (string, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Printf("hello stdout %s\n", lc.AwsRequestID)
	fmt.Fprintf(os.Stderr, "hello stderr %s\n", lc.AwsRequestID)
	fmt.Print("first half, ")
	fmt.Fprintln(os.Stderr, "interrupting on stderr")
	time.Sleep(20 * time.Millisecond)
	fmt.Println("second half")
	if ev.Long > 0 {
		fmt.Println(strings.Repeat("L", ev.Long))
	}
	return "ok", nil
}

func main() { lambda.Start(handler) }
