package access

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// cognitoAuthorizer is a compiled COGNITO_USER_POOLS authorizer
// (reference §4.4). Tokens verify through internal/jwtauth, which keeps
// the tokens it verified until they expire or their issuer's keys change,
// so that a signature is checked once per token, not per request.
type cognitoAuthorizer struct {
	id        string
	providers []string
	source    rest.Source
	audience  string
	scopes    []string // the method's authorizationScopes
	tokens    TokenVerifier
}

func compileCognitoAuthorizer(a *model.Authorizer, tokens TokenVerifier) *cognitoAuthorizer {
	ca := &cognitoAuthorizer{id: a.ID, providers: a.ProviderARNs, tokens: tokens,
		audience: model.Deref(a.IdentityValidationExpression)}
	src := strings.TrimSpace(model.Deref(a.IdentitySource))
	if src == "" {
		src = "method.request.header.Authorization"
	}
	ca.source, _ = rest.ParseRequestSource(src)
	return ca
}

// withScopes is the authorizer as one method uses it.
func (ca *cognitoAuthorizer) withScopes(scopes []string) *cognitoAuthorizer {
	if len(scopes) == 0 {
		return ca
	}
	cp := *ca
	cp.scopes = scopes
	return &cp
}

// authenticate checks the token; every failure is 401 Unauthorized.
func (ca *cognitoAuthorizer) authenticate(x *rest.Exchange) error {
	token, ok := ca.source.Resolve(x)
	if !ok || token == "" || ca.tokens == nil {
		return pipeline.Fail(pipeline.Unauthorized, nil)
	}
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	claims, err := ca.tokens.Verify(ctx, token, ca.providers, ca.scopes, ca.audience)
	if err != nil {
		return pipeline.Fail(pipeline.Unauthorized, err)
	}
	if claims == nil {
		claims = map[string]string{}
	}
	x.Auth.Authorized = true
	x.Auth.Claims = claims
	x.Auth.PrincipalID = claims["sub"]
	return nil
}
