package mgmt_test

import (
	"path/filepath"
	"testing"
)

// goldenWebSocketScenario builds a WebSocket API by hand with the
// apigatewayv2 operations: routes ($connect with a REQUEST authorizer and
// an API key, $default, custom keys), integrations of every type, route
// responses (two-way routes), integration responses, models, a stage with
// route settings and a deployment; then every WebSocket-only operation's
// refusals, and the same operations on an HTTP API.
func goldenWebSocketScenario() []goldenStep {
	ws := "/v2/apis/{{ws}}"
	lambdaARN := "arn:aws:lambda:us-east-1:000000000000:function:chat"
	lambdaURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + lambdaARN + "/invocations"
	rr := ws + "/routes/{{msg}}/routeresponses"
	ir := ws + "/integrations/{{mock}}/integrationresponses"
	return []goldenStep{
		{"CreateApi", "POST", "/v2/apis", map[string]any{"name": "chat", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action",
			"apiKeySelectionExpression": "$context.authorizer.usageIdentifierKey", "description": "Chat"}, map[string]string{"ws": "apiId"}},
		{"CreateIntegration-proxy", "POST", ws + "/integrations", map[string]any{"integrationType": "AWS_PROXY", "integrationUri": lambdaURI}, map[string]string{"proxy": "integrationId"}},
		{"CreateIntegration-lambda", "POST", ws + "/integrations", map[string]any{"integrationType": "AWS", "integrationUri": lambdaURI,
			"templateSelectionExpression": "${request.body.action}", "requestTemplates": map[string]string{"join": `{"room": $input.json('$.room'), "connection": "$context.connectionId"}`, "$default": ""},
			"contentHandlingStrategy": "CONVERT_TO_TEXT"}, map[string]string{"lambda": "integrationId"}},
		{"CreateIntegration-http", "POST", ws + "/integrations", map[string]any{"integrationType": "HTTP", "integrationUri": "https://backend.example.com/messages",
			"integrationMethod": "post", "passthroughBehavior": "NEVER", "timeoutInMillis": 10000,
			"requestParameters": map[string]string{"integration.request.header.x-connection": "context.connectionId", "integration.request.querystring.user": "route.request.querystring.user",
				"integration.request.header.x-static": "'chat'"}}, map[string]string{"http": "integrationId"}},
		{"CreateIntegration-httpProxy", "POST", ws + "/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationUri": "https://backend.example.com/{proxy}", "integrationMethod": "ANY"}, nil},
		{"GetIntegrations", "GET", ws + "/integrations", nil, nil},
		{"UpdateIntegration", "PATCH", ws + "/integrations/{{lambda}}", map[string]any{"requestTemplates": map[string]string{"$default": "", "leave": "$input.body"}, "passthroughBehavior": "WHEN_NO_TEMPLATES"}, nil},
		{"Error-IntegrationTemplate", "PATCH", ws + "/integrations/{{lambda}}", map[string]any{"requestTemplates": map[string]string{"join": "#foreach($a in $b)"}}, nil},
		{"Error-IntegrationMapping", "PATCH", ws + "/integrations/{{http}}", map[string]any{"requestParameters": map[string]string{"append:header.x": "$context.requestId"}}, nil},
		{"Error-IntegrationMappingSource", "PATCH", ws + "/integrations/{{http}}", map[string]any{"requestParameters": map[string]string{"integration.request.header.x": "method.request.header.y"}}, nil},
		{"Error-IntegrationMethod", "POST", ws + "/integrations", map[string]any{"integrationType": "HTTP", "integrationUri": "https://backend.example.com"}, nil},
		{"Error-IntegrationURI", "POST", ws + "/integrations", map[string]any{"integrationType": "AWS", "integrationUri": "https://backend.example.com"}, nil},
		{"Error-IntegrationTimeout", "POST", ws + "/integrations", map[string]any{"integrationType": "MOCK", "timeoutInMillis": 29001}, nil},
		{"Error-IntegrationSubtype", "POST", ws + "/integrations", map[string]any{"integrationType": "AWS_PROXY", "integrationSubtype": "SQS-SendMessage"}, nil},
		{"Error-IntegrationResponseParameters", "POST", ws + "/integrations", map[string]any{"integrationType": "MOCK", "responseParameters": map[string]any{"200": map[string]string{"overwrite:statuscode": "204"}}}, nil},

		{"CreateAuthorizer", "POST", ws + "/authorizers", map[string]any{"name": "tokens", "authorizerType": "REQUEST", "authorizerUri": lambdaURI,
			"identitySource": []string{"route.request.header.Auth", "route.request.querystring.token"}}, map[string]string{"auth": "authorizerId"}},
		{"Error-AuthorizerJWT", "POST", ws + "/authorizers", map[string]any{"name": "jwt", "authorizerType": "JWT", "identitySource": []string{"$request.header.Authorization"},
			"jwtConfiguration": map[string]any{"issuer": "https://issuer.example.com"}}, nil},
		{"Error-AuthorizerIdentitySource", "POST", ws + "/authorizers", map[string]any{"name": "x", "authorizerType": "REQUEST", "authorizerUri": lambdaURI, "identitySource": []string{"$request.header.Auth"}}, nil},
		{"Error-AuthorizerSimpleResponses", "POST", ws + "/authorizers", map[string]any{"name": "x", "authorizerType": "REQUEST", "authorizerUri": lambdaURI, "enableSimpleResponses": true}, nil},
		{"Error-AuthorizerPayloadVersion", "POST", ws + "/authorizers", map[string]any{"name": "x", "authorizerType": "REQUEST", "authorizerUri": lambdaURI, "authorizerPayloadFormatVersion": "2.0"}, nil},
		{"Error-AuthorizerCaching", "POST", ws + "/authorizers", map[string]any{"name": "x", "authorizerType": "REQUEST", "authorizerUri": lambdaURI,
			"identitySource": []string{"route.request.header.Auth"}, "authorizerResultTtlInSeconds": 300}, nil},

		{"CreateRoute-connect", "POST", ws + "/routes", map[string]any{"routeKey": "$connect", "target": "integrations/{{lambda}}", "authorizationType": "CUSTOM", "authorizerId": "{{auth}}",
			"apiKeyRequired": true, "operationName": "Connect", "requestParameters": map[string]any{"route.request.querystring.user": map[string]any{"required": true}, "route.request.header.Auth": map[string]any{"required": false}}},
			map[string]string{"connect": "routeId"}},
		{"CreateRoute-disconnect", "POST", ws + "/routes", map[string]any{"routeKey": "$disconnect", "target": "integrations/{{http}}"}, nil},
		{"CreateRoute-message", "POST", ws + "/routes", map[string]any{"routeKey": "sendMessage", "target": "integrations/{{proxy}}", "routeResponseSelectionExpression": "$default"}, map[string]string{"msg": "routeId"}},
		{"GetRoutes", "GET", ws + "/routes", nil, nil},
		{"UpdateRoute", "PATCH", ws + "/routes/{{connect}}", map[string]any{"requestParameters": map[string]any{"route.request.header.Auth": nil}, "authorizationType": "AWS_IAM"}, nil},
		{"DeleteRouteRequestParameter", "DELETE", ws + "/routes/{{connect}}/requestparameters/route.request.querystring.user", nil, nil},
		{"GetRoute", "GET", ws + "/routes/{{connect}}", nil, nil},
		{"Error-RouteAuthNotOnConnect", "POST", ws + "/routes", map[string]any{"routeKey": "secret", "authorizationType": "CUSTOM", "authorizerId": "{{auth}}"}, nil},
		{"Error-RouteJWT", "PATCH", ws + "/routes/{{connect}}", map[string]any{"authorizationType": "JWT", "authorizerId": "{{auth}}"}, nil},
		{"Error-RouteKeyReserved", "POST", ws + "/routes", map[string]any{"routeKey": "$join"}, nil},
		{"Error-RouteDuplicate", "POST", ws + "/routes", map[string]any{"routeKey": "$connect"}, nil},
		{"Error-RouteParameter", "PATCH", ws + "/routes/{{connect}}", map[string]any{"requestParameters": map[string]any{"method.request.header.x": map[string]any{"required": true}}}, nil},
		{"Error-RouteScopes", "PATCH", ws + "/routes/{{connect}}", map[string]any{"authorizationScopes": []string{"read"}}, nil},

		// Route responses: $default only, one per route.
		{"CreateRouteResponse", "POST", rr, map[string]any{"routeResponseKey": "$default", "modelSelectionExpression": "$request.body.kind",
			"responseParameters": map[string]any{"route.response.header.x-id": map[string]any{"required": false}}}, map[string]string{"rr": "routeResponseId"}},
		{"GetRouteResponses", "GET", rr, nil, nil},
		{"UpdateRouteResponse", "PATCH", rr + "/{{rr}}", map[string]any{"modelSelectionExpression": "", "responseParameters": map[string]any{"route.response.header.x-id": nil}}, nil},
		{"GetRouteResponse", "GET", rr + "/{{rr}}", nil, nil},
		{"Error-RouteResponseKey", "POST", rr, map[string]any{"routeResponseKey": "$other"}, nil},
		{"Error-RouteResponseDuplicate", "POST", rr, map[string]any{"routeResponseKey": "$default"}, nil},
		{"Error-RouteResponseMissingKey", "POST", rr, map[string]any{}, nil},
		{"Error-RouteResponseNotFound", "GET", rr + "/nosuch", nil, nil},
		{"Error-RouteResponseRouteNotFound", "GET", ws + "/routes/nosuch0/routeresponses", nil, nil},
		{"Error-RouteResponseSelection", "PATCH", ws + "/routes/{{msg}}", map[string]any{"routeResponseSelectionExpression": "$request.body.x"}, nil},
		{"CreateStage", "POST", ws + "/stages", map[string]any{"stageName": "production", "autoDeploy": true}, nil},
		{"DeleteRouteResponse", "DELETE", rr + "/{{rr}}", nil, nil},
		{"GetRouteResponses-afterDelete", "GET", rr, nil, nil},
		{"CreateRouteResponse-again", "POST", rr, map[string]any{"routeResponseKey": "$default"}, nil},
		{"DeleteRoute", "DELETE", ws + "/routes/{{msg}}", nil, nil},
		{"Error-RouteResponsesOfDeletedRoute", "GET", rr, nil, nil},

		// Integration responses: $default or /regex/ keys, VTL templates.
		{"CreateIntegration-mock", "POST", ws + "/integrations", map[string]any{"integrationType": "MOCK", "templateSelectionExpression": "\\$default",
			"requestTemplates": map[string]string{"$default": `{"statusCode": 200}`}}, map[string]string{"mock": "integrationId"}},
		{"CreateIntegrationResponse", "POST", ir, map[string]any{"integrationResponseKey": "$default", "templateSelectionExpression": "${request.body.kind}",
			"responseTemplates":  map[string]string{"$default": `{"echo": "$input.body", "connection": "$context.connectionId"}`, "plain": ""},
			"responseParameters": map[string]string{"method.response.header.x-request": "integration.response.header.x-request-id"}}, map[string]string{"ir": "integrationResponseId"}},
		{"CreateIntegrationResponse-regex", "POST", ir, map[string]any{"integrationResponseKey": "/4\\d\\d/", "contentHandlingStrategy": "CONVERT_TO_TEXT",
			"responseTemplates": map[string]string{"$default": `#set($e = $input.path('$.error')){"error": "$util.escapeJavaScript($e)"}`}}, map[string]string{"ir4": "integrationResponseId"}},
		{"GetIntegrationResponses", "GET", ir, nil, nil},
		{"UpdateIntegrationResponse", "PATCH", ir + "/{{ir}}", map[string]any{"responseTemplates": map[string]string{"plain": "", "json": "$input.json('$')"},
			"templateSelectionExpression": "", "responseParameters": map[string]string{"method.response.header.x-static": "'yes'"}}, nil},
		{"GetIntegrationResponse", "GET", ir + "/{{ir}}", nil, nil},
		{"Error-IntegrationResponseKey", "POST", ir, map[string]any{"integrationResponseKey": "4\\d\\d"}, nil},
		{"Error-IntegrationResponseRegex", "POST", ir, map[string]any{"integrationResponseKey": "/(4\\d\\d/"}, nil},
		{"Error-IntegrationResponseDuplicate", "POST", ir, map[string]any{"integrationResponseKey": "/4\\d\\d/"}, nil},
		{"Error-IntegrationResponseUpdateDuplicate", "PATCH", ir + "/{{ir}}", map[string]any{"integrationResponseKey": "/4\\d\\d/"}, nil},
		{"Error-IntegrationResponseTemplate", "POST", ir, map[string]any{"integrationResponseKey": "/5\\d\\d/", "responseTemplates": map[string]string{"$default": "#if($x)"}}, nil},
		{"Error-IntegrationResponseMapping", "POST", ir, map[string]any{"integrationResponseKey": "/5\\d\\d/", "responseParameters": map[string]string{"route.response.header.x": "'a'"}}, nil},
		{"Error-IntegrationResponseMappingSource", "POST", ir, map[string]any{"integrationResponseKey": "/5\\d\\d/", "responseParameters": map[string]string{"method.response.header.x": "route.request.header.y"}}, nil},
		{"Error-IntegrationResponseContentHandling", "POST", ir, map[string]any{"integrationResponseKey": "/5\\d\\d/", "contentHandlingStrategy": "CONVERT_TO_JSON"}, nil},
		{"Error-IntegrationResponseNotFound", "GET", ir + "/nosuch", nil, nil},
		{"Error-IntegrationResponseIntegrationNotFound", "POST", ws + "/integrations/nosuch0/integrationresponses", map[string]any{"integrationResponseKey": "$default"}, nil},
		{"DeleteIntegrationResponse", "DELETE", ir + "/{{ir4}}", nil, nil},
		{"GetIntegrationResponses-afterDelete", "GET", ir, nil, nil},
		{"DeleteIntegration", "DELETE", ws + "/integrations/{{mock}}", nil, nil},
		{"Error-IntegrationResponsesOfDeletedIntegration", "GET", ir, nil, nil},

		// Models: JSON Schema draft 4, referenced by routes by name and by
		// other models by URL; validated together when deployed.
		{"CreateModel-user", "POST", ws + "/models", map[string]any{"name": "User", "schema": `{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}}}`},
			map[string]string{"user": "modelId"}},
		{"CreateModel", "POST", ws + "/models", map[string]any{"name": "Message", "contentType": "application/json", "description": "A chat message",
			"schema": `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["action","text"],"properties":{"action":{"type":"string"},"text":{"type":"string","maxLength":500},"to":{"$ref":"https://apigateway.amazonaws.com/restapis/{{ws}}/models/User"}}}`},
			map[string]string{"model": "modelId"}},
		{"GetModels", "GET", ws + "/models", nil, nil},
		{"GetModel", "GET", ws + "/models/{{model}}", nil, nil},
		{"GetModelTemplate", "GET", ws + "/models/{{model}}/template", nil, nil},
		{"UpdateModel", "PATCH", ws + "/models/{{user}}", map[string]any{"description": "A user", "contentType": "application/json"}, nil},
		{"Error-ModelRenameReferencedByModel", "PATCH", ws + "/models/{{user}}", map[string]any{"name": "Person"}, nil},
		{"CreateRoute-validated", "POST", ws + "/routes", map[string]any{"routeKey": "say", "target": "integrations/{{proxy}}",
			"modelSelectionExpression": "${request.body.action}", "requestModels": map[string]string{"say": "Message", "$default": "User"}}, map[string]string{"say": "routeId"}},
		{"Error-ModelDuplicate", "POST", ws + "/models", map[string]any{"name": "Message", "schema": `{"type":"string","minLength":1}`}, nil},
		{"Error-ModelName", "POST", ws + "/models", map[string]any{"name": "chat-message", "schema": `{"type":"string","minLength":1}`}, nil},
		{"Error-ModelMissingSchema", "POST", ws + "/models", map[string]any{"name": "Empty"}, nil},
		{"Error-ModelEmptySchema", "POST", ws + "/models", map[string]any{"name": "Empty", "schema": "{}"}, nil},
		{"Error-ModelSchemaNotJSON", "POST", ws + "/models", map[string]any{"name": "Bad", "schema": "{type: object}"}, nil},
		{"Error-ModelSchemaKeyword", "POST", ws + "/models", map[string]any{"name": "Bad", "schema": `{"$id":"urn:x","type":"object","properties":{"a":{"const":1}}}`}, nil},
		{"Error-ModelSchemaInvalid", "PATCH", ws + "/models/{{model}}", map[string]any{"schema": `{"type":"object","required":"action"}`}, nil},
		{"Error-ModelRenameInUse", "PATCH", ws + "/models/{{model}}", map[string]any{"name": "Note"}, nil},
		{"Error-ModelDeleteInUse", "DELETE", ws + "/models/{{user}}", nil, nil},
		{"Error-RouteUnknownModel", "POST", ws + "/routes", map[string]any{"routeKey": "shout", "requestModels": map[string]string{"$default": "Nope"}}, nil},
		{"Error-ModelNotFound", "GET", ws + "/models/nosuch", nil, nil},
		{"Error-ModelTemplateNotFound", "GET", ws + "/models/nosuch/template", nil, nil},
		{"UpdateRoute-dropModel", "PATCH", ws + "/routes/{{say}}", map[string]any{"requestModels": map[string]string{"$default": ""}}, nil},
		{"Error-ModelDeleteReferencedByModel", "DELETE", ws + "/models/{{user}}", nil, nil},
		{"CreateModel-dangling", "POST", ws + "/models", map[string]any{"name": "Dangling", "schema": `{"type":"object","properties":{"x":{"$ref":"https://apigateway.amazonaws.com/restapis/{{ws}}/models/Nope"}}}`},
			map[string]string{"dangling": "modelId"}},
		{"Error-DeploymentModelReference", "POST", ws + "/deployments", map[string]any{}, nil},
		{"GetStage-autoDeployFailed", "GET", ws + "/stages/production", nil, nil},
		{"UpdateApi-disableSchemaValidation", "PATCH", ws, map[string]any{"disableSchemaValidation": true}, nil},
		{"CreateDeployment-unvalidated", "POST", ws + "/deployments", map[string]any{"description": "models not validated"}, nil},
		{"UpdateApi-enableSchemaValidation", "PATCH", ws, map[string]any{"disableSchemaValidation": false}, nil},
		{"UpdateModel-canonicalForm", "PATCH", ws + "/models/{{dangling}}", map[string]any{"schema": `{"type":"object","properties":{"x":{"$ref":"#/definitions/y"},"z":{"$ref":"User"}},"definitions":{"y":{"type":"string"}}}`}, nil},
		{"Error-DeploymentModelCanonicalForm", "POST", ws + "/deployments", map[string]any{}, nil},
		{"DeleteModel", "DELETE", ws + "/models/{{dangling}}", nil, nil},
		{"GetModels-afterDelete", "GET", ws + "/models", nil, nil},

		// Stages (route throttling settings, logging) and deployments.
		{"UpdateStage", "PATCH", ws + "/stages/production", map[string]any{"autoDeploy": false, "stageVariables": map[string]string{"backend": "backend.example.com"},
			"defaultRouteSettings": map[string]any{"throttlingBurstLimit": 100, "throttlingRateLimit": 50, "loggingLevel": "ERROR", "dataTraceEnabled": false},
			"routeSettings":        map[string]any{"$connect": map[string]any{"throttlingBurstLimit": 5, "throttlingRateLimit": 1.5, "loggingLevel": "INFO", "dataTraceEnabled": true, "detailedMetricsEnabled": true}}}, nil},
		{"CreateDeployment", "POST", ws + "/deployments", map[string]any{"stageName": "production", "description": "by hand"}, map[string]string{"dep": "deploymentId"}},
		{"GetStage", "GET", ws + "/stages/production", nil, nil},
		{"GetDeployments", "GET", ws + "/deployments?maxResults=2", nil, nil},
		{"DeleteRouteSettings", "DELETE", ws + "/stages/production/routesettings/%24connect", nil, nil},
		{"Error-StageRouteSettings", "PATCH", ws + "/stages/production", map[string]any{"routeSettings": map[string]any{"nosuch": map[string]any{"throttlingBurstLimit": 1}}}, nil},
		{"Error-StageLoggingLevel", "PATCH", ws + "/stages/production", map[string]any{"defaultRouteSettings": map[string]any{"loggingLevel": "DEBUG"}}, nil},
		{"Error-StageDefault", "POST", ws + "/stages", map[string]any{"stageName": "$default"}, nil},
		{"Error-ExportWebSocket", "GET", ws + "/exports/OAS30?outputType=JSON", nil, nil},

		// The WebSocket-only operations on an HTTP API.
		{"CreateApi-http", "POST", "/v2/apis", map[string]any{"name": "pets", "protocolType": "HTTP", "target": "https://example.com"}, map[string]string{"http": "apiId"}},
		{"GetRoutes-http", "GET", "/v2/apis/{{http}}/routes", nil, map[string]string{"httpRoute": "items.0.routeId"}},
		{"Error-HTTPRouteResponses", "GET", "/v2/apis/{{http}}/routes/{{httpRoute}}/routeresponses", nil, nil},
		{"Error-HTTPCreateRouteResponse", "POST", "/v2/apis/{{http}}/routes/{{httpRoute}}/routeresponses", map[string]any{"routeResponseKey": "$default"}, nil},
		{"GetIntegrations-http", "GET", "/v2/apis/{{http}}/integrations", nil, map[string]string{"httpIntegration": "items.0.integrationId"}},
		{"Error-HTTPIntegrationResponses", "GET", "/v2/apis/{{http}}/integrations/{{httpIntegration}}/integrationresponses", nil, nil},
		{"Error-HTTPModels", "GET", "/v2/apis/{{http}}/models", nil, nil},
		{"Error-HTTPCreateModel", "POST", "/v2/apis/{{http}}/models", map[string]any{"name": "M", "schema": `{"type":"string"}`}, nil},
		{"Error-HTTPModelTemplate", "GET", "/v2/apis/{{http}}/models/nosuch/template", nil, nil},
	}
}

// TestGoldenWebSocket pins the WebSocket API operations' responses in
// testdata/golden-v2-websocket (rewrite with -update and review the diff).
func TestGoldenWebSocket(t *testing.T) {
	runGolden(t, filepath.Join("testdata", "golden-v2-websocket"), goldenWebSocketScenario())
}
