package jwtauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// maxVerified bounds the cache of verified tokens. When it is full,
// entries that can no longer hit (expired, or verified with keys the
// issuer has since replaced) are dropped, then arbitrary ones down to
// three quarters: a cache, not a store, so the worst case is verifying
// signatures again.
const maxVerified = 4096

// tokenSum is a verified-cache key: a 128-bit keyed digest of the token
// (see tokenDigest). The cache keeps no token, only its digest.
type tokenSum [16]byte

// tokenDigest makes verified-cache keys: AES-GMAC (NIST SP 800-38D: GCM
// with the token as its only, authenticated, data) under a key made when
// the verifier is, with a fixed nonce. Every cached authorization hashes
// the whole bearer token, so the hash is on the request path: GMAC costs
// about a quarter of SHA-256 here (~100 against ~430 ns for a 600-byte
// token, AES-NI and SHA-NI both present).
//
// What the key needs is that no one can find a token with the digest of
// one that verified. GHASH under a secret key is almost-XOR-universal: two
// different tokens of at most l 16-byte blocks collide with probability at
// most (l+1)/2^128 over the key. Digests never leave the process, so the
// fixed nonce (which would weaken a MAC whose tags are published) reveals
// nothing, and a digest, 128 bits of a token of several thousand, cannot
// give the token back. Where GCM with chosen nonces is refused (Go's
// FIPS 140-only mode), the key is the first half of the token's SHA-256:
// finding another token with the digest of a given one is still a second
// preimage of SHA-256 (2^128 work).
type tokenDigest struct {
	gmac cipher.AEAD // nil: SHA-256
}

// newTokenDigest makes a digest with a fresh random key.
func newTokenDigest() tokenDigest {
	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		return tokenDigest{}
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return tokenDigest{}
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return tokenDigest{} // FIPS 140-only mode
	}
	return tokenDigest{gmac: g}
}

// gmacNonce is the digest's fixed nonce (see tokenDigest).
var gmacNonce [12]byte

// sum digests tok (without copying it). Safe for concurrent use.
func (d tokenDigest) sum(tok string) tokenSum {
	b := unsafe.Slice(unsafe.StringData(tok), len(tok))
	var out tokenSum
	if d.gmac == nil {
		full := sha256.Sum256(b)
		copy(out[:], full[:])
		return out
	}
	d.gmac.Seal(out[:0], gmacNonce[:], nil, b)
	return out
}

// verifiedToken is a token whose signature verified with an issuer's
// keys and whose time claims were valid. Signature checks dominate the
// cost of an authorization (~80 µs for RS256), so a token seen again is
// not verified again while:
//
//   - the key set that verified it is still the issuer's current one:
//     any refresh of the JWKS (a rotation, a removed key, the periodic
//     refresh) ends every entry verified with the previous set;
//   - its exp, nbf and iat are still valid, exactly as jwt.Validate
//     decides with the verifier's clock and skew (jwx's default time
//     truncation, none, is kept).
//
// Everything else about the token (issuer acceptance, audience, scopes,
// token_use, algorithms an authorizer type accepts) is checked on every
// use, from the cached parse. Immutable once published, but for its
// memoised claim renderings.
type verifiedToken struct {
	issuer string
	st     *issuerState
	ks     *keyset
	parts  *tokenParts
	// from and until bound the token's validity: from <= now < until.
	from, until time.Time

	restClaims, httpClaims atomic.Pointer[map[string]string]
	httpFacts              atomic.Pointer[httpAPIFacts]
}

// live reports whether e may stand for verifying its token again at now.
func (e *verifiedToken) live(now time.Time) bool {
	return e.st.cur.Load() == e.ks && now.Before(e.until) && !now.Before(e.from)
}

// claimsREST returns the claims as REST authorizers expose them
// (stringifyClaims), rendered once per entry. Callers must not change
// the map.
func (e *verifiedToken) claimsREST() map[string]string {
	if m := e.restClaims.Load(); m != nil {
		return *m
	}
	m := stringifyClaims(e.parts.claims)
	e.restClaims.Store(&m)
	return m
}

// claimsHTTPAPI is claimsREST for HTTP APIs (stringifyHTTPAPIClaims).
func (e *verifiedToken) claimsHTTPAPI() map[string]string {
	if m := e.httpClaims.Load(); m != nil {
		return *m
	}
	m := stringifyHTTPAPIClaims(e.parts.claims)
	e.httpClaims.Store(&m)
	return m
}

// httpAPIFacts returns the claims HTTP API authorizations check, decoded
// once per entry. Callers must not change the result.
func (e *verifiedToken) httpAPIFacts() *httpAPIFacts {
	if f := e.httpFacts.Load(); f != nil {
		return f
	}
	f := decodeHTTPAPIFacts(e.parts)
	e.httpFacts.Store(f)
	return f
}

// verifiedCache holds verifiedTokens by tokenSum. Safe for concurrent use.
type verifiedCache struct {
	mu sync.RWMutex
	m  map[tokenSum]*verifiedToken
}

// lookup returns the live entry of sum verified with issuer's keys (""
// for any issuer), or nil. A stale entry of a refreshing issuer whose
// set is due for refresh starts that refresh, as a verification would.
func (v *Verifier) lookup(sum *tokenSum, issuer string) *verifiedToken {
	c := &v.verified
	c.mu.RLock()
	e := c.m[*sum]
	c.mu.RUnlock()
	if e == nil || (issuer != "" && e.issuer != issuer) {
		return nil
	}
	now := v.now()
	if !e.live(now) {
		return nil
	}
	if now.Sub(e.ks.fetchedAt) >= v.cfg.RefreshInterval {
		// The entry serves on until the refreshed set replaces its keys.
		v.refreshLazily(e.st, now)
	}
	return e
}

// remember caches a token that verify accepted.
func (v *Verifier) remember(sum *tokenSum, e *verifiedToken) {
	now := v.now()
	c := &v.verified
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[tokenSum]*verifiedToken)
	}
	if len(c.m) >= maxVerified {
		for k, old := range c.m {
			if !old.live(now) {
				delete(c.m, k)
			}
		}
		for k := range c.m { // random order
			if len(c.m) < maxVerified*3/4 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[*sum] = e
}

// validity returns the window in which jwt.Validate with the verifier's
// options accepts t's time claims: exp+skew excluded, nbf-skew and
// iat-skew included.
func (v *Verifier) validity(t jwt.Token) (from, until time.Time) {
	skew := v.cfg.ClockSkew
	exp, _ := t.Expiration() // required: verify validated its presence
	until = exp.Add(skew)
	if nbf, ok := t.NotBefore(); ok {
		from = nbf.Add(-skew)
	}
	if iat, ok := t.IssuedAt(); ok && iat.Add(-skew).After(from) {
		from = iat.Add(-skew)
	}
	return from, until
}
