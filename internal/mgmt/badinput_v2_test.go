package mgmt_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// v2State reads back everything inside an HTTP API (and the VPC links),
// for comparing the state before and after rejected requests.
func v2State(t *testing.T, h *harness, apiID string) map[string]any {
	t.Helper()
	state := map[string]any{}
	for _, p := range []string{"", "/routes", "/integrations", "/authorizers", "/stages", "/deployments"} {
		res := h.do("GET", "/v2/apis/"+apiID+p, nil)
		if res.Status != 200 {
			t.Fatalf("GET %s: %d %s", p, res.Status, res.Body)
		}
		var v any
		mustUnmarshal(t, res.Body, &v)
		state[p] = v
	}
	for _, p := range []string{"/v2/apis", "/v2/vpclinks"} {
		var v any
		mustUnmarshal(t, h.do("GET", p, nil).Body, &v)
		state[p] = v
	}
	return state
}

// TestRejectedV2RequestsChangeNothing: apigatewayv2 requests that fail
// validation part-way (a good member beside a bad one, a change that an
// auto-deploying stage would deploy) get an AWS 4xx and leave every
// document, deployment and stage as it was.
func TestRejectedV2RequestsChangeNothing(t *testing.T) {
	h := newHarness(t, "000000000000")
	create := func(path string, body any, idField string) string {
		t.Helper()
		res := h.do("POST", path, body)
		if res.Status != 201 {
			t.Fatalf("POST %s: %d %s", path, res.Status, res.Body)
		}
		var out map[string]any
		mustUnmarshal(t, res.Body, &out)
		id, _ := out[idField].(string)
		return id
	}
	api := create("/v2/apis", map[string]any{"name": "before", "protocolType": "HTTP", "target": "https://example.com/"}, "apiId")
	base := "/v2/apis/" + api
	integ := create(base+"/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationUri": "https://b.example.com", "integrationMethod": "GET", "payloadFormatVersion": "1.0"}, "integrationId")
	jwt := create(base+"/authorizers", map[string]any{"name": "jwt", "authorizerType": "JWT", "identitySource": []string{"$request.header.Authorization"}, "jwtConfiguration": map[string]any{"issuer": "https://issuer.example.com"}}, "authorizerId")
	route := create(base+"/routes", map[string]any{"routeKey": "GET /pets/{id}", "target": "integrations/" + integ}, "routeId")
	create(base+"/stages", map[string]any{"stageName": "dev", "stageVariables": map[string]string{"a": "1"}}, "stageName")
	before := v2State(t, h, api)

	cases := []request{
		// Bodies a client could not mean.
		{"POST", "/v2/apis", `[1,2]`},
		{"POST", "/v2/apis", `{"name":true,"protocolType":"HTTP"}`},
		{"POST", base + "/routes", `{"routeKey":`},
		// Missing or malformed members.
		{"POST", "/v2/apis", `{"protocolType":"HTTP"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"SOAP"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"WEBSOCKET"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"HTTP","target":"ftp://x"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"HTTP","target":"https://x","routeKey":"GET pets"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"HTTP","routeKey":"GET /pets"}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"HTTP","tags":{"aws:x":"1"}}`},
		{"POST", "/v2/apis", `{"name":"x","protocolType":"HTTP","routeSelectionExpression":"$request.body.action"}`},
		// A good member beside a bad one.
		{"PATCH", base, `{"name":"after","corsConfiguration":{"allowOrigins":["*"],"allowCredentials":true}}`},
		{"PATCH", base, `{"description":"after","corsConfiguration":{"maxAge":86401}}`},
		{"PATCH", base, `{"name":"after","protocolType":"WEBSOCKET"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /pets/{petId}/toys"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /pets/{id}"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /{proxy+}/x"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /x","target":"integrations/nosuch0"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /x","authorizationType":"JWT"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /x","authorizationType":"CUSTOM","authorizerId":"` + jwt + `"}`},
		{"POST", base + "/routes", `{"routeKey":"GET /x","authorizationScopes":["a"]}`},
		{"POST", base + "/routes", `{"routeKey":"GET /x","apiKeyRequired":true}`},
		{"PATCH", base + "/routes/" + route, `{"operationName":"ok","routeKey":"$default"}`},
		{"PATCH", base + "/routes/" + route, `{"target":"integrations/nosuch0","operationName":"ok"}`},
		{"POST", base + "/integrations", `{"integrationType":"HTTP_PROXY","integrationUri":"https://b","integrationMethod":"GET"}`},
		{"POST", base + "/integrations", `{"integrationType":"MOCK","payloadFormatVersion":"1.0"}`},
		{"POST", base + "/integrations", `{"integrationType":"HTTP_PROXY","integrationUri":"https://b","integrationMethod":"GET","payloadFormatVersion":"2.0"}`},
		{"POST", base + "/integrations", `{"integrationType":"AWS_PROXY","integrationUri":"https://b","payloadFormatVersion":"2.0"}`},
		{"POST", base + "/integrations", `{"integrationType":"HTTP_PROXY","integrationUri":"https://b","integrationMethod":"GET","payloadFormatVersion":"1.0","connectionType":"VPC_LINK","connectionId":"nosuch"}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"requestParameters":{"overwrite:header.x-amz-date":"x"}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"requestParameters":{"rewrite:header.a":"x"}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"requestParameters":{"append:path":"x"}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"requestParameters":{"append:header.a":"$response.header.b"}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"responseParameters":{"199":{"overwrite:statuscode":"200"}}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":1000,"responseParameters":{"200":{"overwrite:statuscode":"abc"}}}`},
		{"PATCH", base + "/integrations/" + integ, `{"timeoutInMillis":49}`},
		{"PATCH", base + "/integrations/" + integ, `{"description":"x","integrationType":"HTTP"}`},
		{"POST", base + "/authorizers", `{"name":"j","authorizerType":"JWT","identitySource":["$request.header.A"]}`},
		{"POST", base + "/authorizers", `{"name":"j","authorizerType":"JWT","identitySource":["$request.header.A","$request.header.B"],"jwtConfiguration":{"issuer":"https://i"}}`},
		{"POST", base + "/authorizers", `{"name":"l","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","identitySource":[]}`},
		{"POST", base + "/authorizers", `{"name":"l","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","authorizerPayloadFormatVersion":"1.0","enableSimpleResponses":true}`},
		{"POST", base + "/authorizers", `{"name":"l","authorizerType":"REQUEST","authorizerUri":"arn:aws:lambda:us-east-1:0:function:f","authorizerPayloadFormatVersion":"2.0","authorizerResultTtlInSeconds":300}`},
		{"POST", base + "/authorizers", `{"name":"l","authorizerType":"REQUEST","authorizerUri":"arn:x","authorizerPayloadFormatVersion":"2.0","authorizerResultTtlInSeconds":3601,"identitySource":["$request.header.A"]}`},
		{"PATCH", base + "/authorizers/" + jwt, `{"name":"renamed","identitySource":["route.request.header.A"]}`},
		{"POST", base + "/stages", `{"stageName":"dev"}`},
		{"POST", base + "/stages", `{"stageName":"bad name"}`},
		{"POST", base + "/stages", `{"stageName":"s2","deploymentId":"nosuch"}`},
		{"POST", base + "/stages", `{"stageName":"s2","stageVariables":{"a-b":"1"}}`},
		{"PATCH", base + "/stages/dev", `{"description":"x","routeSettings":{"GET /nope":{"throttlingBurstLimit":1}}}`},
		{"PATCH", base + "/stages/dev", `{"description":"x","stageVariables":{"b":"has space"}}`},
		{"PATCH", base + "/stages/dev", `{"description":"x","accessLogSettings":{"destinationArn":"arn:aws:logs:x","format":"$context.status"}}`},
		{"PATCH", base + "/stages/dev", `{"description":"x","defaultRouteSettings":{"throttlingRateLimit":-1}}`},
		{"PATCH", base + "/stages/dev", `{"autoDeploy":true,"deploymentId":"nosuch"}`},
		{"POST", base + "/deployments", `{"stageName":"nosuch"}`},
		{"POST", base + "/deployments", `{"stageName":"$default"}`},
		{"DELETE", base + "/stages/$default", ``},
		{"DELETE", base + "/integrations/" + integ, ``},
		{"DELETE", base + "/authorizers/nosuch", ``},
		{"DELETE", base + "/stages/dev/routesettings/GET%20%2Fpets", ``},
		{"POST", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F" + api, `{"tags":{"aws:x":"1"}}`},
		{"DELETE", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F" + api, ``},
		{"POST", "/v2/vpclinks", `{"name":"x"}`},
		{"GET", base + "/routes?maxResults=x", ``},
		{"GET", base + "/routes?nextToken=%25%25", ``},
	}
	rev := h.revision(t)
	h.mustReject(t, cases)
	if after := h.revision(t); after != rev {
		t.Errorf("rejected requests moved the store from revision %d to %d", rev, after)
	}
	if after := v2State(t, h, api); !reflect.DeepEqual(before, after) {
		a, _ := json.Marshal(after)
		b, _ := json.Marshal(before)
		t.Errorf("rejected requests changed the API:\nbefore %s\nafter  %s", b, a)
	}
}
