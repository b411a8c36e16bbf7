package apigw

import (
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/model"
)

// securitySchemes returns the document's security schemes.
func (im *importer) securitySchemes() obj {
	if im.oas3 {
		return objAt(objAt(im.doc, "components"), "securitySchemes")
	}
	return objAt(im.doc, "securityDefinitions")
}

// authorizers creates one authorizer per scheme carrying
// x-amazon-apigateway-authorizer.
func (im *importer) authorizers() error {
	schemes := im.securitySchemes()
	for _, name := range keysOf(schemes) {
		s, _ := schemes[name].(obj)
		ext := objAt(s, "x-amazon-apigateway-authorizer")
		if ext == nil {
			continue
		}
		au := model.Authorizer{ID: im.a.ids.ID(lenChildID), Name: name, Type: strings.ToUpper(str(ext["type"])),
			AuthType: strp(s["x-amazon-apigateway-authtype"]), AuthorizerURI: strp(ext["authorizerUri"]),
			AuthorizerCredentials:        strp(ext["authorizerCredentials"]),
			IdentitySource:               strp(ext["identitySource"]),
			IdentityValidationExpression: strp(ext["identityValidationExpression"]),
			ProviderARNs:                 strList(ext["providerARNs"])}
		if !in1(au.Type, model.AuthorizerTypes) {
			return awserr.BadRequest("Invalid OpenAPI input. Invalid authorizer type %q for %s", str(ext["type"]), name) // [U]
		}
		if au.IdentitySource == nil && au.Type != "REQUEST" && str(s["name"]) != "" {
			au.IdentitySource = model.Ptr("method.request.header." + str(s["name"]))
		}
		if v, ok := ext["authorizerResultTtlInSeconds"]; ok {
			n, ok := intOf(v)
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
func (im *importer) security(m *model.Method, op obj) {
	reqs, ok := op["security"].([]any)
	if !ok {
		reqs, _ = im.doc["security"].([]any)
	}
	schemes := im.securitySchemes()
	for _, r := range reqs {
		ro, _ := r.(obj)
		for _, name := range keysOf(ro) {
			s, _ := schemes[name].(obj)
			if au, ok := im.authByID[name]; ok {
				m.AuthorizerID = model.Ptr(au.ID)
				m.AuthorizationType = "CUSTOM"
				if au.Type == "COGNITO_USER_POOLS" {
					m.AuthorizationType = "COGNITO_USER_POOLS"
					m.AuthorizationScopes = strList(ro[name])
				}
				continue
			}
			authType := strings.ToLower(str(s["x-amazon-apigateway-authtype"]))
			switch {
			case strings.HasPrefix(authType, "aws"):
				m.AuthorizationType = "AWS_IAM"
			case str(s["type"]) == "apiKey" && strings.EqualFold(str(s["name"]), "x-api-key") && str(s["in"]) == "header":
				m.ApiKeyRequired = true
			}
		}
	}
	if auth := objAt(op, "x-amazon-apigateway-auth"); auth != nil {
		switch strings.ToUpper(str(auth["type"])) {
		case "NONE":
			m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = "NONE", nil, nil
		case "AWS_IAM":
			m.AuthorizationType, m.AuthorizerID, m.AuthorizationScopes = "AWS_IAM", nil, nil
		}
	}
}
