// httpauth is an HTTP API Lambda authorizer written against aws-lambda-go's
// types: payload format 2.0 events (APIGatewayV2CustomAuthorizerV2Request)
// and 1.0 events (APIGatewayV2CustomAuthorizerV1Request). The first
// identity value decides:
//
//	allow           {"isAuthorized":true} (2.0) or an Allow policy on the
//	                event's route or method ARN, with a context
//	deny            {"isAuthorized":false} or a Deny policy
//	unauthorized    fails with "Unauthorized"
//
// Simple answers are given for 2.0 events unless the value ends in
// "-policy" ("allow-policy", "deny-policy"). The context holds a string, a
// number, a boolean and the invocation count of this process ("calls").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var calls int

func policy(effect, arn string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
		{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn}},
	}}
}

func handle(_ context.Context, raw json.RawMessage) (any, error) {
	calls++
	var probe struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(raw, &probe)
	var token, arn string
	if probe.Version == "2.0" {
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		if len(ev.IdentitySource) > 0 {
			token = ev.IdentitySource[0]
		}
		arn = ev.RouteArn
	} else {
		var ev events.APIGatewayV2CustomAuthorizerV1Request
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		token, _, _ = strings.Cut(ev.IdentitySource, ",")
		arn = ev.MethodArn
	}
	ctx := map[string]any{"user": "alice", "level": 7, "admin": true, "calls": calls}
	mode, asPolicy := strings.CutSuffix(token, "-policy")
	asPolicy = asPolicy || probe.Version != "2.0"
	switch mode {
	case "allow", "deny":
		if !asPolicy {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: mode == "allow", Context: ctx}, nil
		}
		effect := "Allow"
		if mode == "deny" {
			effect = "Deny"
		}
		return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{PrincipalID: "alice", PolicyDocument: policy(effect, arn), Context: ctx}, nil
	case "unauthorized":
		return nil, errors.New("Unauthorized")
	}
	return nil, errors.New("unexpected identity " + token)
}

func main() { lambda.Start(handle) }
