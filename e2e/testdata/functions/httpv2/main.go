// httpv2 is an HTTP API function written against aws-lambda-go's payload
// format 2.0 types: it decodes events.APIGatewayV2HTTPRequest and answers
// an events.APIGatewayV2HTTPResponse whose body is the event as the typed
// struct holds it (re-encoded), with two cookies and a header naming the
// route. The query parameter "status" picks the status code.
package main

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := 200
	if s, err := strconv.Atoi(ev.QueryStringParameters["status"]); err == nil {
		status = s
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Route": ev.RouteKey},
		Cookies:    []string{"session=abc; Path=/", "theme=dark"},
		Body:       string(body),
	}, nil
}

func main() { lambda.Start(handle) }
