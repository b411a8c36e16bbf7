package e2e

import (
	"reflect"
	"strings"
	"testing"
)

// cliV2WebSocket builds a WebSocket API with the AWS CLI v2: integrations
// of every type, a $connect route behind a REQUEST authorizer, a two-way
// route with its route response, integration responses with VTL
// templates, models with their template, a stage with route throttling
// settings and a deployment, and the WebSocket operations' errors. Shapes
// are compared with the developer guide's CLI examples where they exist.
func cliV2WebSocket(t *testing.T, c *cliRunner) {
	var api obj
	c.ok(&api, "create-api", "--name", "chat", "--protocol-type", "WEBSOCKET", "--route-selection-expression", "$request.body.action")
	id := api["ApiId"].(string)
	if api["ApiEndpoint"] != "wss://"+id+".execute-api.us-east-1.amazonaws.com" || api["RouteSelectionExpression"] != "$request.body.action" ||
		api["ApiKeySelectionExpression"] != "$request.header.x-api-key" || api["ProtocolType"] != "WEBSOCKET" {
		t.Errorf("create-api (WebSocket): %v", api)
	}
	// [X] get-apis (a WebSocket API), plus disableExecuteApiEndpoint.
	wantKeys(t, "get-api (WebSocket)", c.obj("get-api", "--api-id", id), "ApiEndpoint", "ApiId", "ApiKeySelectionExpression", "CreatedDate",
		"DisableExecuteApiEndpoint", "Name", "ProtocolType", "RouteSelectionExpression", "Tags")
	lambdaURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations"

	// [X] create-integration (a WebSocket MOCK integration).
	bare := c.obj("create-integration", "--api-id", id, "--passthrough-behavior", "WHEN_NO_MATCH", "--timeout-in-millis", "29000",
		"--connection-type", "INTERNET", "--integration-type", "MOCK")
	wantKeys(t, "create-integration (the CLI example)", bare, "ConnectionType", "IntegrationId", "IntegrationResponseSelectionExpression",
		"IntegrationType", "PassthroughBehavior", "PayloadFormatVersion", "TimeoutInMillis")
	c.ok(nil, "delete-integration", "--api-id", id, "--integration-id", bare["IntegrationId"].(string))

	// [D] "Set up a WebSocket API integration request": a Lambda proxy
	// integration, and a MOCK one from a --cli-input-json file.
	proxy := c.obj("create-integration", "--api-id", id, "--integration-type", "AWS_PROXY", "--integration-method", "POST", "--integration-uri", lambdaURI)
	wantKeys(t, "create-integration (AWS_PROXY)", proxy, "ConnectionType", "IntegrationId", "IntegrationMethod", "IntegrationType", "IntegrationUri",
		"PassthroughBehavior", "PayloadFormatVersion", "TimeoutInMillis")
	if proxy["PassthroughBehavior"] != "WHEN_NO_MATCH" || proxy["TimeoutInMillis"] != 29000.0 || !id7RE.MatchString(proxy["IntegrationId"].(string)) {
		t.Errorf("create-integration (AWS_PROXY): %v", proxy)
	}
	params := c.dir + "/integration-params.json"
	mustWrite(t, params, `{"PassthroughBehavior": "WHEN_NO_MATCH", "TimeoutInMillis": 29000, "ConnectionType": "INTERNET", "RequestTemplates": {"application/json": "{\"statusCode\":200}"}, "IntegrationType": "MOCK"}`)
	mock := c.obj("create-integration", "--api-id", id, "--cli-input-json", "file://"+params)
	wantKeys(t, "create-integration (MOCK)", mock, "ConnectionType", "IntegrationId", "IntegrationResponseSelectionExpression", "IntegrationType",
		"PassthroughBehavior", "PayloadFormatVersion", "RequestTemplates", "TimeoutInMillis")
	if mock["IntegrationResponseSelectionExpression"] != "${integration.response.statuscode}" ||
		!reflect.DeepEqual(mock["RequestTemplates"], obj{"application/json": `{"statusCode":200}`}) {
		t.Errorf("create-integration (MOCK): %v", mock)
	}
	mockID := mock["IntegrationId"].(string)
	lambda := c.obj("create-integration", "--api-id", id, "--integration-type", "AWS", "--integration-uri", lambdaURI,
		"--template-selection-expression", "${request.body.action}", "--request-templates", `{"join":"{\"room\": $input.json('$.room')}"}`)
	if lambda["IntegrationMethod"] != "POST" || lambda["IntegrationResponseSelectionExpression"] != "${integration.response.body.errorMessage}" {
		t.Errorf("create-integration (AWS): %v", lambda)
	}
	httpIg := c.obj("create-integration", "--api-id", id, "--integration-type", "HTTP", "--integration-method", "POST",
		"--integration-uri", "https://backend.example.com/disconnect", "--request-parameters", `{"integration.request.header.connectionId":"context.connectionId"}`)
	c.fails("BadRequestException", "UpdateIntegration", "Invalid mapping template specified for join: line 1, column 1: missing #end for #if",
		"update-integration", "--api-id", id, "--integration-id", lambda["IntegrationId"].(string), "--request-templates", `{"join":"#if($x)"}`)

	// A $connect route behind a Lambda authorizer reading a header.
	auth := c.obj("create-authorizer", "--api-id", id, "--name", "tokens", "--authorizer-type", "REQUEST",
		"--authorizer-uri", lambdaURI, "--identity-source", "route.request.header.Auth", "route.request.querystring.token")
	if !reflect.DeepEqual(auth["IdentitySource"], []any{"route.request.header.Auth", "route.request.querystring.token"}) {
		t.Errorf("create-authorizer (WebSocket REQUEST): %v", auth)
	}
	connect := c.obj("create-route", "--api-id", id, "--route-key", "$connect", "--target", "integrations/"+lambda["IntegrationId"].(string),
		"--authorization-type", "CUSTOM", "--authorizer-id", auth["AuthorizerId"].(string), "--api-key-required",
		"--request-parameters", `{"route.request.querystring.token": {"Required": false}}`)
	if connect["ApiKeyRequired"] != true || connect["AuthorizationType"] != "CUSTOM" ||
		!reflect.DeepEqual(connect["RequestParameters"], obj{"route.request.querystring.token": obj{"Required": false}}) {
		t.Errorf("create-route $connect: %v", connect)
	}
	c.ok(nil, "create-route", "--api-id", id, "--route-key", "$disconnect", "--target", "integrations/"+httpIg["IntegrationId"].(string))
	c.fails("BadRequestException", "CreateRoute", "Authorization is supported only on the $connect route of a WebSocket API",
		"create-route", "--api-id", id, "--route-key", "secret", "--authorization-type", "AWS_IAM")

	// [D] "Set up route responses": a two-way $default route.
	def := c.obj("create-route", "--api-id", id, "--route-key", "$default", "--target", "integrations/"+mockID, "--route-response-selection-expression", "$default")
	defID := def["RouteId"].(string)
	rr := c.obj("create-route-response", "--api-id", id, "--route-id", defID, "--route-response-key", "$default")
	wantKeys(t, "create-route-response", rr, "RouteResponseId", "RouteResponseKey")
	rrID, _ := rr["RouteResponseId"].(string)
	if !id6RE.MatchString(rrID) || rr["RouteResponseKey"] != "$default" {
		t.Errorf("create-route-response: %v", rr)
	}
	got := c.obj("update-route-response", "--api-id", id, "--route-id", defID, "--route-response-id", rrID,
		"--model-selection-expression", "$request.body.kind", "--response-parameters", `{"route.response.header.x": {"Required": true}}`)
	if got["ModelSelectionExpression"] != "$request.body.kind" || !reflect.DeepEqual(got["ResponseParameters"], obj{"route.response.header.x": obj{"Required": true}}) {
		t.Errorf("update-route-response: %v", got)
	}
	var rrs items
	c.ok(&rrs, "get-route-responses", "--api-id", id, "--route-id", defID)
	if len(rrs.Items) != 1 || !reflect.DeepEqual(rrs.Items[0], c.obj("get-route-response", "--api-id", id, "--route-id", defID, "--route-response-id", rrID)) {
		t.Errorf("get-route-responses: %v", rrs)
	}
	c.fails("ConflictException", "CreateRouteResponse", "Route response with key $default already exists for this route",
		"create-route-response", "--api-id", id, "--route-id", defID, "--route-response-key", "$default")
	c.fails("BadRequestException", "CreateRouteResponse", "Invalid route response key specified: $other. Only $default is supported for WebSocket APIs",
		"create-route-response", "--api-id", id, "--route-id", connect["RouteId"].(string), "--route-response-key", "$other")
	c.fails("NotFoundException", "GetRouteResponse", "Invalid RouteResponse identifier specified nosuch",
		"get-route-response", "--api-id", id, "--route-id", defID, "--route-response-id", "nosuch")

	// Integration responses of the MOCK integration.
	ir := c.obj("create-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-key", "$default",
		"--template-selection-expression", "\\$default", "--response-templates", `{"$default":"{\"echo\": $input.json('$')}"}`)
	wantKeys(t, "create-integration-response", ir, "IntegrationResponseId", "IntegrationResponseKey", "ResponseTemplates", "TemplateSelectionExpression")
	irID := ir["IntegrationResponseId"].(string)
	ir4 := c.obj("create-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-key", `/4\d\d/`,
		"--content-handling-strategy", "CONVERT_TO_TEXT")
	if ir4["IntegrationResponseKey"] != `/4\d\d/` || ir4["ContentHandlingStrategy"] != "CONVERT_TO_TEXT" {
		t.Errorf("create-integration-response (regex): %v", ir4)
	}
	got = c.obj("update-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-id", irID,
		"--response-parameters", `{"method.response.header.x-id":"integration.response.header.x-id"}`)
	if !reflect.DeepEqual(got["ResponseParameters"], obj{"method.response.header.x-id": "integration.response.header.x-id"}) ||
		!reflect.DeepEqual(got["ResponseTemplates"], ir["ResponseTemplates"]) {
		t.Errorf("update-integration-response: %v", got)
	}
	var irs items
	c.ok(&irs, "get-integration-responses", "--api-id", id, "--integration-id", mockID)
	if len(irs.Items) != 2 || !reflect.DeepEqual(irs.Items[0], c.obj("get-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-id", irID)) {
		t.Errorf("get-integration-responses: %v", irs)
	}
	c.fails("BadRequestException", "CreateIntegrationResponse",
		`Invalid integration response key specified: 5\d\d. An integration response key is $default or a regular expression between slashes, such as /4\d\d/`,
		"create-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-key", `5\d\d`)
	c.fails("ConflictException", "CreateIntegrationResponse", `Integration response with key /4\d\d/ already exists for this integration`,
		"create-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-key", `/4\d\d/`)
	c.ok(nil, "delete-integration-response", "--api-id", id, "--integration-id", mockID, "--integration-response-id", ir4["IntegrationResponseId"].(string))

	// Models for route request validation.
	schema := `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["action"],"properties":{"action":{"type":"string"},"text":{"type":"string"}}}`
	model := c.obj("create-model", "--api-id", id, "--name", "Message", "--content-type", "application/json", "--schema", schema)
	wantKeys(t, "create-model", model, "ContentType", "ModelId", "Name", "Schema")
	modelID := model["ModelId"].(string)
	if model["Schema"] != schema || !id6RE.MatchString(modelID) {
		t.Errorf("create-model: %v", model)
	}
	tmpl := c.obj("get-model-template", "--api-id", id, "--model-id", modelID)
	if v, _ := tmpl["Value"].(string); !strings.HasPrefix(v, "#set($inputRoot = $input.path('$'))") || !strings.Contains(v, `"action" : "$inputRoot.action"`) {
		t.Errorf("get-model-template: %v", tmpl)
	}
	c.obj("update-route", "--api-id", id, "--route-id", defID, "--model-selection-expression", "$default", "--request-models", `{"$default":"Message"}`)
	got = c.obj("update-model", "--api-id", id, "--model-id", modelID, "--description", "A chat message")
	if got["Description"] != "A chat message" || got["Name"] != "Message" {
		t.Errorf("update-model: %v", got)
	}
	var models items
	c.ok(&models, "get-models", "--api-id", id)
	if len(models.Items) != 1 || !reflect.DeepEqual(models.Items[0], c.obj("get-model", "--api-id", id, "--model-id", modelID)) {
		t.Errorf("get-models: %v", models)
	}
	c.fails("ConflictException", "DeleteModel", "Cannot delete model 'Message', is referenced in route request: $default",
		"delete-model", "--api-id", id, "--model-id", modelID)
	c.fails("BadRequestException", "CreateModel", `Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): ["$id"]]`,
		"create-model", "--api-id", id, "--name", "Other", "--schema", `{"$id":"urn:other","type":"string"}`)
	c.fails("BadRequestException", "UpdateRoute", "Invalid model identifier specified: Nope",
		"update-route", "--api-id", id, "--route-id", defID, "--request-models", `{"other":"Nope"}`)

	// A stage with route throttling settings, deployed by hand.
	st := c.obj("create-stage", "--api-id", id, "--stage-name", "production",
		"--default-route-settings", "ThrottlingBurstLimit=100,ThrottlingRateLimit=50,LoggingLevel=ERROR",
		"--route-settings", `{"$connect":{"ThrottlingBurstLimit":5,"ThrottlingRateLimit":1.5,"DataTraceEnabled":true,"LoggingLevel":"INFO"}}`)
	if !reflect.DeepEqual(st["RouteSettings"], obj{"$connect": obj{"ThrottlingBurstLimit": 5.0, "ThrottlingRateLimit": 1.5, "DataTraceEnabled": true, "LoggingLevel": "INFO"}}) {
		t.Errorf("create-stage route settings: %v", st["RouteSettings"])
	}
	dep := c.obj("create-deployment", "--api-id", id, "--stage-name", "production")
	if dep["DeploymentStatus"] != "DEPLOYED" || dep["AutoDeployed"] != false {
		t.Errorf("create-deployment: %v", dep)
	}
	if got := c.obj("get-stage", "--api-id", id, "--stage-name", "production"); got["DeploymentId"] != dep["DeploymentId"] {
		t.Errorf("get-stage after create-deployment: %v", got)
	}
	c.ok(nil, "delete-route-settings", "--api-id", id, "--stage-name", "production", "--route-key", "$connect")

	// Deletes cascade: a route's route responses, an integration's
	// integration responses, then the whole API.
	c.ok(nil, "delete-route-response", "--api-id", id, "--route-id", defID, "--route-response-id", rrID)
	c.ok(nil, "update-route", "--api-id", id, "--route-id", defID, "--request-models", `{"$default":""}`)
	c.ok(nil, "delete-model", "--api-id", id, "--model-id", modelID)
	c.ok(nil, "delete-route", "--api-id", id, "--route-id", defID)
	c.ok(nil, "delete-integration", "--api-id", id, "--integration-id", mockID)
	c.fails("NotFoundException", "GetIntegrationResponses", "Invalid Integration identifier specified "+mockID,
		"get-integration-responses", "--api-id", id, "--integration-id", mockID)
	c.ok(nil, "delete-api", "--api-id", id)
}
