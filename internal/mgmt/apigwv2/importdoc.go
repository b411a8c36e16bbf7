package apigwv2

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// An OpenAPI 3.0 document describes an HTTP API with API Gateway's
// extensions [D: "Working with OpenAPI definitions for HTTP APIs", and the
// x-amazon-apigateway-* extension pages]. What it says is sorted into
// three kinds of findings: info (valid OpenAPI that HTTP APIs ignore, such
// as request bodies and schemas), warnings (invalid, or not supported by
// HTTP APIs, but not fatal: integration type AWS; failOnWarnings turns
// them into a refusal) and errors (nothing is imported: Swagger 2.0, more
// than one security requirement on an operation, invalid routes,
// integrations or authorizers) [D]. The texts of the findings are [U].

// Extension names.
const (
	extIntegration  = "x-amazon-apigateway-integration"
	extIntegrations = "x-amazon-apigateway-integrations"
	extAuthorizer   = "x-amazon-apigateway-authorizer"
	extAuthType     = "x-amazon-apigateway-authtype"
	extCors         = "x-amazon-apigateway-cors"
	extAnyMethod    = "x-amazon-apigateway-any-method"
	extTagValue     = "x-amazon-apigateway-tag-value"
	extVersion      = "x-amazon-apigateway-importexport-version"
	extEndpoint     = "x-amazon-apigateway-endpoint-configuration"
	// importExportVersion is the only version of the import and export
	// algorithm [D: "x-amazon-apigateway-importexport-version"].
	importExportVersion = "1.0"
	// integrationRefPrefix starts a reference to a shared integration [D].
	integrationRefPrefix = "#/components/" + extIntegrations + "/"
)

// pathItemMethods maps the operations of a path item, in the order routes
// are created, to route methods.
var pathItemMethods = []struct{ key, method string }{
	{"get", "GET"}, {"put", "PUT"}, {"post", "POST"}, {"delete", "DELETE"},
	{"options", "OPTIONS"}, {"head", "HEAD"}, {"patch", "PATCH"}, {extAnyMethod, "ANY"},
}

// importPlan is what a document defines, before identifiers are drawn.
type importPlan struct {
	title, description, version *string
	cors                        *modelv2.Cors
	disableExecuteAPIEndpoint   *bool
	tags                        map[string]string
	authorizers                 []modelv2.Authorizer // Name is the security scheme's
	integrations                []planIntegration
	routes                      []planRoute
	info, warnings, errors      []string
}

// planIntegration is an integration and where the document defines it.
type planIntegration struct {
	ig    modelv2.Integration
	where string
}

// planRoute is a route with its integration (an index into
// importPlan.integrations, -1 for none) and authorizer (a scheme name).
type planRoute struct {
	rt          modelv2.Route
	integration int
	authorizer  string
}

func (p *importPlan) addInfo(format string, args ...any) {
	p.info = append(p.info, fmt.Sprintf(format, args...))
}

func (p *importPlan) warn(format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

func (p *importPlan) fail(format string, args ...any) {
	p.errors = append(p.errors, fmt.Sprintf(format, args...))
}

// verdict is the answer for a plan's findings: its errors, or its
// warnings when failOnWarnings is set; nil when it may be kept.
func (p *importPlan) verdict(failOnWarnings bool) error {
	if len(p.errors) > 0 {
		return oas.ErrorsFound(p.errors)
	}
	if failOnWarnings && len(p.warnings) > 0 {
		return oas.WarningsFound(p.warnings)
	}
	return nil
}

// planner reads one document.
type planner struct {
	doc     oas.Obj
	prefix  string // what the base path mode puts before every path
	plan    *importPlan
	shared  map[string]int // integration component name → index
	schemes oas.Obj
}

// planImport reads a document (already checked to be OpenAPI 3) into a
// plan; warnings are those reading it gave.
func planImport(doc oas.Obj, warnings []string, basePathMode string) *importPlan {
	p := &planner{doc: doc, prefix: oas.PathPrefix(oas.BasePath(doc), basePathMode),
		plan:    &importPlan{warnings: append([]string(nil), warnings...)},
		shared:  map[string]int{},
		schemes: oas.ObjAt(oas.ObjAt(doc, "components"), "securitySchemes")}
	p.apiFields()
	p.authorizers()
	p.sharedIntegrations()
	paths, ok := doc["paths"].(oas.Obj)
	if !ok && doc["paths"] != nil {
		p.plan.fail("paths must be an object")
	}
	for _, path := range oas.SortedKeys(paths) {
		item, ok := paths[path].(oas.Obj)
		if !ok {
			p.plan.fail("The path item of %s must be an object", path)
			continue
		}
		p.pathItem(path, item)
	}
	if len(oas.ObjAt(oas.ObjAt(doc, "components"), "schemas")) > 0 {
		p.plan.addInfo("components.schemas are ignored: HTTP APIs do not validate requests")
	}
	p.unresolvedRefs(doc, "")
	return p.plan
}

// apiFields reads info, tags and the API-level extensions.
func (p *planner) apiFields() {
	info := oas.ObjAt(p.doc, "info")
	p.plan.title = oas.OptStr(info["title"])
	p.plan.description = oas.OptStr(info["description"])
	p.plan.version = oas.OptStr(info["version"])
	if v, ok := p.doc[extVersion]; ok && oas.Str(v) != importExportVersion {
		p.plan.warn("Unsupported %s %q: the only version is %s", extVersion, oas.Str(v), importExportVersion)
	}
	if c, ok := p.doc[extCors].(oas.Obj); ok {
		p.plan.cors = readCors(c)
	}
	// x-amazon-apigateway-endpoint-configuration, at the root or (OpenAPI
	// 3's place for it) in the first server [D].
	ext := oas.ObjAt(p.doc, extEndpoint)
	if servers := oas.ListAt(p.doc, "servers"); ext == nil && len(servers) > 0 {
		s0, _ := servers[0].(oas.Obj)
		ext = oas.ObjAt(s0, extEndpoint)
	}
	if v, ok := ext["disableExecuteApiEndpoint"]; ok {
		b := oas.BoolOf(v)
		p.plan.disableExecuteAPIEndpoint = &b
	}
	// Every root-level tag is an AWS tag; without
	// x-amazon-apigateway-tag-value its value is "" [D].
	for _, t := range oas.ListAt(p.doc, "tags") {
		to, _ := t.(oas.Obj)
		if name := oas.Str(to["name"]); name != "" {
			if p.plan.tags == nil {
				p.plan.tags = map[string]string{}
			}
			p.plan.tags[name] = oas.Str(to[extTagValue])
		}
	}
}

// readCors reads x-amazon-apigateway-cors: the members of Cors [D].
func readCors(c oas.Obj) *modelv2.Cors {
	out := &modelv2.Cors{
		AllowHeaders:  oas.StrList(c["allowHeaders"]),
		AllowMethods:  oas.StrList(c["allowMethods"]),
		AllowOrigins:  oas.StrList(c["allowOrigins"]),
		ExposeHeaders: oas.StrList(c["exposeHeaders"]),
	}
	if v, ok := c["allowCredentials"]; ok {
		out.AllowCredentials = modelv2.Ptr(oas.BoolOf(v))
	}
	if n, ok := oas.IntOf(c["maxAge"]); ok {
		out.MaxAge = &n
	}
	return out
}

// pathItem adds the routes of one path.
func (p *planner) pathItem(path string, item oas.Obj) {
	for _, key := range oas.SortedKeys(item) {
		switch {
		case key == "trace":
			p.plan.warn("TRACE %s is not supported: HTTP API routes cannot use the TRACE method", path)
		case key == "parameters", key == "summary", key == "description", key == "servers", key == "$ref",
			strings.HasPrefix(key, "x-"), operationKey(key):
		default:
			p.plan.warn("Unknown member %s of path %s is ignored", key, path)
		}
	}
	for _, m := range pathItemMethods {
		op, ok := item[m.key].(oas.Obj)
		if !ok {
			if item[m.key] != nil {
				p.plan.fail("The operation %s of %s must be an object", m.key, path)
			}
			continue
		}
		p.route(m.method, path, op)
	}
}

func operationKey(key string) bool {
	for _, m := range pathItemMethods {
		if m.key == key {
			return true
		}
	}
	return false
}

// routeKey is the route an operation defines: "{METHOD} {prefix}{path}",
// or $default for the catch-all (x-amazon-apigateway-any-method with
// isDefaultRoute, written at the path /$default [D]).
func (p *planner) routeKey(method, path string, op oas.Obj) string {
	if method == "ANY" && (oas.BoolOf(op["isDefaultRoute"]) || path == "/"+modelv2.DefaultKey) {
		return modelv2.DefaultKey
	}
	full := strings.TrimSuffix(p.prefix+"/"+strings.Trim(path, "/"), "/")
	if full == "" {
		full = "/"
	}
	return method + " " + full
}

// route adds the route of one operation.
func (p *planner) route(method, path string, op oas.Obj) {
	key := p.routeKey(method, path, op)
	pr := planRoute{rt: modelv2.Route{RouteKey: key, AuthorizationType: modelv2.AuthNone}, integration: -1}
	if name := oas.Str(op["operationId"]); name != "" {
		if len(name) > 64 {
			p.plan.warn("operationId of %s is longer than 64 characters and is ignored", key)
		} else {
			pr.rt.OperationName = &name
		}
	}
	if op["requestBody"] != nil {
		p.plan.addInfo("requestBody of %s is ignored: HTTP APIs do not validate requests", key)
	}
	p.security(&pr, op)
	if ext, ok := op[extIntegration]; ok {
		pr.integration = p.operationIntegration(key, ext)
	}
	p.plan.routes = append(p.plan.routes, pr)
}

// unresolvedRefs warns of every local $ref under v that names nothing in
// the document (a response schema of a model that does not exist, say
// [C: terraform-provider-aws's fail_on_warnings acceptance test]).
// References to shared integrations are resolved where they are used.
func (p *planner) unresolvedRefs(v any, at string) {
	switch t := v.(type) {
	case oas.Obj:
		for _, k := range oas.SortedKeys(t) {
			x := t[k]
			if ref, ok := x.(string); ok && k == "$ref" {
				if strings.HasPrefix(ref, "#/") && !strings.HasPrefix(ref, integrationRefPrefix) && !resolves(p.doc, ref) {
					p.plan.warn("Unable to resolve the reference %s at %s", ref, at)
				}
				continue
			}
			p.unresolvedRefs(x, joinPath(at, k))
		}
	case []any:
		for i, x := range t {
			p.unresolvedRefs(x, fmt.Sprintf("%s[%d]", at, i))
		}
	}
}

func joinPath(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

// resolves reports whether a local JSON pointer ("#/a/b~1c") names a
// member of doc.
func resolves(doc oas.Obj, ref string) bool {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		o, ok := cur.(oas.Obj)
		if !ok {
			return false
		}
		if cur, ok = o[part]; !ok {
			return false
		}
	}
	return true
}

// message is the text of an operation's answer (the message of an AWS
// error).
func message(err error) string {
	if e, ok := awserr.As(err); ok {
		return e.Message
	}
	return err.Error()
}
