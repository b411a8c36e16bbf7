// Package jwtauth verifies JSON Web Tokens for Amazon API Gateway
// COGNITO_USER_POOLS authorizers and, more generally, for any OpenID Connect
// issuer (Tollgate users often run a local OIDC issuer or a Cognito emulator).
//
// The entry points are:
//
//   - [IssuerForProvider], which turns an authorizer's providerARN (a Cognito
//     user pool ARN or a plain issuer URL) into an issuer URL, honouring
//     configured overrides;
//   - [Verifier.Authorize], which verifies a token against a set of issuers
//     with API Gateway's Cognito semantics (ID token without method scopes,
//     access token with scopes, optional audience expression) and returns the
//     claims stringified the way API Gateway exposes them in
//     requestContext.authorizer.claims.
//
// Signing keys are discovered through {issuer}/.well-known/openid-configuration
// (falling back to Cognito's {issuer}/.well-known/jwks.json when discovery
// answers 404), cached per issuer, refreshed lazily and refetched (rate
// limited) when a token names an unknown key id.
//
// Every verification failure wraps [ErrUnauthorized]; callers answer 401
// {"message":"Unauthorized"} for all of them. Error texts carry a reason for
// logs and never contain the token itself.
package jwtauth
