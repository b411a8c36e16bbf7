// Command hello is the Lambda example's function: an unmodified
// aws-lambda-go program behind an AWS_PROXY integration.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	name := req.QueryStringParameters["name"]
	if name == "" {
		name = "world"
	}
	body, _ := json.Marshal(map[string]string{
		"message":   "Hello, " + name + "!",
		"path":      req.Path,
		"requestId": req.RequestContext.RequestID,
	})
	return events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

func main() { lambda.Start(handler) }
