package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// maxTokenLen bounds the accepted token size (API Gateway itself limits
// request headers to about 10 KiB).
const maxTokenLen = 64 << 10

// Result is a successful authorization.
type Result struct {
	// Claims holds every token claim stringified as API Gateway exposes
	// them in requestContext.authorizer.claims and
	// $context.authorizer.claims.<name>.
	Claims map[string]string
	// TokenUse is the raw token_use claim ("id", "access", or "" when the
	// claim is absent, which only generic OIDC issuers may do).
	TokenUse string
	// Scopes are the token's scopes from its space-separated "scope" claim
	// (nil when it has none).
	Scopes []string
	// Issuer is the token's verified "iss".
	Issuer string
}

// Authorize verifies token as a COGNITO_USER_POOLS authorizer would.
//
// issuers are the authorizer's allowed issuer URLs (see [IssuerForProvider]);
// the token's "iss" must be one of them and selects the keys to verify with.
// The signature must verify with an asymmetric key of that issuer's JWKS
// ("none" and HMAC are rejected); "exp" is required and exp/nbf/iat are
// checked against the clock with the configured skew.
//
// With no method scopes the token must be an ID token (token_use "id");
// with scopes it must be an access token (token_use "access") whose "scope"
// claim contains at least one of them. audienceExpr, the authorizer's
// identityValidationExpression, is a regular expression that, when
// non-empty, must match the token's "aud" in full.
//
// Every error wraps [ErrUnauthorized].
func (v *Verifier) Authorize(ctx context.Context, token string, issuers []string, scopes []string, audienceExpr string) (*Result, error) {
	tok := strings.TrimSpace(token)
	// [U] API Gateway's handling of a "Bearer " prefix is unverified; it is
	// accepted (case-insensitively) and stripped.
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return nil, unauthorized("missing token", nil)
	}
	if len(tok) > maxTokenLen {
		return nil, unauthorized(fmt.Sprintf("token longer than %d bytes", maxTokenLen), nil)
	}
	if len(issuers) == 0 {
		return nil, unauthorized("authorizer has no issuers", nil)
	}

	// A token verified before (signature, time claims) with its issuer's
	// current keys is not verified again (see verifiedToken).
	sum := v.digest.sum(tok)
	e := v.lookup(&sum, "")
	var p *tokenParts
	var iss string
	if e != nil {
		p, iss = e.parts, e.issuer
	} else {
		var err error
		if p, err = splitToken(tok); err != nil {
			return nil, unauthorized("malformed token", err)
		}
		if err := checkAlg(p.alg); err != nil {
			return nil, unauthorized("bad signature algorithm", err)
		}
		var ok bool
		if iss, _, ok = p.stringClaim(jwt.IssuerKey); !ok {
			return nil, unauthorized("token has no string iss claim", nil)
		}
	}
	if !slices.Contains(issuers, iss) {
		return nil, unauthorized(fmt.Sprintf("issuer %q is not accepted by this authorizer", clip(iss, 200)), nil)
	}
	if e == nil {
		var err error
		if e, err = v.verify(ctx, tok, p, iss, &sum); err != nil {
			return nil, err
		}
	}

	// The claims below come from the signed payload verified above.
	tokenUse, tuPresent, tuString := p.stringClaim("token_use")
	if tuPresent && !tuString {
		return nil, unauthorized("token_use claim is not a string", nil)
	}
	// [U] Generic (non-Cognito) OIDC issuers do not emit token_use; their
	// tokens are accepted in either role. Real Cognito issuers always must.
	requireUse := tuPresent || isCognitoIssuer(iss)
	tokenScopes := p.stringsClaim("scope", true)
	if len(scopes) == 0 {
		if requireUse && tokenUse != "id" {
			return nil, unauthorized(fmt.Sprintf("token_use %q where an ID token is required", clip(tokenUse, 40)), nil)
		}
	} else {
		if requireUse && tokenUse != "access" {
			return nil, unauthorized(fmt.Sprintf("token_use %q where an access token is required", clip(tokenUse, 40)), nil)
		}
		if !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(tokenScopes, s) }) {
			return nil, unauthorized("token has none of the method's authorization scopes", nil)
		}
	}

	if audienceExpr != "" {
		if err := v.checkAudience(p, audienceExpr); err != nil {
			return nil, err
		}
	}

	return &Result{
		Claims:   e.claimsREST(),
		TokenUse: tokenUse,
		Scopes:   tokenScopes,
		Issuer:   iss,
	}, nil
}

// verify checks the signature with iss's keys (refetching them once, rate
// limited, when no key matches) and validates exp (required), nbf and iat.
// A token that passes is remembered under sum (see verifiedToken).
func (v *Verifier) verify(ctx context.Context, tok string, p *tokenParts, iss string, sum *tokenSum) (*verifiedToken, error) {
	st := v.state(iss)
	ks, fresh, err := v.keys(ctx, st)
	if err != nil {
		return nil, unauthorized("keys of issuer "+iss, fmt.Errorf("%w: %w", ErrKeysUnavailable, err))
	}
	cands := ks.candidates(p.kid, p.alg)
	if len(cands) == 0 {
		if !fresh && !ks.has(p.kid) {
			// Unknown (or absent) kid: the issuer may have rotated its keys.
			nks, err := v.refetchForMiss(ctx, st, ks)
			if err != nil {
				return nil, unauthorized(fmt.Sprintf("no key for kid %q", clip(p.kid, 100)), err)
			}
			ks = nks
			cands = nks.candidates(p.kid, p.alg)
		}
		if len(cands) == 0 {
			return nil, unauthorized(fmt.Sprintf("no %s key for kid %q", p.alg, clip(p.kid, 100)), nil)
		}
	}

	// Signature: jwx's compact fast path (what jwt.Parse uses for a single
	// key; marked experimental upstream, hence the pinned jwx version). It
	// cross-checks the header alg against alg, checks alg against the key
	// type, and refuses "crit" and "b64" headers.
	alg := signatureAlgs[p.alg]
	buf := []byte(tok)
	for _, k := range cands { // several only for kid-less tokens
		if _, err = jws.VerifyCompactFast(k.raw, buf, alg); err == nil {
			break
		}
	}
	if err != nil {
		return nil, unauthorized("invalid signature", err)
	}

	// Time claims: jwx's validator on a token holding the payload's
	// exp/nbf/iat (decoded by jwx from their JSON text).
	b := jwt.NewBuilder()
	for _, name := range [...]string{jwt.ExpirationKey, jwt.NotBeforeKey, jwt.IssuedAtKey} {
		raw, ok := p.claims[name]
		if !ok {
			continue
		}
		if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
			return nil, unauthorized(name+" claim is not a NumericDate", nil)
		}
		b.Claim(name, json.Number(plainNumber(string(raw))))
	}
	t, err := b.Build()
	if err != nil {
		return nil, unauthorized("invalid time claims", err)
	}
	if err := jwt.Validate(t, v.validateOpts...); err != nil {
		return nil, unauthorized(validateFailure(err), err)
	}
	e := &verifiedToken{issuer: iss, st: st, ks: ks, parts: p}
	e.from, e.until = v.validity(t)
	// Only a token that names the issuer whose keys verified it is
	// remembered: a cached entry's issuer is its iss (an HTTP API
	// authorizer verifies with its own issuer's keys first and refuses a
	// token naming another afterwards).
	if named, _, ok := p.stringClaim(jwt.IssuerKey); ok && named == iss {
		v.remember(sum, e)
	}
	return e, nil
}

// validateFailure names the jwt.Validate failure class for logs.
func validateFailure(err error) string {
	switch {
	case errors.Is(err, jwt.TokenExpiredError()):
		return "token expired"
	case errors.Is(err, jwt.TokenNotYetValidError()):
		return "token not valid yet (nbf)"
	case errors.Is(err, jwt.InvalidIssuedAtError()):
		return "token issued in the future (iat)"
	case errors.Is(err, jwt.MissingRequiredClaimError()):
		return "token lacks a required claim (exp)"
	}
	return "invalid time claims"
}

// isCognitoIssuer reports whether iss is a real Amazon Cognito user pool
// issuer (https://cognito-idp.{region}.amazonaws.com[.cn]/{poolId}).
func isCognitoIssuer(iss string) bool {
	rest, ok := strings.CutPrefix(iss, "https://cognito-idp.")
	if !ok {
		return false
	}
	host, _, _ := strings.Cut(rest, "/")
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}

// checkAudience matches the token's aud against the authorizer's
// identityValidationExpression.
//
// [U] The expression must match the whole aud value (Java String.matches
// semantics are assumed). A multi-valued aud (generic OIDC) passes when any
// value matches. Access tokens carry no aud and therefore fail, as in AWS.
// An invalid expression fails every token.
func (v *Verifier) checkAudience(p *tokenParts, expr string) error {
	re, err := v.audRes.get(expr)
	if err != nil {
		return unauthorized("invalid identity validation expression", err)
	}
	auds := p.stringsClaim(jwt.AudienceKey, false)
	if len(auds) == 0 {
		return unauthorized("token has no aud claim to match the identity validation expression", nil)
	}
	if !slices.ContainsFunc(auds, re.MatchString) {
		return unauthorized("aud does not match the identity validation expression", nil)
	}
	return nil
}

// maxCachedRegexps bounds regexpCache; expressions past it are compiled on
// every use.
const maxCachedRegexps = 256

// regexpCache memoises compiled, fully anchored audience expressions.
type regexpCache struct {
	m sync.Map // expr -> regexpEntry
	n atomic.Int32
}

type regexpEntry struct {
	re  *regexp.Regexp
	err error
}

func (c *regexpCache) get(expr string) (*regexp.Regexp, error) {
	if e, ok := c.m.Load(expr); ok {
		ent := e.(regexpEntry)
		return ent.re, ent.err
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if c.n.Load() < maxCachedRegexps {
		if _, loaded := c.m.LoadOrStore(expr, regexpEntry{re, err}); !loaded {
			c.n.Add(1)
		}
	}
	return re, err
}
