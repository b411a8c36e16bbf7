package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// ErrForbidden is wrapped by the error of a valid token that lacks the
// route's scopes (403 {"message":"Forbidden"}).
var ErrForbidden = errors.New("jwtauth: forbidden")

// ErrInvalidJWTConfig is wrapped by [NewJWTAuthorizer] errors.
var ErrInvalidJWTConfig = errors.New("jwtauth: invalid JWT configuration")

// MaxAudiences is the most audiences an authorizer may list [D].
const MaxAudiences = 50

// JWTAuthorizer is a compiled HTTP API JWT authorizer's jwtConfiguration.
// Immutable.
type JWTAuthorizer struct {
	issuer   string
	audience []string
}

// NewJWTAuthorizer compiles jwtConfiguration {issuer, audience}. The issuer
// must be an absolute http(s) URL without query or fragment (discovery is
// {issuer}/.well-known/openid-configuration); audience holds at most
// [MaxAudiences] non-empty entries. Errors wrap [ErrInvalidJWTConfig].
func NewJWTAuthorizer(issuer string, audience []string) (*JWTAuthorizer, error) {
	if _, err := checkIssuerURL(issuer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidJWTConfig, err)
	}
	if len(audience) > MaxAudiences {
		return nil, fmt.Errorf("%w: %d audiences (at most %d)", ErrInvalidJWTConfig, len(audience), MaxAudiences)
	}
	for _, a := range audience {
		if a == "" {
			return nil, fmt.Errorf("%w: empty audience", ErrInvalidJWTConfig)
		}
	}
	return &JWTAuthorizer{issuer: issuer, audience: slices.Clone(audience)}, nil
}

// Issuer returns the configured issuer.
func (a *JWTAuthorizer) Issuer() string { return a.issuer }

// HTTPAPIResult is a token an HTTP API JWT authorizer accepted. Claims and
// Scopes are shared by every authorization of the same token: callers
// must not change them.
type HTTPAPIResult struct {
	// Claims are the token's claims stringified for HTTP APIs
	// (requestContext.authorizer.jwt.claims; see stringifyHTTPAPIClaims).
	Claims map[string]string
	// Scopes are the token's scopes from "scope" (space-separated) or, when
	// it has none, "scp"; nil when it has neither (sent as null) [C:
	// aws/aws-lambda-go#317].
	Scopes []string
}

// HTTPAPIError is a refused token: the status and www-authenticate header
// to answer with (the body is {"message":"Unauthorized"} or
// {"message":"Forbidden"}). It wraps [ErrUnauthorized] (401) or
// [ErrForbidden] (403) and, for logs, the cause.
type HTTPAPIError struct {
	Status int
	// WWWAuthenticate is the www-authenticate header value.
	WWWAuthenticate string
	// Description is the error_description (empty for a missing token).
	Description string
	cause       error
}

func (e *HTTPAPIError) Error() string {
	kind := ErrUnauthorized
	if e.Status == 403 {
		kind = ErrForbidden
	}
	switch {
	case e.Description == "":
		return fmt.Sprintf("%v: %v", kind, e.cause)
	case e.cause != nil:
		return fmt.Sprintf("%v: %s: %v", kind, e.Description, e.cause)
	}
	return fmt.Sprintf("%v: %s", kind, e.Description)
}

// Unwrap returns ErrUnauthorized or ErrForbidden, and the cause.
func (e *HTTPAPIError) Unwrap() []error {
	kind := ErrUnauthorized
	if e.Status == 403 {
		kind = ErrForbidden
	}
	if e.cause == nil {
		return []error{kind}
	}
	return []error{kind, e.cause}
}

// error_description texts. AWS publishes only the audience one [D:
// "Troubleshooting issues with HTTP API JWT authorizers"]; the others are
// written in the same style [U].
const (
	descAudience    = "the token does not have a valid audience"
	descIssuer      = "the token does not have a valid issuer"         // [U]
	descExpired     = "the token has expired"                          // [U]
	descNotYetValid = "the token is not valid yet"                     // [U]
	descIssuedLater = "the token was issued in the future"             // [U]
	descMalformed   = "the token is malformed"                         // [U]
	descAlgorithm   = "the token is not signed with an RSA algorithm"  // [U]
	descSignature   = "the token signature is invalid"                 // [U]
	descKeys        = "the signing keys of the issuer are unavailable" // [U]
	descScopes      = "the token does not have the required scopes"    // [U]
)

// invalidToken is a 401 with AWS's header layout: parameters separated by
// spaces, no commas, scope empty [D].
func invalidToken(desc string, cause error) *HTTPAPIError {
	return &HTTPAPIError{Status: 401, Description: desc, cause: cause,
		WWWAuthenticate: `Bearer scope="" error="invalid_token" error_description="` + desc + `"`}
}

// httpAPIRSAAlgs are the algorithms HTTP API JWT authorizers accept: RSA
// only [D]; RSASSA-PSS is RSA too [U].
var httpAPIRSAAlgs = rsaAlgs

// AuthorizeHTTPAPI verifies the value of an HTTP API JWT authorizer's
// identity source (the token, or "Bearer <token>") for a route with
// routeScopes (its authorizationScopes), in AWS's documented order [D:
// "Control access to HTTP APIs with JWT authorizers"]:
//
//  1. a missing or empty value is refused (401, www-authenticate "Bearer"
//     [E: what an emulator measured]);
//  2. the token is decoded; only RSA algorithms are accepted;
//  3. its kid selects a key of the issuer's JWKS (discovered through
//     {issuer}/.well-known/openid-configuration, cached), and
//  4. the signature must verify;
//  5. iss must equal the issuer exactly; aud — or client_id, only when aud
//     is absent — must be one of the audiences; exp is required and must
//     be in the future, nbf and iat in the past, without skew [L][U]. exp,
//     nbf and iat are checked together with the signature, so a token
//     failing both a time check and iss/aud reports the time check [U];
//  6. with routeScopes, the token's scopes must include at least one of
//     them, else 403.
//
// Failures are [*HTTPAPIError]s carrying the status and the
// www-authenticate text. Nothing keeps identity after the call (it may
// alias a request's buffers): a verified token is remembered by a digest
// and its decoded claims.
func (v *Verifier) AuthorizeHTTPAPI(ctx context.Context, a *JWTAuthorizer, identity string, routeScopes []string) (HTTPAPIResult, error) {
	tok := strings.TrimSpace(identity)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" || strings.EqualFold(tok, "bearer") {
		return HTTPAPIResult{}, &HTTPAPIError{Status: 401, WWWAuthenticate: "Bearer", cause: errors.New("missing token")}
	}
	if len(tok) > maxTokenLen {
		return HTTPAPIResult{}, invalidToken(descMalformed, fmt.Errorf("token longer than %d bytes", maxTokenLen))
	}
	// A token verified before with the issuer's current keys (signature,
	// time claims) is not verified again (see verifiedToken).
	sum := v.digest.sum(tok)
	e := v.lookup(&sum, a.issuer)
	var p *tokenParts
	if e != nil {
		p = e.parts
	} else {
		var err error
		if p, err = splitToken(tok); err != nil {
			return HTTPAPIResult{}, invalidToken(descMalformed, err)
		}
	}
	if !slices.Contains(httpAPIRSAAlgs, p.alg) {
		return HTTPAPIResult{}, invalidToken(descAlgorithm, fmt.Errorf("alg %q", clip(p.alg, 20)))
	}
	if e == nil {
		// The configured issuer's keys verify the token whatever its iss
		// says, so a token naming another issuer never makes us fetch
		// from it.
		var err error
		if e, err = v.verify(ctx, tok, p, a.issuer, &sum); err != nil {
			return HTTPAPIResult{}, invalidToken(verifyDescription(err), err)
		}
	}
	f := e.httpAPIFacts()
	if !f.issOK || f.iss != a.issuer {
		return HTTPAPIResult{}, invalidToken(descIssuer, fmt.Errorf("iss %q", clip(f.iss, 200)))
	}
	if !slices.ContainsFunc(f.aud, func(s string) bool { return slices.Contains(a.audience, s) }) {
		return HTTPAPIResult{}, invalidToken(descAudience, nil)
	}
	if len(routeScopes) > 0 && !slices.ContainsFunc(routeScopes, func(s string) bool { return slices.Contains(f.scopes, s) }) {
		return HTTPAPIResult{}, &HTTPAPIError{Status: 403, Description: descScopes,
			WWWAuthenticate: `Bearer scope="` + strings.Join(routeScopes, " ") +
				`" error="insufficient_scope" error_description="` + descScopes + `"`}
	}
	res := HTTPAPIResult{Claims: e.claimsHTTPAPI()}
	if f.hasScopes {
		res.Scopes = f.scopes
		if res.Scopes == nil {
			res.Scopes = []string{}
		}
	}
	return res, nil
}

// httpAPIFacts are the claims an HTTP API authorization reads on every
// use of a token, decoded once per verified token
// (verifiedToken.httpAPIFacts).
type httpAPIFacts struct {
	iss   string
	issOK bool // iss is present and a string
	// aud is the audience to match: aud (a string or a list), or
	// client_id only when aud is absent [D]. With no audiences configured
	// nothing matches [U].
	aud []string
	// scopes are scope's, or scp's when scope is absent, split on spaces;
	// hasScopes says one of the two is present.
	scopes    []string
	hasScopes bool
}

// decodeHTTPAPIFacts reads p's httpAPIFacts.
func decodeHTTPAPIFacts(p *tokenParts) *httpAPIFacts {
	f := &httpAPIFacts{}
	f.iss, _, f.issOK = p.stringClaim(jwt.IssuerKey)
	if _, ok := p.claims[jwt.AudienceKey]; ok {
		f.aud = p.stringsClaim(jwt.AudienceKey, false)
	} else if cid, _, ok := p.stringClaim("client_id"); ok {
		f.aud = []string{cid}
	}
	_, hasScope := p.claims["scope"]
	_, hasScp := p.claims["scp"]
	f.hasScopes = hasScope || hasScp
	if hasScope {
		f.scopes = p.stringsClaim("scope", true)
	} else {
		f.scopes = p.stringsClaim("scp", true)
	}
	return f
}

// verifyDescription names a failure of verify.
func verifyDescription(err error) string {
	switch {
	case errors.Is(err, ErrKeysUnavailable):
		return descKeys
	case errors.Is(err, jwt.TokenExpiredError()), errors.Is(err, jwt.MissingRequiredClaimError()):
		return descExpired
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return descNotYetValid
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return descIssuedLater
	}
	return descSignature
}
