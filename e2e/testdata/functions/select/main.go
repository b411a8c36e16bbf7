// select is the recorded selection-pattern function (LocalStack's
// lambda_select_pattern.py, recorded against AWS): {"statusCode": "200"}
// answers "Pass", "400" and "500" fail with messages that the integration
// responses' selection patterns match.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, ev struct {
	StatusCode string `json:"statusCode"`
}) (string, error) {
	switch ev.StatusCode {
	case "200":
		return "Pass", nil
	case "400":
		return "", errors.New("Error: Raising four hundred from within the Lambda function")
	case "500":
		return "", errors.New("Error: Raising five hundred from within the Lambda function")
	}
	return "Error Value in the json request should either be 400 or 500 to demonstrate", nil
}

func main() { lambda.Start(handle) }
