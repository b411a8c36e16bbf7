package mgmt_test

import (
	"os"
	"path/filepath"
	"testing"
)

// goldenV2Scenario calls every apigatewayv2 operation once (and the main
// error shapes) in an order that builds an HTTP API by hand beside a
// quick-created one. Path labels are percent-encoded as the SDKs send
// them ($default, route keys, ARNs).
func goldenV2Scenario() []goldenStep {
	api := "/v2/apis/{{api}}"
	quick := "/v2/apis/{{quick}}"
	lambdaARN := "arn:aws:lambda:us-east-1:000000000000:function:pets"
	authURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + lambdaARN + "/invocations"
	arn := "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2F{{api}}"
	return []goldenStep{
		{"CreateApi-quick", "POST", "/v2/apis", map[string]any{"name": "hello", "protocolType": "HTTP", "target": "https://example.com"}, map[string]string{"quick": "apiId"}},
		{"GetRoutes-quick", "GET", quick + "/routes", nil, nil},
		{"GetIntegrations-quick", "GET", quick + "/integrations", nil, nil},
		{"GetStages-quick", "GET", quick + "/stages", nil, nil},
		{"GetDeployments-quick", "GET", quick + "/deployments", nil, nil},
		{"CreateApi-quickLambda", "POST", "/v2/apis", map[string]any{"name": "fn", "protocolType": "HTTP", "target": lambdaARN, "routeKey": "GET /hello"}, map[string]string{"quick2": "apiId"}},
		{"GetRoutes-quickLambda", "GET", "/v2/apis/{{quick2}}/routes", nil, nil},
		{"GetIntegrations-quickLambda", "GET", "/v2/apis/{{quick2}}/integrations", nil, nil},
		{"CreateApi", "POST", "/v2/apis", map[string]any{"name": "pets", "protocolType": "HTTP", "description": "Pet store", "version": "v1",
			"corsConfiguration": map[string]any{"allowOrigins": []string{"https://www.example.com"}, "allowMethods": []string{"GET", "OPTIONS"}, "maxAge": 300},
			"tags":              map[string]string{"team": "a"}}, map[string]string{"api": "apiId"}},
		{"GetApis", "GET", "/v2/apis?maxResults=2", nil, nil},
		{"UpdateApi", "PATCH", api, map[string]any{"description": "Pets!", "corsConfiguration": map[string]any{"allowHeaders": []string{"header1"}}}, nil},
		{"DeleteCorsConfiguration", "DELETE", api + "/cors", nil, nil},
		{"GetApi", "GET", api, nil, nil},

		{"CreateIntegration", "POST", api + "/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationUri": "https://backend.example.com/pets/{id}", "integrationMethod": "GET", "payloadFormatVersion": "1.0",
			"requestParameters":  map[string]string{"append:header.x-source": "$context.requestId", "overwrite:querystring.kind": "$request.querystring.type"},
			"responseParameters": map[string]any{"404": map[string]string{"overwrite:statuscode": "410"}}}, map[string]string{"http": "integrationId"}},
		{"CreateIntegration-lambda", "POST", api + "/integrations", map[string]any{"integrationType": "AWS_PROXY", "integrationUri": lambdaARN, "payloadFormatVersion": "2.0", "timeoutInMillis": 5000}, map[string]string{"fn": "integrationId"}},
		{"GetIntegrations", "GET", api + "/integrations", nil, nil},
		{"UpdateIntegration", "PATCH", api + "/integrations/{{http}}", map[string]any{"requestParameters": map[string]string{"append:header.x-source": ""}, "responseParameters": map[string]any{"500": map[string]string{"overwrite:header.retry-after": "5"}}}, nil},
		{"GetIntegration", "GET", api + "/integrations/{{http}}", nil, nil},

		{"CreateAuthorizer-jwt", "POST", api + "/authorizers", map[string]any{"name": "jwt", "authorizerType": "JWT", "identitySource": []string{"$request.header.Authorization"},
			"jwtConfiguration": map[string]any{"issuer": "https://issuer.example.com", "audience": []string{"pets"}}}, map[string]string{"jwt": "authorizerId"}},
		{"CreateAuthorizer-lambda", "POST", api + "/authorizers", map[string]any{"name": "lambda", "authorizerType": "REQUEST", "authorizerUri": authURI,
			"authorizerPayloadFormatVersion": "2.0", "enableSimpleResponses": true, "identitySource": []string{"$request.header.X-Token"}, "authorizerResultTtlInSeconds": 60}, map[string]string{"lam": "authorizerId"}},
		{"GetAuthorizers", "GET", api + "/authorizers", nil, nil},
		{"UpdateAuthorizer", "PATCH", api + "/authorizers/{{jwt}}", map[string]any{"jwtConfiguration": map[string]any{"audience": []string{"pets", "admin"}}}, nil},
		{"GetAuthorizer", "GET", api + "/authorizers/{{jwt}}", nil, nil},

		{"CreateRoute", "POST", api + "/routes", map[string]any{"routeKey": "GET /pets/{id}", "target": "integrations/{{http}}", "authorizationType": "JWT", "authorizerId": "{{jwt}}", "authorizationScopes": []string{"pets.read"}}, map[string]string{"pet": "routeId"}},
		{"CreateRoute-greedy", "POST", api + "/routes", map[string]any{"routeKey": "ANY /{proxy+}", "target": "integrations/{{fn}}", "authorizationType": "CUSTOM", "authorizerId": "{{lam}}"}, nil},
		{"CreateRoute-default", "POST", api + "/routes", map[string]any{"routeKey": "$default", "target": "integrations/{{fn}}", "authorizationType": "AWS_IAM"}, map[string]string{"def": "routeId"}},
		{"GetRoutes", "GET", api + "/routes", nil, nil},
		{"UpdateRoute", "PATCH", api + "/routes/{{def}}", map[string]any{"authorizationType": "NONE", "operationName": "catchAll"}, nil},
		{"GetRoute", "GET", api + "/routes/{{pet}}", nil, nil},

		{"CreateStage", "POST", api + "/stages", map[string]any{"stageName": "dev", "stageVariables": map[string]string{"backend": "backend.example.com"}, "tags": map[string]string{"env": "dev"}}, nil},
		{"CreateDeployment", "POST", api + "/deployments", map[string]any{"stageName": "dev", "description": "first"}, map[string]string{"dep": "deploymentId"}},
		{"GetDeployments", "GET", api + "/deployments", nil, nil},
		{"GetDeployment", "GET", api + "/deployments/{{dep}}", nil, nil},
		{"UpdateDeployment", "PATCH", api + "/deployments/{{dep}}", map[string]any{"description": "first deployment"}, nil},
		{"UpdateStage", "PATCH", api + "/stages/dev", map[string]any{
			"routeSettings":        map[string]any{"GET /pets/{id}": map[string]any{"throttlingBurstLimit": 100, "throttlingRateLimit": 2000}},
			"defaultRouteSettings": map[string]any{"throttlingBurstLimit": 50, "throttlingRateLimit": 25.5},
			"stageVariables":       map[string]string{"backend": "", "color": "blue"},
			"accessLogSettings":    map[string]any{"destinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:access", "format": "$context.requestId $context.routeKey $context.status"}}, nil},
		{"GetStage", "GET", api + "/stages/dev", nil, nil},
		{"DeleteRouteSettings", "DELETE", api + "/stages/dev/routesettings/GET%20%2Fpets%2F%7Bid%7D", nil, nil},
		{"DeleteAccessLogSettings", "DELETE", api + "/stages/dev/accesslogsettings", nil, nil},
		{"ResetAuthorizersCache", "DELETE", api + "/stages/dev/cache/authorizers", nil, nil},
		{"CreateStage-auto", "POST", api + "/stages", map[string]any{"stageName": "$default", "autoDeploy": true}, nil},
		{"UpdateRoute-autoDeploys", "PATCH", api + "/routes/{{pet}}", map[string]any{"authorizationScopes": []string{"pets.read", "pets.write"}}, nil},
		{"GetStage-auto", "GET", api + "/stages/%24default", nil, nil},
		{"GetStages", "GET", api + "/stages", nil, nil},
		{"GetDeployments-auto", "GET", api + "/deployments", nil, nil},

		{"TagResource", "POST", arn, map[string]any{"tags": map[string]string{"owner": "me"}}, nil},
		{"GetTags", "GET", arn, nil, nil},
		{"UntagResource", "DELETE", arn + "?tagKeys=team", nil, nil},
		{"GetTags-stage", "GET", arn + "%2Fstages%2Fdev", nil, nil},

		{"CreateVpcLink", "POST", "/v2/vpclinks", map[string]any{"name": "MyVpcLink", "subnetIds": []string{"subnet-aaaa", "subnet-bbbb"}, "securityGroupIds": []string{"sg1234"}}, map[string]string{"link": "vpcLinkId"}},
		{"GetVpcLinks", "GET", "/v2/vpclinks", nil, nil},
		{"UpdateVpcLink", "PATCH", "/v2/vpclinks/{{link}}", map[string]any{"name": "MyUpdatedVpcLink"}, nil},
		{"GetVpcLink", "GET", "/v2/vpclinks/{{link}}", nil, nil},
		{"DeleteVpcLink", "DELETE", "/v2/vpclinks/{{link}}", nil, nil},

		// Error shapes.
		{"Error-ApiNotFound", "GET", "/v2/apis/nosuchapi0", nil, nil},
		{"Error-RouteNotFound", "GET", api + "/routes/nosuch0", nil, nil},
		{"Error-StageNotFound", "GET", api + "/stages/nosuch", nil, nil},
		{"Error-ConflictingVariable", "POST", api + "/routes", map[string]any{"routeKey": "POST /pets/{petId}"}, nil},
		{"Error-DuplicateRoute", "POST", api + "/routes", map[string]any{"routeKey": "GET /pets/{id}"}, nil},
		{"Error-BadRouteKey", "POST", api + "/routes", map[string]any{"routeKey": "FETCH /pets"}, nil},
		{"Error-ReservedHeader", "PATCH", api + "/integrations/{{http}}", map[string]any{"requestParameters": map[string]string{"overwrite:header.Authorization": "x"}}, nil},
		{"Error-CorsCredentials", "PATCH", api, map[string]any{"corsConfiguration": map[string]any{"allowOrigins": []string{"*"}, "allowCredentials": true}}, nil},
		{"Error-Protocol", "POST", "/v2/apis", map[string]any{"name": "x", "protocolType": "GRPC"}, nil},
		{"Error-Timeout", "POST", api + "/integrations", map[string]any{"integrationType": "HTTP_PROXY", "integrationUri": "https://example.com", "integrationMethod": "GET", "payloadFormatVersion": "1.0", "timeoutInMillis": 30001}, nil},
		{"Error-IntegrationInUse", "DELETE", api + "/integrations/{{fn}}", nil, nil},
		{"Error-DeploymentInUse", "DELETE", api + "/deployments/{{dep}}", nil, nil},
		{"Error-MalformedJSON", "POST", "/v2/apis", `{"name": `, nil},
		{"Error-WebSocketOnly", "GET", api + "/models", nil, nil},

		// Deletes.
		{"DeleteStage", "DELETE", api + "/stages/dev", nil, nil},
		{"DeleteDeployment", "DELETE", api + "/deployments/{{dep}}", nil, nil},
		{"DeleteRoute", "DELETE", api + "/routes/{{pet}}", nil, nil},
		{"DeleteAuthorizer", "DELETE", api + "/authorizers/{{jwt}}", nil, nil},
		{"DeleteIntegration", "DELETE", api + "/integrations/{{http}}", nil, nil},
		{"DeleteApi", "DELETE", api, nil, nil},
		{"GetApis-afterDelete", "GET", "/v2/apis", nil, nil},

		// WebSocket APIs: stored with what the shared shapes allow.
		{"CreateApi-websocket", "POST", "/v2/apis", map[string]any{"name": "chat", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"}, map[string]string{"ws": "apiId"}},
		{"CreateIntegration-websocketMock", "POST", "/v2/apis/{{ws}}/integrations", map[string]any{"integrationType": "MOCK", "passthroughBehavior": "WHEN_NO_MATCH", "requestTemplates": map[string]string{"application/json": `{"statusCode":200}`}}, map[string]string{"mock": "integrationId"}},
		{"CreateAuthorizer-websocket", "POST", "/v2/apis/{{ws}}/authorizers", map[string]any{"name": "ws", "authorizerType": "REQUEST", "authorizerUri": authURI, "identitySource": []string{"route.request.header.Auth"}}, map[string]string{"wsauth": "authorizerId"}},
		{"CreateRoute-websocketConnect", "POST", "/v2/apis/{{ws}}/routes", map[string]any{"routeKey": "$connect", "target": "integrations/{{mock}}", "authorizationType": "CUSTOM", "authorizerId": "{{wsauth}}", "apiKeyRequired": true}, nil},
		{"CreateRoute-websocketCustom", "POST", "/v2/apis/{{ws}}/routes", map[string]any{"routeKey": "sendMessage", "target": "integrations/{{mock}}", "routeResponseSelectionExpression": "$default"}, nil},
		{"Error-WebSocketAuthNotOnConnect", "POST", "/v2/apis/{{ws}}/routes", map[string]any{"routeKey": "other", "authorizationType": "AWS_IAM"}, nil},
		{"Error-WebSocketDefaultStage", "POST", "/v2/apis/{{ws}}/stages", map[string]any{"stageName": "$default"}, nil},
		{"Error-ImportSwagger", "PUT", "/v2/apis", map[string]any{"body": "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}"}, nil},
		{"CreateStage-websocket", "POST", "/v2/apis/{{ws}}/stages", map[string]any{"stageName": "production", "autoDeploy": true, "defaultRouteSettings": map[string]any{"loggingLevel": "INFO", "dataTraceEnabled": true}}, nil},

		// OpenAPI import (testdata/openapi-http: see its README).
		{"ImportApi", "PUT", "/v2/apis", map[string]any{"body": fixture("extensions.yaml")}, map[string]string{"imp": "apiId"}},
		{"GetRoutes-imported", "GET", "/v2/apis/{{imp}}/routes", nil, nil},
		{"GetIntegrations-imported", "GET", "/v2/apis/{{imp}}/integrations", nil, nil},
		{"GetAuthorizers-imported", "GET", "/v2/apis/{{imp}}/authorizers", nil, nil},
		{"ImportApi-prepend", "PUT", "/v2/apis?basepath=prepend", map[string]any{"body": fixture("shared-integrations.json")}, map[string]string{"shared": "apiId"}},
		{"GetRoutes-prepend", "GET", "/v2/apis/{{shared}}/routes", nil, nil},
		{"ImportApi-findings", "PUT", "/v2/apis", map[string]any{"body": fixture("pets.json") + "\n"}, nil},
		{"ImportApi-warnings", "PUT", "/v2/apis", map[string]any{"body": "openapi: 3.0.1\ninfo: {title: w}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n"}, nil},
		{"Error-ImportFailOnWarnings", "PUT", "/v2/apis?failOnWarnings=true", map[string]any{"body": "openapi: 3.0.1\ninfo: {title: w}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock}\n"}, nil},
		{"Error-ImportSecurity", "PUT", "/v2/apis", map[string]any{"body": "openapi: 3.0.1\ninfo: {title: s}\npaths:\n  /a:\n    get:\n      security: [{a: []}, {b: []}]\n"}, nil},
		{"Error-ImportBasepath", "PUT", "/v2/apis?basepath=merge", map[string]any{"body": "openapi: 3.0.1\npaths: {}\n"}, nil},
		{"ReimportApi", "PUT", "/v2/apis/{{imp}}", map[string]any{"body": fixture("todo-export.yaml")}, nil},
		{"GetRoutes-reimported", "GET", "/v2/apis/{{imp}}/routes", nil, nil},
		{"Error-ReimportNotFound", "PUT", "/v2/apis/nosuchapi0", map[string]any{"body": "openapi: 3.0.1\npaths: {}\n"}, nil},

		// OpenAPI export: the latest configuration, or a stage's deployment.
		{"ExportApi", "GET", "/v2/apis/{{imp}}/exports/OAS30?outputType=JSON", nil, nil},
		{"ExportApi-yaml", "GET", "/v2/apis/{{imp}}/exports/OAS30?outputType=YAML&exportVersion=1.0", nil, nil},
		{"CreateDeployment-shared", "POST", "/v2/apis/{{shared}}/deployments", map[string]any{}, map[string]string{"sharedDep": "deploymentId"}},
		{"CreateStage-shared", "POST", "/v2/apis/{{shared}}/stages", map[string]any{"stageName": "prod", "deploymentId": "{{sharedDep}}"}, nil},
		{"ExportApi-stage", "GET", "/v2/apis/{{shared}}/exports/OAS30?outputType=JSON&stageName=prod", nil, nil},
		{"ExportApi-noExtensions", "GET", "/v2/apis/{{shared}}/exports/OAS30?outputType=JSON&includeExtensions=false", nil, nil},
		{"Error-ExportSpecification", "GET", "/v2/apis/{{imp}}/exports/OAS20?outputType=JSON", nil, nil},
		{"Error-ExportOutputType", "GET", "/v2/apis/{{imp}}/exports/OAS30", nil, nil},
		{"Error-ExportVersion", "GET", "/v2/apis/{{imp}}/exports/OAS30?outputType=YAML&exportVersion=2.0", nil, nil},
		{"Error-ExportStage", "GET", "/v2/apis/{{imp}}/exports/OAS30?outputType=YAML&stageName=nosuch", nil, nil},
		{"Error-ExportApiNotFound", "GET", "/v2/apis/nosuchapi0/exports/OAS30?outputType=JSON", nil, nil},
		{"Error-ExportWebSocket", "GET", "/v2/apis/{{ws}}/exports/OAS30?outputType=JSON", nil, nil},
	}
}

// fixture reads a definition of testdata/openapi-http.
func fixture(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "openapi-http", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestGoldenV2 pins every apigatewayv2 operation's response in
// testdata/golden-v2 (rewrite with -update and review the diff).
func TestGoldenV2(t *testing.T) {
	runGolden(t, filepath.Join("testdata", "golden-v2"), goldenV2Scenario())
}
