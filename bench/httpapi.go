package main

import (
	"context"
	"fmt"
	"time"
)

// httpAccessLogFormat is an HTTP API stage's access log format: JSON, with
// the usual $context variables ($context.routeKey where REST logs the
// resource path).
const httpAccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}`

// createHTTPAPI creates the benchmark HTTP API (apigatewayv2) and returns
// its id: for spec.httpAPI "proxy" the $default route → HTTP_PROXY to the
// backend (the request path appended, as quick create makes it); for
// "jwt", ANY /{proxy+} → HTTP_PROXY http://backend/{proxy} behind a JWT
// authorizer of the harness's issuer. Either way an auto-deploying
// $default stage with an access log.
func createHTTPAPI(ctx context.Context, c *mgmtClient, e *env, spec tollgateSpec, accessLog string) (string, []string, error) {
	var api struct {
		ApiID string `json:"apiId"`
	}
	if err := c.call(ctx, "POST", "/v2/apis", map[string]any{"name": "bench-" + spec.name, "protocolType": "HTTP"}, &api); err != nil {
		return "", nil, err
	}
	base := "/v2/apis/" + api.ApiID
	uri, key := "http://"+e.backendAddr, "$default"
	if spec.httpAPI == "jwt" {
		uri, key = "http://"+e.backendAddr+"/{proxy}", "ANY /{proxy+}"
	}
	var integ struct {
		IntegrationID string `json:"integrationId"`
	}
	if err := c.call(ctx, "POST", base+"/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationMethod": "ANY",
		"integrationUri": uri, "payloadFormatVersion": "1.0"}, &integ); err != nil {
		return "", nil, err
	}
	route := map[string]any{"routeKey": key, "target": "integrations/" + integ.IntegrationID}
	if spec.httpAPI == "jwt" {
		iss, err := startIssuer()
		if err != nil {
			return "", nil, err
		}
		var au struct {
			AuthorizerID string `json:"authorizerId"`
		}
		if err := c.call(ctx, "POST", base+"/authorizers", map[string]any{"name": "bench", "authorizerType": "JWT",
			"identitySource":   []string{"$request.header.Authorization"},
			"jwtConfiguration": map[string]any{"issuer": iss.url, "audience": []string{"bench-client"}}}, &au); err != nil {
			return "", nil, err
		}
		route["authorizationType"], route["authorizerId"] = "JWT", au.AuthorizerID
	}
	if err := c.call(ctx, "POST", base+"/routes", route, nil); err != nil {
		return "", nil, err
	}
	t0 := time.Now()
	if err := c.call(ctx, "POST", base+"/stages", map[string]any{"stageName": "$default", "autoDeploy": true,
		"accessLogSettings": map[string]any{"destinationArn": accessLog, "format": httpAccessLogFormat}}, nil); err != nil {
		return "", nil, err
	}
	return api.ApiID, []string{fmt.Sprintf("CreateStage (auto-deploy) took %v", time.Since(t0).Round(time.Millisecond))}, nil
}
