// Command authorizerfn is the benchmark's Lambda TOKEN authorizer: an
// unmodified aws-lambda-go program allowing every method of the API for
// any token, so that the tollgate-token-auth target measures a route
// behind a cached authorizer.
package main

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, ev events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	api, _, _ := strings.Cut(ev.MethodArn, "/")
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "bench",
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{api + "/*"},
			}},
		},
	}, nil
}

func main() { lambda.Start(handler) }
