package apigw

import (
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/oas"
	"github.com/tollgate/tollgate/internal/model"
)

// securitySchemes returns the document's security schemes.
func (im *importer) securitySchemes() oas.Obj {
	if im.oas3 {
		return oas.ObjAt(oas.ObjAt(im.doc, "components"), "securitySchemes")
	}
	return oas.ObjAt(im.doc, "securityDefinitions")
}

// authorizers creates one authorizer per scheme carrying
// x-amazon-apigateway-authorizer.
func (im *importer) authorizers() error {
	schemes := im.securitySchemes()
	for _, name := range oas.SortedKeys(schemes) {
		s, _ := schemes[name].(oas.Obj)
		ext := oas.ObjAt(s, "x-amazon-apigateway-authorizer")
		if ext == nil {
			continue
		}
		au := model.Authorizer{ID: im.a.ids.ID(lenChildID), Name: name, Type: strings.ToUpper(oas.Str(ext["type"])),
			AuthType: oas.OptStr(s["x-amazon-apigateway-authtype"]), AuthorizerURI: oas.OptStr(ext["authorizerUri"]),
			AuthorizerCredentials:        oas.OptStr(ext["authorizerCredentials"]),
			IdentitySource:               oas.OptStr(ext["identitySource"]),
			IdentityValidationExpression: oas.OptStr(ext["identityValidationExpression"]),
			ProviderARNs:                 oas.StrList(ext["providerARNs"])}
		if !in1(au.Type, model.AuthorizerTypes) {
			return awserr.BadRequest("Invalid OpenAPI input. Invalid authorizer type %q for %s", oas.Str(ext["type"]), name) // [U]
		}
		if au.IdentitySource == nil && au.Type != "REQUEST" && oas.Str(s["name"]) != "" {
			au.IdentitySource = model.Ptr("method.request.header." + oas.Str(s["name"]))
		}
		if v, ok := ext["authorizerResultTtlInSeconds"]; ok {
			n, ok := oas.IntOf(v)
			if !ok || n < 0 || n > 3600 {
				return awserr.BadRequest("Invalid OpenAPI input. Invalid authorizerResultTtlInSeconds for %s", name) // [U]
			}
			au.AuthorizerResultTTLInSeconds = &n
		} else if au.Type == "REQUEST" {
			au.AuthorizerResultTTLInSeconds = model.Ptr(int64(300))
		}
		if err := checkAuthorizer(&au); err != nil {
			return err
		}
		im.plan.authorizers = append(im.plan.authorizers, au)
	}
	// authByID points into the slice, once it stopped growing.
	for i := range im.plan.authorizers {
		im.authByID[im.plan.authorizers[i].Name] = &im.plan.authorizers[i]
	}
	return nil
}

// security applies the operation's (or the document's) security
// requirements: authorizers, IAM, API keys and scopes.
func (im *importer) security(m *model.Method, op oas.Obj) {
	reqs, ok := op["security"].([]any)
	if !ok {
		reqs, _ = im.doc["security"].([]any)
	}
	schemes := im.securitySchemes()
	for _, r := range reqs {
		ro, _ := r.(oas.Obj)
		for _, name := range oas.SortedKeys(ro) {
			s, _ := schemes[name].(oas.Obj)
			if au, ok := im.authByID[name]; ok {
				m.AuthorizerID = model.Ptr(au.ID)
				m.AuthorizationType = "CUSTOM"
				if au.Type == "COGNITO_USER_POOLS" {
					m.AuthorizationType = "COGNITO_USER_POOLS"
					m.AuthorizationScopes = oas.StrList(ro[name])
				}
				continue
			}
			authType := strings.ToLower(oas.Str(s["x-amazon-apigateway-authtype"]))
			switch {
			case strings.HasPrefix(authType, "aws"):
				m.AuthorizationType = "AWS_IAM"
			case oas.Str(s["type"]) == "apiKey" && strings.EqualFold(oas.Str(s["name"]), "x-api-key") && oas.Str(s["in"]) == "header":
				m.ApiKeyRequired = true
			}
		}
	}
	if auth := oas.ObjAt(op, "x-amazon-apigateway-auth"); auth != nil {
		switch strings.ToUpper(oas.Str(auth["type"])) {
		case "NONE":
			m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = "NONE", nil, nil
		case "AWS_IAM":
			m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = "AWS_IAM", nil, nil
		}
	}
}
