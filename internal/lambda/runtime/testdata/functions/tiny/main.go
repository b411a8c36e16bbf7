// Command tiny is the benchmarks' function: an aws-lambda-go program that
// answers every event with a fixed 100-byte API Gateway proxy response, as
// bench/lambdafn does, so that the runtime's own cost dominates.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

type response struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

var body = response{StatusCode: 200, Body: "tollgate bench function: fixed response body......................................................."}

func handler(context.Context, json.RawMessage) (response, error) { return body, nil }

func main() { lambda.Start(handler) }
