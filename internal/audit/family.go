package audit

import (
	"strings"
)

// family is what the record of one API family's calls needs: its event
// source, how its request parameters are named and shaped, which of its
// resources events name, and its secret members (redact.go).
type family struct {
	name   string
	source string
	// wrapInput puts the request body under "{eventName}Input", as
	// apigateway's records do [C: 2024 CreateStage and CreateDeployment
	// records]; other families merge body members with the path's.
	wrapInput bool
	// members renames path labels to the model's member names.
	members map[string]string
	// resourceTypes maps member names to the resource types events list
	// (CloudFormation's names).
	resourceTypes map[string]string
	// typePrefix prefixes a created resource's type ("AWS::ApiGateway::").
	typePrefix string
	// documentBody names the operations whose body is a document (OpenAPI,
	// CSV) rather than parameters: only their query is recorded
	// ("ImportRestApi/PutRestApi body: record the query flags").
	documentBody map[string]bool
	// secrets are the member paths replaced by "***" in request bodies
	// and responses (redact.go).
	secrets []string
	// patchSecret reports whether a patch operation on path carries a
	// secret value.
	patchSecret func(path string) bool
}

var (
	apigatewayV1 = &family{
		name: "apigateway", source: "apigateway.amazonaws.com", wrapInput: true, typePrefix: "AWS::ApiGateway::",
		members: map[string]string{
			"restapi_id": "restApiId", "resource_id": "resourceId", "http_method": "httpMethod", "stage_name": "stageName",
			"deployment_id": "deploymentId", "authorizer_id": "authorizerId", "model_name": "modelName",
			"requestvalidator_id": "requestValidatorId", "api_Key": "apiKey", "usageplanId": "usagePlanId",
			"clientcertificate_id": "clientCertificateId", "part_id": "documentationPartId", "doc_version": "documentationVersion",
			"status_code": "statusCode", "response_type": "responseType", "export_type": "exportType", "resource_arn": "resourceArn",
			"domain_name": "domainName", "base_path": "basePath", "vpclink_id": "vpcLinkId",
		},
		resourceTypes: map[string]string{
			"restApiId": "RestApi", "resourceId": "Resource", "stageName": "Stage", "deploymentId": "Deployment",
			"authorizerId": "Authorizer", "modelName": "Model", "requestValidatorId": "RequestValidator", "apiKey": "ApiKey",
			"usagePlanId": "UsagePlan", "keyId": "ApiKey", "clientCertificateId": "ClientCertificate",
			"documentationPartId": "DocumentationPart", "documentationVersion": "DocumentationVersion",
			"domainName": "DomainName", "basePath": "BasePathMapping", "vpcLinkId": "VpcLink",
		},
		documentBody: map[string]bool{"ImportRestApi": true, "PutRestApi": true, "ImportApiKeys": true, "ImportDocumentationParts": true},
		secrets: []string{
			// API key values (CreateApiKey's input, ApiKey and UsagePlanKey
			// answers); stage variables and canary overrides; a domain
			// name's uploaded certificate and private key.
			"value",
			"**.variables", "**.stageVariableOverrides",
			"**.certificatePrivateKey", "**.certificateBody", "**.certificateChain",
		},
		patchSecret: func(path string) bool {
			return strings.HasPrefix(path, "/variables/") || strings.HasPrefix(path, "/canarySettings/stageVariableOverrides") ||
				strings.Contains(path, "certificatePrivateKey") || strings.Contains(path, "certificateBody") ||
				strings.Contains(path, "certificateChain")
		},
	}
	apigatewayV2 = &family{
		name: "apigatewayv2", source: "apigateway.amazonaws.com", typePrefix: "AWS::ApiGatewayV2::",
		resourceTypes: map[string]string{
			"apiId": "Api", "stageName": "Stage", "routeId": "Route", "integrationId": "Integration", "authorizerId": "Authorizer",
			"deploymentId": "Deployment", "modelId": "Model", "routeResponseId": "RouteResponse",
			"integrationResponseId": "IntegrationResponse", "domainName": "DomainName", "apiMappingId": "ApiMapping",
			"vpcLinkId": "VpcLink", "routingRuleId": "RoutingRule",
		},
		documentBody: map[string]bool{"ImportApi": true, "ReimportApi": true},
		// Stage variables are "***" in AWS's v2 records [C: 2024 CreateStage
		// record]; certificates as in v1.
		secrets: []string{"**.stageVariables", "**.certificatePrivateKey", "**.certificateBody", "**.certificateChain"},
	}
	lambdaFamily = &family{
		name: "lambda", source: "lambda.amazonaws.com", typePrefix: "AWS::Lambda::",
		resourceTypes: map[string]string{"FunctionName": "Function", "functionName": "Function"},
		// Environment variables and code bytes.
		secrets: []string{"**.Environment.Variables", "**.ZipFile"},
	}
	acmFamily = &family{
		name: "acm", source: "acm.amazonaws.com", typePrefix: "AWS::CertificateManager::",
		resourceTypes: map[string]string{"CertificateArn": "Certificate"},
		secrets:       []string{"Certificate", "PrivateKey", "CertificateChain", "Passphrase"},
	}
	logsFamily = &family{
		name: "logs", source: "logs.amazonaws.com", typePrefix: "AWS::Logs::",
		resourceTypes: map[string]string{"logGroupName": "LogGroup", "logStreamName": "LogStream"},
	}
	cloudtrailFamily = &family{name: "cloudtrail", source: "cloudtrail.amazonaws.com", typePrefix: "AWS::CloudTrail::"}
)

// familyOf finds the family of a call by its signing name (and, for
// apigateway, its path).
func familyOf(c Call) *family {
	switch c.Service {
	case "apigateway":
		if c.Path == "/v2" || strings.HasPrefix(c.Path, "/v2/") {
			return apigatewayV2
		}
		return apigatewayV1
	case "lambda":
		return lambdaFamily
	case "acm":
		return acmFamily
	case "logs":
		return logsFamily
	case "cloudtrail":
		return cloudtrailFamily
	}
	return &family{name: c.Service, source: c.Service + ".amazonaws.com"}
}

// eventName is the record's eventName: the operation, except that
// apigateway's imports share their create routes (told apart by mode=import)
// and Lambda's names carry the API version of their path, with "v2" on
// those AWS revised: "CreateFunction20150331",
// "UpdateFunctionCode20150331v2" [C: Lambda records in detection rules].
func (f *family) eventName(c Call) string {
	op := c.Operation
	switch f {
	case apigatewayV1:
		if c.Query.Get("mode") == "import" {
			switch op {
			case "CreateRestApi":
				return "ImportRestApi"
			case "CreateApiKey":
				return "ImportApiKeys"
			}
		}
	case lambdaFamily:
		version, _, _ := strings.Cut(strings.TrimPrefix(c.Path, "/"), "/")
		version = strings.ReplaceAll(version, "-", "")
		if len(version) != 8 {
			return op
		}
		name := op + version
		if lambdaV2[name] {
			name += "v2"
		}
		return name
	}
	return op
}

// lambdaV2 are the Lambda event names AWS suffixes with "v2" [C; U for
// the ones not seen in a record].
var lambdaV2 = map[string]bool{
	"GetFunction20150331": true, "GetFunctionConfiguration20150331": true, "UpdateFunctionCode20150331": true,
	"UpdateFunctionConfiguration20150331": true, "AddPermission20150331": true, "RemovePermission20150331": true,
	"GetPolicy20150331": true, "TagResource20170331": true, "UntagResource20170331": true,
}

// member is the model's name of a path label: apigateway's labels are
// snake_case ("restapi_id" for restApiId), the others' are the member
// names, Lambda's capitalised ("FunctionName" is recorded as functionName).
func (f *family) member(label string) string {
	label = strings.TrimSuffix(label, "...")
	if m, ok := f.members[label]; ok {
		return m
	}
	return lowerFirst(label)
}

// resources lists what an event names (LookupEvents' Resources): the
// resource a successful write created, then the path's resources from the
// most specific, then (for CreateDeployment) the stage it deploys to
// [C: 2024 LookupEvents of CreateStage and CreateDeployment].
func (f *family) resources(c Call, body, resp map[string]any, readOrFailed bool) []Resource {
	out := []Resource{}
	seen := map[Resource]bool{}
	add := func(typ, name string) {
		r := Resource{ResourceType: f.typePrefix + typ, ResourceName: name}
		if typ == "" || name == "" || seen[r] {
			return
		}
		seen[r] = true
		out = append(out, r)
	}
	if !readOrFailed {
		created := createdType(c.Operation)
		for _, m := range []map[string]any{resp, body} {
			for k, v := range m {
				if s, ok := v.(string); ok && f.resourceTypes[k] == created && created != "" {
					add(created, s)
				}
			}
		}
		if s, ok := resp["id"].(string); ok && f == apigatewayV1 {
			add(created, s)
		}
	}
	for i := len(c.PathParams) - 1; i >= 0; i-- {
		p := c.PathParams[i]
		add(f.resourceTypes[f.member(p.Name)], p.Value)
	}
	if len(c.PathParams) == 0 {
		// AWS JSON services name their resources in the body.
		for k, v := range body {
			if s, ok := v.(string); ok {
				add(f.resourceTypes[k], s)
			}
		}
	}
	if f == apigatewayV1 && c.Operation == "CreateDeployment" && !readOrFailed {
		if s, ok := body["stageName"].(string); ok {
			add("Stage", s)
		}
	}
	return out
}

// createdType is the resource type a write's name says it makes or
// changes: CreateRestApi → RestApi.
func createdType(op string) string {
	for _, verb := range []string{"Create", "Generate", "Import", "Put", "Update", "Publish"} {
		if t, ok := strings.CutPrefix(op, verb); ok {
			return t
		}
	}
	return ""
}
