package apigwv2

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// exportOptions are ExportApi's parameters [M]: specification OAS30 only,
// outputType JSON or YAML (required), includeExtensions (default true),
// exportVersion 1.0 only, and an optional stage [D: "Exporting an HTTP
// API from API Gateway"].
type exportOptions struct {
	yaml       bool
	extensions bool
	stage      string
}

func readExportOptions(r *restjson.Request) (exportOptions, error) {
	opts := exportOptions{extensions: true}
	var c checker
	if spec := r.Path("specification"); spec != "OAS30" {
		c.fail("Invalid specification specified: %s. Must be one of [OAS30]", spec) // [U]
	}
	out, ok := r.Query("outputType")
	c.required(ok, "outputType")
	if ok {
		c.enum(&out, "outputType", []string{"JSON", "YAML"})
	}
	opts.yaml = out == "YAML"
	if v, ok := r.Query("exportVersion"); ok && v != importExportVersion {
		c.fail("Invalid exportVersion specified: %s. The only export version is %s", v, importExportVersion) // [U]
	}
	if v, ok := r.Query("includeExtensions"); ok {
		switch strings.ToLower(v) {
		case "true":
		case "false":
			opts.extensions = false
		default:
			c.fail("Invalid includeExtensions specified: %s. Must be true or false", v) // [U]
		}
	}
	opts.stage, _ = r.Query("stageName")
	return opts, c.err
}

// exportApi is ExportApi: the API's latest configuration, or what a stage
// serves (its deployment's snapshot), as an OpenAPI 3.0 document, the raw
// body of the answer.
func (a *API) exportApi(ctx context.Context, r *restjson.Request) (any, error) {
	opts, err := readExportOptions(r)
	if err != nil {
		return nil, err
	}
	apiID := r.Path("apiId")
	var ex exporter
	err = a.store.View(ctx, func(rd store.Reader) error {
		api, _, err := a.loadAPI(ctx, rd, apiID)
		if err != nil {
			return err
		}
		if api.ProtocolType != modelv2.ProtocolHTTP {
			return bad("ExportApi is supported only for HTTP APIs") // [M][U: text]
		}
		ex = exporter{region: a.region, tags: api.Tags, extensions: opts.extensions,
			version: api.CreatedDate} // [U: the latest configuration has no deployment date]
		if opts.stage == "" {
			ex.snap, err = takeSnapshot(ctx, rd, api)
			return err
		}
		ex.stage = opts.stage
		st, _, err := docstore.Get[modelv2.Stage](ctx, rd, modelv2.ChildKey(modelv2.KindStage, apiID, opts.stage))
		if err != nil {
			return docstore.NotFound(err, errStage(opts.stage))
		}
		if st.DeploymentID == nil {
			return bad("Stage %s has no deployment to export", opts.stage) // [U]
		}
		snap, _, err := docstore.Get[modelv2.Snapshot](ctx, rd, modelv2.ChildKey(modelv2.KindSnapshot, apiID, *st.DeploymentID))
		if err != nil {
			return docstore.NotFound(err, errDeployment(*st.DeploymentID))
		}
		dep, _, err := docstore.Get[modelv2.Deployment](ctx, rd, modelv2.ChildKey(modelv2.KindDeployment, apiID, *st.DeploymentID))
		if err != nil {
			return docstore.NotFound(err, errDeployment(*st.DeploymentID))
		}
		ex.snap, ex.version = &snap, dep.CreatedDate
		return nil
	})
	if err != nil {
		return nil, err
	}
	doc := oas.Arrange(ex.document(), "root", httpLayout{})
	if opts.yaml {
		b, err := oas.YAML(doc)
		if err != nil {
			return nil, err
		}
		return &restjson.Raw{ContentType: "application/yaml", Body: b}, nil // [U]
	}
	b, err := oas.JSON(doc)
	if err != nil {
		return nil, err
	}
	// [U: as REST API exports, which AWS labels application/octet-stream]
	return &restjson.Raw{ContentType: "application/octet-stream", Body: b}, nil
}

// exporter renders one snapshot of an HTTP API as AWS's exports are
// written [C: ExportApi outputs pasted in in28minutes/go-serverless,
// 00.aws/getting-started-lambda-api-gateway.md]: each route an operation
// with a "Default response for {route key}", its security requirement and
// its integration; authorizers as security schemes; CORS, tags and the
// import/export version as root extensions.
type exporter struct {
	snap       *modelv2.Snapshot
	region     string
	stage      string
	tags       map[string]string
	version    modelv2.Time // info.version when the API has none
	extensions bool
	authByID   map[string]modelv2.Authorizer
	schemes    oas.Obj
}

// document builds the whole export.
func (ex *exporter) document() oas.Obj {
	api := ex.snap.API
	info := oas.Obj{"title": api.Name}
	if api.Description != nil {
		info["description"] = *api.Description
	}
	// Without a version of its own the API's is a date, written
	// "2020-09-17 12:44:11UTC" [C].
	info["version"] = model.Deref(api.Version)
	if api.Version == nil {
		info["version"] = ex.version.Time().Format("2006-01-02 15:04:05") + "UTC"
	}
	server := oas.Obj{"url": "https://" + api.ApiID + ".execute-api." + ex.region + ".amazonaws.com/{basePath}",
		"variables": oas.Obj{"basePath": oas.Obj{"default": ex.basePath()}}}
	if api.DisableExecuteApiEndpoint {
		server[extEndpoint] = oas.Obj{"disableExecuteApiEndpoint": true}
	}
	doc := oas.Obj{"openapi": "3.0.1", "info": info, "servers": []any{server}}
	ex.authByID = map[string]modelv2.Authorizer{}
	for _, au := range ex.snap.Authorizers {
		ex.authByID[au.AuthorizerID] = au
	}
	ex.schemes = oas.Obj{}
	doc["paths"] = ex.paths()
	components := oas.Obj{}
	if len(ex.schemes) > 0 {
		components["securitySchemes"] = ex.schemes
	}
	if shared := ex.sharedIntegrations(); len(shared) > 0 {
		components[extIntegrations] = shared
	}
	if len(components) > 0 {
		doc["components"] = components
	}
	if c := api.CorsConfiguration; c != nil {
		doc[extCors] = corsObject(c)
	}
	if len(ex.tags) > 0 && ex.extensions {
		// Without x-amazon-apigateway-tag-value a reimport would give
		// every tag the value "": no tags then [U].
		var tags []any
		for _, k := range oas.SortedKeys(toObj(ex.tags)) {
			tags = append(tags, oas.Obj{"name": k, extTagValue: ex.tags[k]})
		}
		doc["tags"] = tags
	}
	doc[extVersion] = importExportVersion
	if !ex.extensions {
		stripExtensions(doc)
	}
	return doc
}

// basePath is the servers' basePath: "" for the latest configuration and
// the $default stage, the stage's name otherwise [C: "" for a $default
// stage; U: named stages].
func (ex *exporter) basePath() string {
	if ex.stage == modelv2.DefaultKey {
		return ""
	}
	return ex.stage
}

// paths renders every route as an operation: "METHOD /path" under the
// path, ANY as x-amazon-apigateway-any-method, and $default as the path
// /$default with isDefaultRoute [D].
func (ex *exporter) paths() oas.Obj {
	uses := ex.integrationUses()
	paths := oas.Obj{}
	for _, rt := range ex.snap.Routes {
		method, path := "ANY", "/"+modelv2.DefaultKey
		if rt.RouteKey != modelv2.DefaultKey {
			method, path, _ = strings.Cut(rt.RouteKey, " ")
		}
		op := oas.Obj{"responses": oas.Obj{"default": oas.Obj{"description": "Default response for " + rt.RouteKey}}}
		if rt.RouteKey == modelv2.DefaultKey {
			op["isDefaultRoute"] = true
		}
		if rt.OperationName != nil {
			op["operationId"] = *rt.OperationName
		}
		if sec := ex.security(rt); sec != nil {
			op["security"] = []any{sec}
		}
		if id, ok := strings.CutPrefix(model.Deref(rt.Target), modelv2.TargetPrefix); ok {
			if ig, found := ex.integration(id); found {
				if uses[id] == 1 {
					op[extIntegration] = integrationObject(ig)
				} else {
					op[extIntegration] = oas.Obj{"$ref": integrationRefPrefix + id}
				}
			}
		}
		item, _ := paths[path].(oas.Obj)
		if item == nil {
			item = oas.Obj{}
			paths[path] = item
		}
		key := extAnyMethod
		if method != "ANY" {
			key = strings.ToLower(method)
		}
		item[key] = op
	}
	return paths
}

// integrationUses counts the routes that target each integration.
func (ex *exporter) integrationUses() map[string]int {
	uses := map[string]int{}
	for _, rt := range ex.snap.Routes {
		if id, ok := strings.CutPrefix(model.Deref(rt.Target), modelv2.TargetPrefix); ok {
			uses[id]++
		}
	}
	return uses
}

func (ex *exporter) integration(id string) (modelv2.Integration, bool) {
	for _, ig := range ex.snap.Integrations {
		if ig.IntegrationID == id {
			return ig, true
		}
	}
	return modelv2.Integration{}, false
}

// sharedIntegrations lists, under their ids, the integrations that more
// than one route targets (referenced with $ref) and those no route
// targets, so that reimporting the export gives the same API [U: where
// AWS writes them].
func (ex *exporter) sharedIntegrations() oas.Obj {
	uses := ex.integrationUses()
	out := oas.Obj{}
	for _, ig := range ex.snap.Integrations {
		if uses[ig.IntegrationID] != 1 {
			out[ig.IntegrationID] = integrationObject(ig)
		}
	}
	return out
}

// integrationObject renders x-amazon-apigateway-integration: the type in
// lower case, the connection type always, the timeout when it is not the
// default [C].
func integrationObject(ig modelv2.Integration) oas.Obj {
	o := oas.Obj{"payloadFormatVersion": ig.PayloadFormatVersion, "type": strings.ToLower(ig.IntegrationType),
		"connectionType": ig.ConnectionType}
	oas.SetOpt(o, "httpMethod", ig.IntegrationMethod)
	oas.SetOpt(o, "uri", ig.IntegrationURI)
	oas.SetOpt(o, "connectionId", ig.ConnectionID)
	oas.SetOpt(o, "integrationSubtype", ig.IntegrationSubtype)
	oas.SetOpt(o, "credentials", ig.CredentialsArn)
	if len(ig.RequestParameters) > 0 {
		o["requestParameters"] = toObj(ig.RequestParameters)
	}
	if len(ig.ResponseParameters) > 0 {
		rp := oas.Obj{}
		for status, m := range ig.ResponseParameters {
			rp[status] = toObj(m)
		}
		o["responseParameters"] = rp
	}
	if ig.TLSConfig != nil && ig.TLSConfig.ServerNameToVerify != nil {
		o["tlsConfig"] = oas.Obj{"serverNameToVerify": *ig.TLSConfig.ServerNameToVerify}
	}
	if ig.TimeoutInMillis != modelv2.DefaultTimeoutHTTP {
		o["timeoutInMillis"] = ig.TimeoutInMillis
	}
	return o
}

// security renders a route's authorization as a security requirement and
// registers the scheme it names: a JWT authorizer under an oauth2 scheme
// [C], a Lambda authorizer under an apiKey scheme [D], IAM as the sigv4
// scheme REST exports write [U].
func (ex *exporter) security(rt modelv2.Route) oas.Obj {
	scopes := []any{}
	for _, s := range rt.AuthorizationScopes {
		scopes = append(scopes, s)
	}
	switch rt.AuthorizationType {
	case modelv2.AuthIAM:
		ex.schemes["sigv4"] = oas.Obj{"type": "apiKey", "name": "Authorization", "in": "header", extAuthType: "awsSigv4"}
		return oas.Obj{"sigv4": scopes}
	case modelv2.AuthJWT, modelv2.AuthCustom:
		au, ok := ex.authByID[model.Deref(rt.AuthorizerID)]
		if !ok {
			return nil
		}
		ex.schemes[au.Name] = schemeObject(au)
		return oas.Obj{au.Name: scopes}
	}
	return nil
}

// schemeObject renders an authorizer as a security scheme.
func schemeObject(au modelv2.Authorizer) oas.Obj {
	ext := oas.Obj{"type": strings.ToLower(au.AuthorizerType)}
	if len(au.IdentitySource) > 0 {
		// "A comma-separated list of mapping expressions" [D].
		ext["identitySource"] = strings.Join(au.IdentitySource, ", ")
	}
	if au.AuthorizerType == modelv2.AuthorizerJWT {
		jwt := oas.Obj{}
		if j := au.JWTConfiguration; j != nil {
			if len(j.Audience) > 0 {
				jwt["audience"] = j.Audience
			}
			oas.SetOpt(jwt, "issuer", j.Issuer)
		}
		ext["jwtConfiguration"] = jwt
		return oas.Obj{"type": "oauth2", "flows": oas.Obj{}, extAuthorizer: ext}
	}
	oas.SetOpt(ext, "authorizerUri", au.AuthorizerURI)
	oas.SetOpt(ext, "authorizerCredentials", au.AuthorizerCredentialsArn)
	oas.SetOpt(ext, "authorizerPayloadFormatVersion", au.AuthorizerPayloadFormatVersion)
	oas.SetOpt(ext, "identityValidationExpression", au.IdentityValidationExpression)
	oas.SetOpt(ext, "authorizerResultTtlInSeconds", au.AuthorizerResultTTLInSeconds)
	oas.SetOpt(ext, "enableSimpleResponses", au.EnableSimpleResponses)
	// The scheme names the header a lone header identity source reads,
	// "Unused" otherwise, as REST exports do [U].
	name := "Unused"
	if len(au.IdentitySource) == 1 && strings.HasPrefix(au.IdentitySource[0], "$request.header.") {
		name = strings.TrimPrefix(au.IdentitySource[0], "$request.header.")
	}
	return oas.Obj{"type": "apiKey", "name": name, "in": "header", extAuthorizer: ext}
}

// corsObject renders x-amazon-apigateway-cors: every member AWS has,
// allowCredentials and maxAge included [C].
func corsObject(c *modelv2.Cors) oas.Obj {
	o := oas.Obj{}
	list := func(k string, v []string) {
		if len(v) > 0 {
			o[k] = v
		}
	}
	list("allowMethods", c.AllowMethods)
	list("allowHeaders", c.AllowHeaders)
	list("allowOrigins", c.AllowOrigins)
	list("exposeHeaders", c.ExposeHeaders)
	oas.SetOpt(o, "maxAge", c.MaxAge)
	oas.SetOpt(o, "allowCredentials", c.AllowCredentials)
	return o
}

func toObj(m map[string]string) oas.Obj {
	o := make(oas.Obj, len(m))
	for k, v := range m {
		o[k] = v
	}
	return o
}

// stripExtensions removes the API Gateway extensions (includeExtensions
// false [D]), but x-amazon-apigateway-any-method, without which ANY
// routes would not be described at all [U].
func stripExtensions(v any) {
	switch t := v.(type) {
	case oas.Obj:
		for k, x := range t {
			if strings.HasPrefix(k, "x-amazon-apigateway-") && k != extAnyMethod {
				delete(t, k)
				continue
			}
			stripExtensions(x)
		}
	case []any:
		for _, x := range t {
			stripExtensions(x)
		}
	}
}

// httpLayout writes an HTTP API export's members in AWS's order [C], the
// members the recorded exports do not show where they fit best [U].
type httpLayout struct{}

var httpKeyOrder = map[string][]string{
	"root":     {"openapi", "info", "servers", "tags", "paths", "components", extCors, extVersion},
	"info":     {"title", "description", "version"},
	"server":   {"url", "variables", extEndpoint},
	"pathItem": {"get", "put", "post", "delete", "options", "head", "patch", extAnyMethod},
	"op":       {"isDefaultRoute", "operationId", "responses", "security", extIntegration},
	"integration": {"payloadFormatVersion", "type", "httpMethod", "uri", "connectionType", "connectionId",
		"integrationSubtype", "credentials", "requestParameters", "responseParameters", "tlsConfig", "timeoutInMillis"},
	"components": {"securitySchemes", extIntegrations},
	"scheme":     {"type", "name", "in", "flows", extAuthType, extAuthorizer},
	"cors":       {"allowMethods", "allowHeaders", "maxAge", "allowCredentials", "allowOrigins", "exposeHeaders"},
	"tag":        {"name", extTagValue},
}

// Order implements oas.Layout.
func (httpLayout) Order(kind string, _ oas.Obj) []string { return httpKeyOrder[kind] }

// Kind implements oas.Layout.
func (httpLayout) Kind(kind, key string) string {
	switch kind {
	case "root":
		return map[string]string{"info": "info", "servers": "server", "paths": "paths", "components": "components",
			extCors: "cors", "tags": "tag"}[key]
	case "paths":
		return "pathItem"
	case "pathItem":
		return "op"
	case "op":
		if key == extIntegration {
			return "integration"
		}
	case "components":
		return map[string]string{"securitySchemes": "schemes", extIntegrations: "integrations"}[key]
	case "schemes":
		return "scheme"
	case "integrations":
		return "integration"
	}
	return ""
}
