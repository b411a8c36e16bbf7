package apigwv2

import (
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// authorizers reads every security scheme carrying
// x-amazon-apigateway-authorizer: type jwt (under an oauth2 or
// openIdConnect scheme) and type request (a Lambda authorizer, under an
// apiKey scheme) [D: "x-amazon-apigateway-authorizer object"]. Each
// becomes an authorizer named after its scheme, checked as
// CreateAuthorizer checks it.
func (p *planner) authorizers() {
	for _, name := range oas.SortedKeys(p.schemes) {
		s, _ := p.schemes[name].(oas.Obj)
		ext, ok := s[extAuthorizer].(oas.Obj)
		if !ok {
			continue
		}
		au, ok := p.authorizer(name, s, ext)
		if !ok {
			continue
		}
		if err := checkAuthorizer(modelv2.ProtocolHTTP, &au); err != nil {
			p.plan.fail("Unable to create authorizer %s: %s", name, message(err))
			continue
		}
		p.plan.authorizers = append(p.plan.authorizers, au)
	}
}

// authorizer reads one scheme's authorizer; ok is false when there is
// none to create (the finding is recorded).
func (p *planner) authorizer(name string, scheme, ext oas.Obj) (au modelv2.Authorizer, ok bool) {
	if len(name) > 128 {
		p.plan.fail("Unable to create authorizer %s: names are at most 128 characters long", name)
		return au, false
	}
	au = modelv2.Authorizer{Name: name, IdentitySource: identitySources(ext["identitySource"])}
	switch typ := strings.ToLower(oas.Str(ext["type"])); typ {
	case "jwt":
		au.AuthorizerType = modelv2.AuthorizerJWT
		cfg := oas.ObjAt(ext, "jwtConfiguration")
		jwt := &modelv2.JWTConfiguration{Audience: oas.StrList(cfg["audience"]), Issuer: oas.OptStr(cfg["issuer"])}
		if jwt.Issuer == nil && oas.Str(scheme["type"]) == "openIdConnect" {
			// The issuer is found from openIdConnectUrl [D].
			jwt.Issuer = oas.OptStr(strings.TrimSuffix(oas.Str(scheme["openIdConnectUrl"]), "/.well-known/openid-configuration"))
		}
		au.JWTConfiguration = jwt
	case "request":
		au.AuthorizerType = modelv2.AuthorizerRequest
		au.AuthorizerURI = oas.OptStr(ext["authorizerUri"])
		au.AuthorizerCredentialsArn = oas.OptStr(ext["authorizerCredentials"])
		au.AuthorizerPayloadFormatVersion = oas.OptStr(ext["authorizerPayloadFormatVersion"])
		au.IdentityValidationExpression = oas.OptStr(ext["identityValidationExpression"])
		if v, ok := ext["enableSimpleResponses"]; ok {
			au.EnableSimpleResponses = modelv2.Ptr(oas.BoolOf(v))
		}
		if v, ok := ext["authorizerResultTtlInSeconds"]; ok {
			n, ok := oas.IntOf(v)
			if !ok || n < 0 || n > 3600 {
				p.plan.fail("Unable to create authorizer %s: authorizerResultTtlInSeconds must be between 0 and 3600", name)
				return au, false
			}
			au.AuthorizerResultTTLInSeconds = &n
		}
	default:
		// token and cognito_user_pools authorizers are REST's [D].
		p.plan.warn("Authorizer %s has type %q, which HTTP APIs do not support (jwt, request): it is ignored", name, oas.Str(ext["type"]))
		return au, false
	}
	return au, true
}

// identitySources reads identitySource: a comma-separated string [D], or
// a list of expressions, as the SAM translator writes its HTTP API Lambda
// authorizers (samtranslator open_api, Identity.Headers …) and AWS imports
// them [C].
func identitySources(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return splitSources(oas.Str(v))
	}
	var out []string
	for _, x := range l {
		out = append(out, splitSources(oas.Str(x))...)
	}
	return out
}

// splitSources reads identitySource, "a comma-separated list of mapping
// expressions" [D].
func splitSources(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// hasAuthorizer reports whether the plan has an authorizer for scheme
// name, and whether it is a JWT authorizer.
func (p *planner) hasAuthorizer(name string) (found, jwt bool) {
	for _, au := range p.plan.authorizers {
		if au.Name == name {
			return true, au.AuthorizerType == modelv2.AuthorizerJWT
		}
	}
	return false, false
}

// security applies an operation's security requirement (or the
// document's): an authorizer (JWT, with its scopes, or Lambda), IAM
// (a scheme with x-amazon-apigateway-authtype awsSigv4) or none. An
// operation may have one requirement naming one scheme: "each operation
// can have only one of IAM authorization, a Lambda authorizer, or a JWT
// authorizer. Attempting to model multiple security requirements results
// in an error" [D].
func (p *planner) security(pr *planRoute, op oas.Obj) {
	key := pr.rt.RouteKey
	raw, ok := op["security"]
	if !ok {
		raw = p.doc["security"]
	}
	if raw == nil {
		return
	}
	reqs, ok := raw.([]any)
	if !ok {
		p.plan.fail("The security of %s must be a list of security requirements", key)
		return
	}
	if len(reqs) == 0 {
		return
	}
	req, ok := reqs[0].(oas.Obj)
	if !ok {
		p.plan.fail("The security requirement of %s must be an object", key)
		return
	}
	if len(reqs) > 1 || len(req) > 1 {
		p.plan.fail("%s has more than one security requirement: an HTTP API route uses one of IAM authorization, a Lambda authorizer or a JWT authorizer", key)
		return
	}
	for name, scopes := range req {
		scheme, defined := p.schemes[name].(oas.Obj)
		found, jwt := p.hasAuthorizer(name)
		switch {
		case !defined:
			// A requirement nothing enforces would leave the route open:
			// refused [U].
			p.plan.fail("The security requirement of %s names %s, which is not a security scheme of the document", key, name)
		case found && jwt:
			pr.authorizer, pr.rt.AuthorizationType = name, modelv2.AuthJWT
			pr.rt.AuthorizationScopes = oas.StrList(scopes)
		case found:
			pr.authorizer, pr.rt.AuthorizationType = name, modelv2.AuthCustom
			pr.rt.AuthorizationScopes = oas.StrList(scopes)
		case scheme[extAuthorizer] != nil:
			// The authorizer was refused or ignored; that is reported.
		case strings.HasPrefix(strings.ToLower(oas.Str(scheme[extAuthType])), "aws"):
			pr.rt.AuthorizationType = modelv2.AuthIAM
		default:
			p.plan.warn("Security scheme %s of %s is not supported by HTTP APIs (API keys, plain HTTP or OAuth schemes): the route is imported without authorization", name, key)
		}
	}
}

// sharedIntegrations reads components.x-amazon-apigateway-integrations:
// integrations that routes reference with $ref [D]. Each becomes one
// integration, shared by the routes that reference it.
func (p *planner) sharedIntegrations() {
	comps := oas.ObjAt(oas.ObjAt(p.doc, "components"), extIntegrations)
	for _, name := range oas.SortedKeys(comps) {
		where := "components." + extIntegrations + "." + name
		ext, ok := comps[name].(oas.Obj)
		if !ok {
			p.plan.fail("%s must be an object", where)
			continue
		}
		p.shared[name] = p.integration(where, ext)
	}
}

// operationIntegration reads an operation's x-amazon-apigateway-integration,
// inline or a $ref to a shared one, and returns its index (-1: none).
func (p *planner) operationIntegration(key string, ext any) int {
	o, ok := ext.(oas.Obj)
	if !ok {
		p.plan.fail("The %s of %s must be an object", extIntegration, key)
		return -1
	}
	ref, isRef := o["$ref"]
	if !isRef {
		return p.integration(key, o)
	}
	name, ok := strings.CutPrefix(oas.Str(ref), integrationRefPrefix)
	i, found := p.shared[name]
	if !ok || !found {
		p.plan.fail("Unable to resolve the integration reference %s of %s", oas.Str(ref), key)
		return -1
	}
	return i
}

// restOnlyIntegrationMembers are x-amazon-apigateway-integration members
// of REST APIs, which HTTP APIs ignore [D].
var restOnlyIntegrationMembers = []string{"requestTemplates", "responses", "passthroughBehavior", "contentHandling",
	"cacheNamespace", "cacheKeyParameters"}

// integration reads one x-amazon-apigateway-integration: type aws_proxy
// or http_proxy (any case), httpMethod, uri, payloadFormatVersion (1.0
// when left out, as in REST APIs' exports, the documented migration path
// [U]), connectionType, connectionId, integrationSubtype, credentials,
// requestParameters, responseParameters, tlsConfig and timeoutInMillis
// [D]. It returns the integration's index, -1 when there is none.
func (p *planner) integration(where string, o oas.Obj) int {
	typ := strings.ToUpper(oas.Str(o["type"]))
	switch typ {
	case modelv2.IntegrationAWSProxy, modelv2.IntegrationHTTPProxy:
	case modelv2.IntegrationAWS, modelv2.IntegrationHTTP, modelv2.IntegrationMock:
		p.plan.warn("The integration of %s has type %s: HTTP APIs support only Lambda proxy (aws_proxy) and HTTP proxy (http_proxy) integrations; it is ignored",
			where, strings.ToLower(typ))
		return -1
	default:
		p.plan.fail("The integration of %s has an invalid type %q", where, oas.Str(o["type"]))
		return -1
	}
	ig := newIntegration("", modelv2.ProtocolHTTP)
	ig.IntegrationType = typ
	ig.IntegrationURI = oas.OptStr(o["uri"])
	if m := oas.OptStr(o["httpMethod"]); m != nil {
		ig.IntegrationMethod = upper(m)
	}
	if v := oas.Str(o["payloadFormatVersion"]); v != "" {
		ig.PayloadFormatVersion = v
	}
	if v := strings.ToUpper(oas.Str(o["connectionType"])); v != "" {
		if !oneOf(v, modelv2.ConnectionTypes) {
			p.plan.fail("The integration of %s has an invalid connectionType %q", where, oas.Str(o["connectionType"]))
			return -1
		}
		ig.ConnectionType = v
	}
	ig.ConnectionID = oas.OptStr(o["connectionId"])
	ig.IntegrationSubtype = oas.OptStr(o["integrationSubtype"])
	ig.CredentialsArn = oas.OptStr(o["credentials"])
	ig.RequestParameters = strMap(oas.ObjAt(o, "requestParameters"))
	for status, v := range oas.ObjAt(o, "responseParameters") {
		if m := strMap(asObj(v)); m != nil {
			if ig.ResponseParameters == nil {
				ig.ResponseParameters = map[string]map[string]string{}
			}
			ig.ResponseParameters[status] = m
		}
	}
	if name := oas.OptStr(oas.ObjAt(o, "tlsConfig")["serverNameToVerify"]); name != nil {
		ig.TLSConfig = &modelv2.TLSConfig{ServerNameToVerify: name}
	}
	if v, ok := o["timeoutInMillis"]; ok {
		n, ok := oas.IntOf(v)
		if !ok || n < modelv2.MinTimeout || n > modelv2.DefaultTimeoutHTTP {
			p.plan.fail("The integration of %s has an invalid timeoutInMillis: it must be between %d and %d", where, modelv2.MinTimeout, modelv2.DefaultTimeoutHTTP)
			return -1
		}
		ig.TimeoutInMillis = n
	}
	for _, m := range restOnlyIntegrationMembers {
		if _, ok := o[m]; ok {
			p.plan.addInfo("%s of the integration of %s is ignored: HTTP APIs do not support it", m, where)
		}
	}
	defaultMethod(&ig, modelv2.ProtocolHTTP)
	p.plan.integrations = append(p.plan.integrations, planIntegration{ig: ig, where: where})
	return len(p.plan.integrations) - 1
}

func asObj(v any) oas.Obj {
	o, _ := v.(oas.Obj)
	return o
}

// strMap reads an object of scalars as a string map (nil when empty).
func strMap(o oas.Obj) map[string]string {
	if len(o) == 0 {
		return nil
	}
	out := make(map[string]string, len(o))
	for k, v := range o {
		out[k] = oas.Str(v)
	}
	return out
}
