package apigw

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/model"
)

// operationVerbs maps path item keys to HTTP verbs.
var operationVerbs = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH",
	"options": "OPTIONS", "head": "HEAD", "x-amazon-apigateway-any-method": "ANY",
}

// pathItem adds every operation of one path.
func (im *importer) pathItem(res *model.Resource, item oas.Obj) error {
	shared := oas.ListAt(item, "parameters")
	for _, key := range oas.SortedKeys(item) {
		verb, ok := operationVerbs[key]
		if !ok {
			continue
		}
		op, ok := item[key].(oas.Obj)
		if !ok {
			return errInvalidOpenAPI
		}
		m, err := im.method(res, verb, op, shared)
		if err != nil {
			return err
		}
		if res.ResourceMethods == nil {
			res.ResourceMethods = map[string]*model.Method{}
		}
		res.ResourceMethods[verb] = m
	}
	return nil
}

// method builds one method from an operation.
func (im *importer) method(res *model.Resource, verb string, op oas.Obj, shared []any) (*model.Method, error) {
	m := &model.Method{HTTPMethod: verb, AuthorizationType: "NONE", OperationName: oas.OptStr(op["operationId"])}
	if err := im.parameters(m, append(append([]any{}, shared...), oas.ListAt(op, "parameters")...), op); err != nil {
		return nil, err
	}
	for _, part := range strings.Split(res.Path, "/") {
		// Path parameters are required whether declared or not [V].
		if name, ok := strings.CutPrefix(part, "{"); ok {
			if m.RequestParameters == nil {
				m.RequestParameters = map[string]bool{}
			}
			m.RequestParameters["method.request.path."+strings.TrimSuffix(strings.TrimSuffix(name, "}"), "+")] = true
		}
	}
	if err := im.requestBody(m, op); err != nil {
		return nil, err
	}
	if err := im.responses(m, op); err != nil {
		return nil, err
	}
	im.security(m, op)
	name := oas.Str(op["x-amazon-apigateway-request-validator"])
	if name == "" {
		name = oas.Str(im.doc["x-amazon-apigateway-request-validator"])
	}
	if name != "" {
		id, ok := im.validIDs[name]
		if !ok {
			return nil, awserr.BadRequest("Invalid OpenAPI input. Request validator %s is not defined", name) // [U]
		}
		m.RequestValidatorID = &id
	}
	if ext, ok := op["x-amazon-apigateway-integration"].(oas.Obj); ok {
		integ, err := im.integration(res, m, ext)
		if err != nil {
			return nil, err
		}
		m.MethodIntegration = integ
	}
	return m, nil
}

// resolve follows a local "#/..." reference.
func (im *importer) resolve(v any) oas.Obj {
	o, _ := v.(oas.Obj)
	for i := 0; i < 8 && o != nil; i++ {
		ref := oas.Str(o["$ref"])
		if !strings.HasPrefix(ref, "#/") {
			return o
		}
		var cur any = im.doc
		for _, seg := range strings.Split(ref[2:], "/") {
			co, _ := cur.(oas.Obj)
			cur = co[strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")]
		}
		next, _ := cur.(oas.Obj)
		if next == nil || strings.HasPrefix(ref, im.schemaRefPrefix()) {
			return o
		}
		o = next
	}
	return o
}

// parameters maps path, query and header parameters to requestParameters
// and a Swagger body parameter to requestModels.
func (im *importer) parameters(m *model.Method, params []any, op oas.Obj) error {
	for _, p := range params {
		po := im.resolve(p)
		name, in := oas.Str(po["name"]), oas.Str(po["in"])
		loc := map[string]string{"path": "path", "query": "querystring", "header": "header"}[in]
		switch {
		case in == "body":
			if err := im.addRequestModels(m, im.consumes(op), po["schema"]); err != nil {
				return err
			}
		case loc != "" && name != "":
			if m.RequestParameters == nil {
				m.RequestParameters = map[string]bool{}
			}
			m.RequestParameters["method.request."+loc+"."+name] = in == "path" || oas.BoolOf(po["required"])
		}
	}
	return nil
}

// consumes is a Swagger operation's request content types.
func (im *importer) consumes(op oas.Obj) []string {
	if c := oas.StrList(op["consumes"]); len(c) > 0 {
		return c
	}
	if c := oas.StrList(im.doc["consumes"]); len(c) > 0 {
		return c
	}
	return []string{"application/json"}
}

// produces is a Swagger operation's response content types.
func (im *importer) produces(op oas.Obj) []string {
	if c := oas.StrList(op["produces"]); len(c) > 0 {
		return c
	}
	if c := oas.StrList(im.doc["produces"]); len(c) > 0 {
		return c
	}
	return []string{"application/json"}
}

func (im *importer) addRequestModels(m *model.Method, cts []string, schema any) error {
	name, err := im.modelFor(schema)
	if err != nil || name == "" {
		return err
	}
	if m.RequestModels == nil {
		m.RequestModels = map[string]string{}
	}
	for _, ct := range cts {
		m.RequestModels[ct] = name
	}
	return nil
}

// requestBody maps an OpenAPI 3 request body to requestModels.
func (im *importer) requestBody(m *model.Method, op oas.Obj) error {
	rb := im.resolve(op["requestBody"])
	content := oas.ObjAt(rb, "content")
	for _, ct := range oas.SortedKeys(content) {
		c, _ := content[ct].(oas.Obj)
		if err := im.addRequestModels(m, []string{ct}, c["schema"]); err != nil {
			return err
		}
	}
	return nil
}

// responses maps declared responses to method responses.
func (im *importer) responses(m *model.Method, op oas.Obj) error {
	rs := oas.ObjAt(op, "responses")
	for _, code := range oas.SortedKeys(rs) {
		if code == "default" {
			continue
		}
		r := im.resolve(rs[code])
		mr := &model.MethodResponse{StatusCode: code}
		for _, h := range oas.SortedKeys(oas.ObjAt(r, "headers")) {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h] = false
		}
		set := func(ct string, schema any) error {
			name, err := im.modelFor(schema)
			if err != nil || name == "" {
				return err
			}
			if mr.ResponseModels == nil {
				mr.ResponseModels = map[string]string{}
			}
			mr.ResponseModels[ct] = name
			return nil
		}
		if im.oas3 {
			content := oas.ObjAt(r, "content")
			for _, ct := range oas.SortedKeys(content) {
				c, _ := content[ct].(oas.Obj)
				if err := set(ct, c["schema"]); err != nil {
					return err
				}
			}
		} else if r["schema"] != nil {
			for _, ct := range im.produces(op) {
				if err := set(ct, r["schema"]); err != nil {
					return err
				}
			}
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*model.MethodResponse{}
		}
		m.MethodResponses[code] = mr
	}
	return nil
}

// integration maps x-amazon-apigateway-integration.
func (im *importer) integration(res *model.Resource, m *model.Method, ext oas.Obj) (*model.Integration, error) {
	verb := m.HTTPMethod
	integ := &model.Integration{
		Type:               strings.ToUpper(oas.Str(ext["type"])),
		HTTPMethod:         oas.OptStr(ext["httpMethod"]),
		URI:                oas.OptStr(ext["uri"]),
		Credentials:        oas.OptStr(ext["credentials"]),
		ConnectionType:     oas.OptStr(ext["connectionType"]),
		ConnectionID:       oas.OptStr(ext["connectionId"]),
		CacheNamespace:     oas.OptStr(ext["cacheNamespace"]),
		CacheKeyParameters: oas.StrList(ext["cacheKeyParameters"]),
		TimeoutInMillis:    defaultTimeoutMillis,
	}
	if !in1(integ.Type, model.IntegrationTypes) {
		return nil, awserr.BadRequest("Invalid OpenAPI input. Invalid integration type %q on %s %s", oas.Str(ext["type"]), verb, res.Path) // [U]
	}
	if s := strings.ToUpper(oas.Str(ext["passthroughBehavior"])); s != "" {
		integ.PassthroughBehavior = &s
	} else {
		integ.PassthroughBehavior = model.Ptr("WHEN_NO_MATCH")
	}
	if s := strings.ToUpper(oas.Str(ext["contentHandling"])); s != "" {
		integ.ContentHandling = &s
	}
	if s := strings.ToUpper(oas.Str(ext["responseTransferMode"])); s != "" {
		integ.ResponseTransferMode = &s // checkIntegration validates it
	}
	if v, ok := ext["timeoutInMillis"]; ok {
		n, ok := oas.IntOf(v)
		if !ok {
			return nil, errTimeout(integ)
		}
		integ.TimeoutInMillis = n // checkIntegration checks the range
	}
	if tls := oas.ObjAt(ext, "tlsConfig"); tls != nil {
		integ.TLSConfig = &model.TLSConfig{InsecureSkipVerification: oas.BoolOf(tls["insecureSkipVerification"])}
	}
	if integ.CacheNamespace == nil {
		integ.CacheNamespace = model.Ptr(res.ID)
	}
	if integ.CacheKeyParameters == nil {
		integ.CacheKeyParameters = []string{}
	}
	if integ.ConnectionType == nil && (integ.Type == "HTTP" || integ.Type == "HTTP_PROXY") {
		integ.ConnectionType = model.Ptr("INTERNET")
	}
	rp := oas.ObjAt(ext, "requestParameters")
	for _, k := range oas.SortedKeys(rp) {
		s, ok := rp[k].(string)
		if !ok {
			im.plan.warnings = append(im.plan.warnings, fmt.Sprintf(
				"Invalid format for 'requestParameters'. Expected type string for property '%s' of resource '%s' and method '%s' but got '%s'",
				k, res.Path, verb, oas.Str(rp[k]))) // [V]
			continue
		}
		if integ.RequestParameters == nil {
			integ.RequestParameters = map[string]string{}
		}
		integ.RequestParameters[k] = s
	}
	integ.RequestTemplates = templates(oas.ObjAt(ext, "requestTemplates"))
	rs := oas.ObjAt(ext, "responses")
	for _, pattern := range oas.SortedKeys(rs) {
		r, _ := rs[pattern].(oas.Obj)
		ir := &model.IntegrationResponse{StatusCode: oas.Str(r["statusCode"]),
			ResponseTemplates: templates(oas.ObjAt(r, "responseTemplates"))}
		if pattern != "default" {
			ir.SelectionPattern = &pattern
		}
		if s := strings.ToUpper(oas.Str(r["contentHandling"])); s != "" {
			ir.ContentHandling = &s
		}
		if p := oas.ObjAt(r, "responseParameters"); len(p) > 0 {
			ir.ResponseParameters = strMap(p)
		}
		if ir.StatusCode == "" {
			return nil, awserr.BadRequest("Invalid OpenAPI input. Integration response %q of %s %s has no statusCode", pattern, verb, res.Path) // [U]
		}
		if integ.IntegrationResponses == nil {
			integ.IntegrationResponses = map[string]*model.IntegrationResponse{}
		}
		integ.IntegrationResponses[ir.StatusCode] = ir
	}
	if integ.Type == "MOCK" {
		integ.HTTPMethod = nil // AWS drops it [V]
	}
	if err := checkIntegration(integ, m); err != nil {
		return nil, fmt.Errorf("%s %s: %w", verb, res.Path, err)
	}
	return integ, nil
}

// templates reads a map of mapping templates.
func templates(o oas.Obj) map[string]*string {
	if len(o) == 0 {
		return nil
	}
	out := make(map[string]*string, len(o))
	for ct, v := range o {
		s, ok := v.(string)
		if !ok {
			s, _ = oas.MarshalCompact(v)
		}
		out[ct] = &s
	}
	return nullEmpty(out)
}
