package apigwv2

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
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
		return checkIdentitySources(au.IdentitySource, "route.request.header.", "route.request.querystring.", "stageVariables.", "context.")
	}
	switch pfv := model.Deref(au.AuthorizerPayloadFormatVersion); {
	case au.AuthorizerPayloadFormatVersion == nil:
		return bad("AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer") // [E]
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
	var in authorizerInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.required(in.Name != nil, "name")
	c.required(in.AuthorizerType != nil, "authorizerType")
	in.check(&c)
	if c.err != nil {
		return nil, c.err
	}
	apiID := r.Path("apiId")
	var au modelv2.Authorizer
	err := a.change(ctx, apiID, func(tx store.Tx, api modelv2.Api) error {
		n, err := countChildren(ctx, tx, modelv2.KindAuthorizer, apiID)
		if err != nil {
			return err
		}
		if n >= maxAuthorizers {
			return tooMany("authorizers", maxAuthorizers)
		}
		au = modelv2.Authorizer{AuthorizerID: a.ids.ID(lenAuthorizerID)}
		in.applyTo(&au)
		if err := checkAuthorizer(api.ProtocolType, &au); err != nil {
			return err
		}
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindAuthorizer, apiID, au.AuthorizerID), a.seq.Next(), au)
	})
	return restjson.Output(au, err)
}

func (a *API) getAuthorizers(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, modelv2.KindAuthorizer, func(au modelv2.Authorizer) string { return au.AuthorizerID })
}

func (a *API) getAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("authorizerId")
	return restjson.Output(readChild[modelv2.Authorizer](ctx, a, modelv2.KindAuthorizer, r.Path("apiId"), id, errAuthorizer(id)))
}

func (a *API) updateAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	var in authorizerInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	in.check(&c)
	if c.err != nil {
		return nil, c.err
	}
	apiID, id := r.Path("apiId"), r.Path("authorizerId")
	var au modelv2.Authorizer
	err := a.change(ctx, apiID, func(tx store.Tx, api modelv2.Api) error {
		key := modelv2.ChildKey(modelv2.KindAuthorizer, apiID, id)
		old, seq, err := docstore.Get[modelv2.Authorizer](ctx, tx, key)
		if err != nil {
			return docstore.NotFound(err, errAuthorizer(id))
		}
		au = old
		in.applyTo(&au)
		if err := checkAuthorizer(api.ProtocolType, &au); err != nil {
			return err
		}
		if au.AuthorizerType != old.AuthorizerType {
			if err := refuseIfUsed(ctx, tx, apiID, id, "change the type of"); err != nil {
				return err
			}
		}
		return docstore.Put(ctx, tx, key, seq, au)
	})
	return restjson.Output(au, err)
}

func (a *API) deleteAuthorizer(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("apiId"), r.Path("authorizerId")
	return nil, a.change(ctx, apiID, func(tx store.Tx, _ modelv2.Api) error {
		key := modelv2.ChildKey(modelv2.KindAuthorizer, apiID, id)
		if _, _, err := docstore.Get[modelv2.Authorizer](ctx, tx, key); err != nil {
			return docstore.NotFound(err, errAuthorizer(id))
		}
		if err := refuseIfUsed(ctx, tx, apiID, id, "delete"); err != nil {
			return err
		}
		return tx.Delete(ctx, key)
	})
}

// refuseIfUsed refuses to change an authorizer that routes use, naming
// the routes [U].
func refuseIfUsed(ctx context.Context, rd store.Reader, apiID, id, what string) error {
	routes, err := docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, apiID))
	if err != nil {
		return err
	}
	var users []string
	for _, rt := range routes {
		if model.Deref(rt.AuthorizerID) == id {
			users = append(users, rt.RouteKey)
		}
	}
	if len(users) == 0 {
		return nil
	}
	return bad("Unable to %s authorizer %s: it is used by route(s) %s", what, id, strings.Join(users, ", ")) // [U]
}
