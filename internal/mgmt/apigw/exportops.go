package apigw

import (
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/model"
)

// operation renders one method.
func (ex *exporter) operation(m *model.Method, resID string) oas.Obj {
	op := oas.Obj{}
	if m.OperationName != nil {
		op["operationId"] = *m.OperationName
	}
	var params []any
	for _, k := range sortedKeys(m.RequestParameters) {
		rest := strings.TrimPrefix(k, "method.request.")
		loc, name, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		in := map[string]string{"path": "path", "querystring": "query", "header": "header"}[loc]
		if in == "" {
			continue
		}
		p := oas.Obj{"name": name, "in": in, "required": m.RequestParameters[k] || in == "path"}
		if ex.oas3 {
			if p["required"] == false {
				delete(p, "required") // AWS omits it in OpenAPI 3 [V]
			}
			p["schema"] = oas.Obj{"type": "string"}
		} else {
			p["type"] = "string"
		}
		params = append(params, p)
	}
	if len(m.RequestModels) > 0 {
		if ex.oas3 {
			content := oas.Obj{}
			for _, ct := range sortedKeys(m.RequestModels) {
				content[ct] = oas.Obj{"schema": oas.Obj{"$ref": ex.schemaRef(m.RequestModels[ct])}}
			}
			op["requestBody"] = oas.Obj{"content": content, "required": true}
		} else {
			cts := sortedKeys(m.RequestModels)
			params = append(params, oas.Obj{"in": "body", "name": m.RequestModels[cts[0]], "required": true,
				"schema": oas.Obj{"$ref": ex.schemaRef(m.RequestModels[cts[0]])}})
		}
	}
	if params != nil {
		op["parameters"] = params
	}
	if !ex.oas3 {
		// Swagger's consumes: the request models' and the integration's
		// request templates' media types [V].
		consumes := sortedKeys(m.RequestModels)
		if in := m.MethodIntegration; in != nil {
			consumes = append(consumes, sortedKeys(in.RequestTemplates)...)
		}
		if len(consumes) > 0 {
			op["consumes"] = dedupe(consumes)
		}
	}
	op["responses"] = ex.responses(m, op)
	ex.security(m, op)
	if ex.integrations {
		if m.RequestValidatorID != nil {
			if n, ok := ex.validByID[*m.RequestValidatorID]; ok {
				op["x-amazon-apigateway-request-validator"] = n
			}
		}
		if in := m.MethodIntegration; in != nil {
			op["x-amazon-apigateway-integration"] = exportIntegration(in, resID)
		}
	}
	return op
}

// responses renders method responses ("{code} response" descriptions [V]).
func (ex *exporter) responses(m *model.Method, op oas.Obj) oas.Obj {
	out := oas.Obj{}
	var produces []string
	for _, code := range sortedKeys(m.MethodResponses) {
		mr := m.MethodResponses[code]
		r := oas.Obj{"description": code + " response"}
		if len(mr.ResponseParameters) > 0 {
			hs := oas.Obj{}
			for _, k := range sortedKeys(mr.ResponseParameters) {
				if h, ok := strings.CutPrefix(k, "method.response.header."); ok {
					if ex.oas3 {
						hs[h] = oas.Obj{"schema": oas.Obj{"type": "string"}}
					} else {
						hs[h] = oas.Obj{"type": "string"}
					}
				}
			}
			r["headers"] = hs
		}
		if ex.oas3 {
			content := oas.Obj{}
			for _, ct := range sortedKeys(mr.ResponseModels) {
				content[ct] = oas.Obj{"schema": oas.Obj{"$ref": ex.schemaRef(mr.ResponseModels[ct])}}
			}
			r["content"] = content
		} else if cts := sortedKeys(mr.ResponseModels); len(cts) > 0 {
			r["schema"] = oas.Obj{"$ref": ex.schemaRef(mr.ResponseModels[cts[0]])}
			produces = append(produces, cts...)
		}
		out[code] = r
	}
	if in := m.MethodIntegration; in != nil && !ex.oas3 {
		// produces also lists the integration responses' templates [V].
		for _, code := range sortedKeys(in.IntegrationResponses) {
			produces = append(produces, sortedKeys(in.IntegrationResponses[code].ResponseTemplates)...)
		}
	}
	if len(produces) > 0 {
		op["produces"] = dedupe(produces)
	}
	return out
}

// security renders the method's authorisation and registers the schemes
// it uses.
func (ex *exporter) security(m *model.Method, op oas.Obj) {
	var reqs []any
	if m.ApiKeyRequired {
		reqs = append(reqs, oas.Obj{"api_key": []any{}})
		ex.usedSchemes["api_key"] = oas.Obj{"type": "apiKey", "name": "x-api-key", "in": "header"}
	}
	switch m.AuthorizationType {
	case "AWS_IAM":
		reqs = append(reqs, oas.Obj{"sigv4": []any{}})
		ex.usedSchemes["sigv4"] = oas.Obj{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
	case "CUSTOM", "COGNITO_USER_POOLS":
		au, ok := ex.authByID[model.Deref(m.AuthorizerID)]
		if !ok {
			break
		}
		scopes := []any{}
		for _, s := range m.AuthorizationScopes {
			scopes = append(scopes, s)
		}
		reqs = append(reqs, oas.Obj{au.Name: scopes})
		ex.usedSchemes[au.Name] = ex.scheme(au)
	}
	if reqs != nil {
		op["security"] = reqs
	}
}

// scheme renders an authorizer as a security scheme.
func (ex *exporter) scheme(au model.Authorizer) oas.Obj {
	name := "Unused"
	if src := model.Deref(au.IdentitySource); strings.HasPrefix(src, "method.request.header.") && !strings.Contains(src, ",") {
		name = strings.TrimPrefix(src, "method.request.header.")
	}
	s := oas.Obj{"type": "apiKey", "name": name, "in": "header"}
	if au.AuthType != nil {
		s["x-amazon-apigateway-authtype"] = *au.AuthType
	}
	if !ex.authorizers {
		return s
	}
	ext := oas.Obj{"type": strings.ToLower(au.Type)}
	oas.SetOpt(ext, "authorizerUri", au.AuthorizerURI)
	oas.SetOpt(ext, "authorizerCredentials", au.AuthorizerCredentials)
	oas.SetOpt(ext, "identitySource", au.IdentitySource)
	oas.SetOpt(ext, "identityValidationExpression", au.IdentityValidationExpression)
	oas.SetOpt(ext, "authorizerResultTtlInSeconds", au.AuthorizerResultTTLInSeconds)
	if len(au.ProviderARNs) > 0 {
		ext["providerARNs"] = au.ProviderARNs
	}
	s["x-amazon-apigateway-authorizer"] = ext
	return s
}

// exportIntegration renders x-amazon-apigateway-integration (types in
// lower case [D]; the default connection type and cache namespace, the
// resource id, are left out [V]).
func exportIntegration(in *model.Integration, resID string) oas.Obj {
	o := oas.Obj{"type": strings.ToLower(in.Type)}
	oas.SetOpt(o, "httpMethod", in.HTTPMethod)
	oas.SetOpt(o, "uri", in.URI)
	oas.SetOpt(o, "credentials", in.Credentials)
	if model.Deref(in.ConnectionType) != "INTERNET" {
		oas.SetOpt(o, "connectionType", in.ConnectionType)
	}
	oas.SetOpt(o, "connectionId", in.ConnectionID)
	if model.Deref(in.CacheNamespace) != resID {
		oas.SetOpt(o, "cacheNamespace", in.CacheNamespace)
	}
	oas.SetOpt(o, "contentHandling", in.ContentHandling)
	if in.PassthroughBehavior != nil {
		o["passthroughBehavior"] = strings.ToLower(*in.PassthroughBehavior)
	}
	if in.TimeoutInMillis != defaultTimeoutMillis {
		o["timeoutInMillis"] = in.TimeoutInMillis
	}
	oas.SetOpt(o, "responseTransferMode", in.ResponseTransferMode)
	if len(in.CacheKeyParameters) > 0 {
		o["cacheKeyParameters"] = in.CacheKeyParameters
	}
	if len(in.RequestParameters) > 0 {
		o["requestParameters"] = in.RequestParameters
	}
	if t := templateMap(in.RequestTemplates); len(t) > 0 {
		o["requestTemplates"] = t
	}
	if in.TLSConfig != nil {
		o["tlsConfig"] = oas.Obj{"insecureSkipVerification": in.TLSConfig.InsecureSkipVerification}
	}
	if len(in.IntegrationResponses) > 0 {
		rs := oas.Obj{}
		codes := sortedKeys(in.IntegrationResponses)
		sort.Strings(codes)
		for _, code := range codes {
			ir := in.IntegrationResponses[code]
			r := oas.Obj{"statusCode": ir.StatusCode}
			if len(ir.ResponseParameters) > 0 {
				r["responseParameters"] = ir.ResponseParameters
			}
			if t := templateMap(ir.ResponseTemplates); len(t) > 0 {
				r["responseTemplates"] = t
			}
			set := model.Deref(ir.ContentHandling)
			if set != "" {
				r["contentHandling"] = set
			}
			key := "default"
			if ir.SelectionPattern != nil && *ir.SelectionPattern != "" {
				key = *ir.SelectionPattern
			}
			rs[key] = r
		}
		o["responses"] = rs
	}
	return o
}

func templateMap(t map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range t {
		out[k] = model.Deref(v)
	}
	return out
}
