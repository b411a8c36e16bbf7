package access

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// cognitoAuthorizer is a compiled COGNITO_USER_POOLS authorizer
// (reference §4.4).
type cognitoAuthorizer struct {
	id        string
	providers []string
	source    rest.Source
	audience  string
	scopes    []string // the method's authorizationScopes
	scopeKey  string   // scopes joined, part of the cache key
	tokens    TokenVerifier
	// verified caches verified tokens: checking an RS256 signature costs
	// ~35 µs, more than the rest of a proxied request. An entry lives until
	// the token expires, at most verifiedTTL.
	verified *pipeline.AuthorizerCache
}

// verifiedTTL bounds how long a verified token is trusted without
// re-verification (so that a key removed from the issuer's JWKS stops
// working within this time).
const verifiedTTL = 5 * time.Minute

func compileCognitoAuthorizer(a *model.Authorizer, tokens TokenVerifier) *cognitoAuthorizer {
	ca := &cognitoAuthorizer{id: a.ID, providers: a.ProviderARNs, tokens: tokens,
		audience: model.Deref(a.IdentityValidationExpression), verified: pipeline.NewAuthorizerCache()}
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
	cp.scopeKey = strings.Join(scopes, " ")
	return &cp
}

// authenticate checks the token; every failure is 401 Unauthorized.
func (ca *cognitoAuthorizer) authenticate(x *rest.Exchange) error {
	token, ok := ca.source.Resolve(x)
	if !ok || token == "" || ca.tokens == nil {
		return pipeline.Fail(pipeline.Unauthorized, nil)
	}
	key := ca.scopeKey + "\x00" + token
	now := time.Now()
	var claims map[string]string
	if v, ok := ca.verified.Get(key, now); ok {
		claims = v.(map[string]string)
	} else {
		ctx := x.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		var err error
		claims, err = ca.tokens.Verify(ctx, token, ca.providers, ca.scopes, ca.audience)
		if err != nil {
			return pipeline.Fail(pipeline.Unauthorized, err)
		}
		if claims == nil {
			claims = map[string]string{}
		}
		ttl := verifiedTTL
		if exp, err := strconv.ParseInt(claims["exp"], 10, 64); err == nil {
			ttl = min(ttl, time.Unix(exp, 0).Sub(now))
		}
		if ttl > 0 {
			ca.verified.Put(key, claims, ttl, now)
		}
	}
	x.Auth.Authorized = true
	x.Auth.Claims = claims
	x.Auth.PrincipalID = claims["sub"]
	return nil
}
