package apigwv2

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// authorizerInput is the body of CreateAuthorizer and UpdateAuthorizer.
type authorizerInput struct {
	AuthorizerCredentialsArn       *string   `json:"authorizerCredentialsArn"`
	AuthorizerPayloadFormatVersion *string   `json:"authorizerPayloadFormatVersion"`
	AuthorizerResultTTLInSeconds   *int64    `json:"authorizerResultTtlInSeconds"`
	AuthorizerType                 *string   `json:"authorizerType"`
	AuthorizerURI                  *string   `json:"authorizerUri"`
	EnableSimpleResponses          *bool     `json:"enableSimpleResponses"`
	IdentitySource                 *[]string `json:"identitySource"`
	IdentityValidationExpression   *string   `json:"identityValidationExpression"`
	JWTConfiguration               *struct {
		Audience *[]string `json:"audience"`
		Issuer   *string   `json:"issuer"`
	} `json:"jwtConfiguration"`
	Name *string `json:"name"`
}

func (in *authorizerInput) check(c *checker) {
	c.enum(in.AuthorizerType, "authorizerType", modelv2.AuthorizerTypes)
	c.length(in.Name, "name", 1, 128)
	c.length(in.AuthorizerURI, "authorizerUri", 1, 2048)
	c.length(in.AuthorizerPayloadFormatVersion, "authorizerPayloadFormatVersion", 1, 64)
	c.length(in.IdentityValidationExpression, "identityValidationExpression", 0, 1024)
	c.between(in.AuthorizerResultTTLInSeconds, "authorizerResultTtlInSeconds", 0, 3600)
	if j := in.JWTConfiguration; j != nil {
		c.length(j.Issuer, "jwtConfiguration.issuer", 1, 2048)
	}
}

// applyTo changes the members of au that in sends; jwtConfiguration's
// members are updated one by one [U].
func (in *authorizerInput) applyTo(au *modelv2.Authorizer) {
	if in.Name != nil {
		au.Name = *in.Name
	}
	if in.AuthorizerType != nil {
		au.AuthorizerType = *in.AuthorizerType
	}
	setOptional(&au.AuthorizerCredentialsArn, in.AuthorizerCredentialsArn)
	setOptional(&au.AuthorizerPayloadFormatVersion, in.AuthorizerPayloadFormatVersion)
	setOptional(&au.AuthorizerURI, in.AuthorizerURI)
	setOptional(&au.IdentityValidationExpression, in.IdentityValidationExpression)
	if in.AuthorizerResultTTLInSeconds != nil {
		au.AuthorizerResultTTLInSeconds = in.AuthorizerResultTTLInSeconds
	}
	if in.EnableSimpleResponses != nil {
		au.EnableSimpleResponses = in.EnableSimpleResponses
	}
	if in.IdentitySource != nil {
		au.IdentitySource = *in.IdentitySource
	}
	if j := in.JWTConfiguration; j != nil {
		cfg := &modelv2.JWTConfiguration{}
		if au.JWTConfiguration != nil {
			*cfg = *au.JWTConfiguration
		}
		if j.Audience != nil {
			cfg.Audience = *j.Audience
		}
		if j.Issuer != nil {
			cfg.Issuer = optional(j.Issuer)
		}
		au.JWTConfiguration = cfg
	}
}

// checkAuthorizer validates an authorizer as it would be stored [M][D].
func checkAuthorizer(protocol string, au *modelv2.Authorizer) error {
	if au.AuthorizerType == modelv2.AuthorizerJWT {
		return checkJWTAuthorizer(protocol, au)
	}
	if au.JWTConfiguration != nil {
		return bad("jwtConfiguration is supported only for JWT authorizers") // [M][U: text]
	}
	if au.AuthorizerURI == nil {
		return bad("An authorizerUri is required for REQUEST authorizers") // [M][U: text]
	}
	if !strings.HasPrefix(*au.AuthorizerURI, "arn:") {
		return bad("Invalid authorizer URI specified: %s", *au.AuthorizerURI) // [U]
	}
	if protocol == modelv2.ProtocolWebSocket {
		// WebSocket Lambda authorizers get the REST-style REQUEST event and
		// answer with a policy: no payload versions, simple responses or
		// caching, which are for HTTP APIs [M].
		switch {
		case au.AuthorizerPayloadFormatVersion != nil:
			return bad("authorizerPayloadFormatVersion is supported only for HTTP APIs") // [M][U: text]
		case au.EnableSimpleResponses != nil && *au.EnableSimpleResponses:
			return bad("enableSimpleResponses is supported only for HTTP APIs") // [M][U: text]
		case model.Deref(au.AuthorizerResultTTLInSeconds) > 0:
			return bad("authorizerResultTtlInSeconds is supported only for HTTP APIs") // [M][U: text]
		}
		return checkIdentitySources(au.IdentitySource, "route.request.header.", "route.request.querystring.", "stageVariables.", "context.")
	}
	switch pfv := model.Deref(au.AuthorizerPayloadFormatVersion); {
	case au.AuthorizerPayloadFormatVersion == nil:
		return bad("AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer") // [L]
	case pfv != "1.0" && pfv != "2.0":
		return bad("Invalid authorizer payload format version specified: %s. Supported values are 1.0 and 2.0", pfv) // [U]
	case model.Deref(au.EnableSimpleResponses) && pfv != "2.0":
		return bad("Simple responses are supported only with authorizer payload format version 2.0") // [D][U: text]
	}
	if model.Deref(au.AuthorizerResultTTLInSeconds) > 0 && len(au.IdentitySource) == 0 {
		return bad("Identity source is required when authorizer caching is enabled") // [D][U: text]
	}
	return checkIdentitySources(au.IdentitySource, "$request.header.", "$request.querystring.", "$context.", "$stageVariables.")
}

// checkJWTAuthorizer: JWT authorizers exist for HTTP APIs only, read one
// header or query string parameter, and need an issuer [M][D].
func checkJWTAuthorizer(protocol string, au *modelv2.Authorizer) error {
	switch {
	case protocol != modelv2.ProtocolHTTP:
		return bad("JWT authorizers are supported only for HTTP APIs") // [M][U: text]
	case au.JWTConfiguration == nil || au.JWTConfiguration.Issuer == nil:
		return bad("A jwtConfiguration with an issuer is required for JWT authorizers") // [M][U: text]
	case len(au.JWTConfiguration.Audience) > maxAudiences:
		return bad("A JWT authorizer can have at most %d audiences", maxAudiences) // [D][U: text]
	case len(au.IdentitySource) != 1:
		return bad("A JWT authorizer needs exactly one identity source") // [M][U: text]
	case au.AuthorizerURI != nil, au.AuthorizerPayloadFormatVersion != nil, model.Deref(au.EnableSimpleResponses),
		model.Deref(au.AuthorizerResultTTLInSeconds) > 0, au.AuthorizerCredentialsArn != nil:
		return bad("authorizerUri, authorizerPayloadFormatVersion, enableSimpleResponses, authorizerResultTtlInSeconds and authorizerCredentialsArn are supported only for REQUEST authorizers") // [M][U: text]
	}
	return checkIdentitySources(au.IdentitySource, "$request.header.", "$request.querystring.")
}

// checkIdentitySources checks every identity source against the
// selection expressions allowed.
func checkIdentitySources(sources []string, prefixes ...string) error {
	for _, s := range sources {
		ok := false
		for _, p := range prefixes {
			ok = ok || (strings.HasPrefix(s, p) && len(s) > len(p))
		}
		if !ok {
			return bad("Invalid identity source specified: %s. Identity sources are selection expressions starting with %s", s, strings.Join(prefixes, ", ")) // [U]
		}
	}
	return nil
}

func (a *API) createAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	required := func(in *authorizerInput, c *checker) {
		c.required(in.Name != nil, "name")
		c.required(in.AuthorizerType != nil, "authorizerType")
	}
	return createChild(a, authorizerKind, required, func(_ context.Context, _ store.Tx, api modelv2.Api, id string, in *authorizerInput) (modelv2.Authorizer, error) {
		au := modelv2.Authorizer{AuthorizerID: id}
		in.applyTo(&au)
		return au, checkAuthorizer(api.ProtocolType, &au)
	})(ctx, r)
}

func (a *API) getAuthorizers(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, modelv2.KindAuthorizer, func(au modelv2.Authorizer) string { return au.AuthorizerID })
}

func (a *API) getAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	return getChild[modelv2.Authorizer](a, authorizerKind)(ctx, r)
}

func (a *API) updateAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	return updateChild(a, authorizerKind, func(ctx context.Context, tx store.Tx, api modelv2.Api, au *modelv2.Authorizer, in *authorizerInput) error {
		oldType := au.AuthorizerType
		in.applyTo(au)
		if err := checkAuthorizer(api.ProtocolType, au); err != nil {
			return err
		}
		if au.AuthorizerType == oldType {
			return nil
		}
		return refuseIfUsed(ctx, tx, api.ApiID, au.AuthorizerID, "change the type of")
	})(ctx, r)
}

func (a *API) deleteAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	return deleteChild(a, authorizerKind, func(ctx context.Context, tx store.Tx, apiID string, au modelv2.Authorizer) error {
		return refuseIfUsed(ctx, tx, apiID, au.AuthorizerID, "delete")
	})(ctx, r)
}

// refuseIfUsed refuses to change an authorizer that routes use, naming
// the routes [U].
func refuseIfUsed(ctx context.Context, rd store.Reader, apiID, id, what string) error {
	users, err := routeKeysWhere(ctx, rd, apiID, func(rt modelv2.Route) bool { return model.Deref(rt.AuthorizerID) == id })
	if err != nil || len(users) == 0 {
		return err
	}
	return bad("Unable to %s authorizer %s: it is used by route(s) %s", what, id, strings.Join(users, ", ")) // [U]
}
