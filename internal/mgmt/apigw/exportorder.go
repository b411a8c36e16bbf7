package apigw

import "github.com/tollgate/tollgate/internal/mgmt/oas"

// exportKeyOrder lists, per kind of object, the members in AWS's order;
// other members follow, sorted.
var exportKeyOrder = map[string][]string{
	"root": {"openapi", "swagger", "info", "host", "basePath", "schemes", "servers", "paths",
		"components", "definitions", "securityDefinitions", "security"},
	"info/swagger": {"description", "version", "title"},
	"info/oas30":   {"title", "description", "version"},
	"server":       {"url", "variables"},
	"pathItem": {"get", "put", "post", "delete", "options", "head", "patch",
		"x-amazon-apigateway-any-method"},
	"op": {"operationId", "consumes", "produces", "parameters", "requestBody", "responses", "security",
		"x-amazon-apigateway-request-validator", "x-amazon-apigateway-integration"},
	"param":       {"name", "in", "required", "type", "schema"},
	"param/body":  {"in", "name", "required", "schema"},
	"requestBody": {"content", "required"},
	"response":    {"description", "schema", "headers", "content"},
	"integration": {"type", "httpMethod", "uri", "credentials", "connectionType", "connectionId",
		"responses", "requestParameters", "requestTemplates", "passthroughBehavior", "cacheNamespace",
		"cacheKeyParameters", "contentHandling", "timeoutInMillis", "responseTransferMode", "tlsConfig"},
	"intResponse": {"statusCode", "responseParameters", "responseTemplates", "contentHandling"},
	"components":  {"schemas", "securitySchemes"},
	"scheme":      {"type", "name", "in", "x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer"},
	"authorizer": {"type", "authorizerUri", "authorizerCredentials", "identitySource",
		"identityValidationExpression", "authorizerResultTtlInSeconds", "providerARNs"},
}

// restLayout writes a REST API export's members in AWS's order.
type restLayout struct{ oas3 bool }

// Order implements oas.Layout: info and body parameters differ between
// Swagger 2.0 and OpenAPI 3.
func (l restLayout) Order(kind string, o oas.Obj) []string {
	switch kind {
	case "info":
		if l.oas3 {
			return exportKeyOrder["info/oas30"]
		}
		return exportKeyOrder["info/swagger"]
	case "param":
		if o["in"] == "body" {
			return exportKeyOrder["param/body"]
		}
	}
	return exportKeyOrder[kind]
}

// Kind implements oas.Layout.
func (restLayout) Kind(kind, k string) string {
	switch kind {
	case "root":
		switch k {
		case "info", "servers", "paths", "components":
			return map[string]string{"info": "info", "servers": "server", "paths": "paths", "components": "components"}[k]
		case "securityDefinitions":
			return "schemes"
		}
	case "paths":
		return "pathItem"
	case "pathItem":
		return "op"
	case "op":
		switch k {
		case "parameters":
			return "param"
		case "requestBody":
			return "requestBody"
		case "responses":
			return "responses"
		case "x-amazon-apigateway-integration":
			return "integration"
		}
	case "responses":
		return "response"
	case "integration":
		if k == "responses" {
			return "intResponses"
		}
	case "intResponses":
		return "intResponse"
	case "components":
		if k == "securitySchemes" {
			return "schemes"
		}
	case "schemes":
		return "scheme"
	case "scheme":
		if k == "x-amazon-apigateway-authorizer" {
			return "authorizer"
		}
	}
	return ""
}
