// Command lambdafn is the benchmark's trivial Lambda function: an
// unmodified aws-lambda-go program answering API Gateway proxy events with
// the backend's fixed 100-byte body, so that the tollgate-lambda target is
// checked and compared like the proxies.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// body is bench/backend's Body (the readiness check compares them).
const body = "tollgate bench backend: fixed 100-byte response body.............................................ok\n"

func handler(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: body}, nil
}

func main() { lambda.Start(handler) }
