package jwtauth

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwt"
)

// sameMap reports whether a and b are the same map (not equal copies).
func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// TestVerifiedTokenReused: a token verified once is served from the cache
// of verified tokens (the claims rendered then are handed out again) by
// both entry points, each with its own claim rendering, while every
// per-authorizer check still runs on the cached parse.
func TestVerifiedTokenReused(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	c := newClock()
	v := newVerifier(t, c, nil)
	ctx := context.Background()
	tok := sign(t, key, with(idClaims(ti.iss), map[string]any{"scope": "orders/read"}))

	r1, err := v.Authorize(ctx, tok, []string{ti.iss}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := v.Authorize(ctx, "Bearer "+tok, []string{ti.iss}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if !sameMap(r1.Claims, r2.Claims) {
		t.Error("the second authorization verified the token again")
	}
	// Per-call checks still apply to a cached token.
	if _, err := v.Authorize(ctx, tok, []string{"https://other.example"}, nil, ""); err == nil {
		t.Error("a cached token passed an authorizer that does not accept its issuer")
	}
	if _, err := v.Authorize(ctx, tok, []string{ti.iss}, nil, "nomatch"); err == nil {
		t.Error("a cached token passed an audience expression it does not match")
	}

	a := mustAuthorizer(t, ti.iss, "client123")
	h1, err := v.AuthorizeHTTPAPI(ctx, a, tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := h1.Claims["cognito:groups"]; got != "[admin users]" || r1.Claims["cognito:groups"] != `["admin","users"]` {
		t.Errorf("renderings: HTTP %q, REST %q", got, r1.Claims["cognito:groups"])
	}
	h2, _ := v.AuthorizeHTTPAPI(ctx, a, tok, nil)
	if !sameMap(h1.Claims, h2.Claims) {
		t.Error("the HTTP API authorizer verified a cached token again")
	}
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok, []string{"orders/write"}); err == nil {
		t.Error("a cached token passed a route scope it lacks")
	}
	if _, err := v.AuthorizeHTTPAPI(ctx, mustAuthorizer(t, ti.iss, "other-app"), tok, nil); err == nil {
		t.Error("a cached token passed an authorizer of another audience")
	}
	if n := ti.jwksHits.Load(); n != 1 {
		t.Errorf("jwks fetched %d times", n)
	}
}

// TestVerifiedTokenDiesAtExpiry: a cached token is refused from its exp
// on (and before its nbf, should the clock go back), as verifying it
// again would; with a clock skew, exp+skew.
func TestVerifiedTokenDiesAtExpiry(t *testing.T) {
	for _, skew := range []time.Duration{0, 30 * time.Second} {
		key := newRSAKey(t, "k1")
		ti := newIssuer(t, key)
		c := newClock()
		v := newVerifier(t, c, func(cfg *Config) { cfg.ClockSkew = skew })
		ctx := context.Background()
		tok := sign(t, key, with(idClaims(ti.iss), map[string]any{"exp": t0.Unix() + 60, "nbf": t0.Unix() - 10}))
		iss := []string{ti.iss}
		if _, err := v.Authorize(ctx, tok, iss, nil, ""); err != nil {
			t.Fatal(err)
		}
		c.Advance(60*time.Second + skew - time.Nanosecond)
		if _, err := v.Authorize(ctx, tok, iss, nil, ""); err != nil {
			t.Errorf("skew %v: just before exp: %v", skew, err)
		}
		c.Advance(time.Nanosecond)
		_, err := v.Authorize(ctx, tok, iss, nil, "")
		mustFail(t, err, "token expired", tok)
		a := mustAuthorizer(t, ti.iss, "client123")
		_, err = v.AuthorizeHTTPAPI(ctx, a, tok, nil)
		wantRefusal(t, err, 401, `Bearer scope="" error="invalid_token" error_description="`+descExpired+`"`)

		// The clock goes back before nbf-skew: refused, as jwt.Validate does.
		c.Advance(-(70*time.Second + 2*skew + time.Nanosecond))
		_, err = v.Authorize(ctx, tok, iss, nil, "")
		mustFail(t, err, "nbf", tok)
	}
}

// TestVerifiedTokenValidityMatchesValidate: the cached validity window is
// exactly jwt.Validate's, at its edges, for exp, nbf and iat with and
// without skew.
func TestVerifiedTokenValidityMatchesValidate(t *testing.T) {
	for _, skew := range []time.Duration{0, 1500 * time.Millisecond} {
		var now time.Time
		v, err := New(Config{ClockSkew: skew, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = v.Close() })
		for _, claims := range []map[string]string{
			{"exp": "1700000060"},
			{"exp": "1700000060", "nbf": "1700000000"},
			{"exp": "1700000060", "iat": "1700000010"},
			{"exp": "1700000060.5", "nbf": "1699999990", "iat": "1700000005"},
		} {
			b := jwt.NewBuilder()
			for k, val := range claims {
				b.Claim(k, json.Number(val))
			}
			tok, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			from, until := v.validity(tok)
			for _, edge := range []time.Time{from, until} {
				if edge.IsZero() {
					continue // no nbf or iat: no lower bound
				}
				for _, d := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond} {
					now = edge.Add(d)
					cached := !now.Before(from) && now.Before(until)
					if valid := jwt.Validate(tok, v.validateOpts...) == nil; valid != cached {
						t.Errorf("skew %v, %v at %v: jwt.Validate %v, cache %v", skew, claims, now, valid, cached)
					}
				}
			}
		}
	}
}

// TestVerifiedTokenDiesWithKeys: entries die when the issuer's JWKS
// changes: after a rotation picked up by an unknown-kid refetch, and after
// the periodic refresh replaced the keys, a token of a removed key is
// verified again, and refused.
func TestVerifiedTokenDiesWithKeys(t *testing.T) {
	k1, k2 := newRSAKey(t, "k1"), newRSAKey(t, "k2")
	ti := newIssuer(t, k1)
	c := newClock()
	v := newHTTPAPIVerifier(t, c)
	ctx := context.Background()
	a := mustAuthorizer(t, ti.iss, "api://orders")
	old := sign(t, k1, with(oidcClaims(ti.iss), map[string]any{"exp": t0.Unix() + 4*3600}))
	if _, err := v.AuthorizeHTTPAPI(ctx, a, old, nil); err != nil {
		t.Fatal(err)
	}
	// Rotation: a k2 token makes the verifier refetch the JWKS.
	ti.publish(k2)
	if _, err := v.AuthorizeHTTPAPI(ctx, a, sign(t, k2, oidcClaims(ti.iss)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AuthorizeHTTPAPI(ctx, a, old, nil); err == nil {
		t.Fatal("a cached token of a key the issuer removed still passes")
	}

	// The periodic refresh: k2's token is cached; the issuer swaps k2 for
	// k1 again; once the refreshed set is in, k2's token is refused.
	tok2 := sign(t, k2, with(oidcClaims(ti.iss), map[string]any{"exp": t0.Unix() + 4*3600}))
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok2, nil); err != nil {
		t.Fatal(err)
	}
	ti.publish(k1)
	hits := ti.jwksHits.Load()
	c.Advance(HTTPAPIKeyCacheTTL)
	// Still served while the refresh it starts runs.
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok2, nil); err != nil {
		t.Fatalf("during the refresh: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ti.jwksHits.Load() == hits || v.state(ti.iss).cur.Load().has("k2") {
		if time.Now().After(deadline) {
			t.Fatal("the key set was not refreshed")
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok2, nil); err == nil {
		t.Fatal("a cached token survived the refresh that removed its key")
	}
}

// TestVerifiedTokenIssuerBound: a token an HTTP API authorizer verified
// with its issuer's keys but refused for naming another issuer is not
// remembered, so a REST authorizer accepting that issuer still judges it
// by its own iss; and a token cached for one issuer is no hit for an
// authorizer of another.
func TestVerifiedTokenIssuerBound(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	other := newIssuer(t, newRSAKey(t, "k9"))
	c := newClock()
	v := newVerifier(t, c, nil)
	ctx := context.Background()
	// Signed with ti's key, naming the other issuer.
	forged := sign(t, key, with(idClaims(other.iss), nil))
	_, err := v.AuthorizeHTTPAPI(ctx, mustAuthorizer(t, ti.iss, "client123"), forged, nil)
	wantRefusal(t, err, 401, `Bearer scope="" error="invalid_token" error_description="`+descIssuer+`"`)
	if _, err := v.Authorize(ctx, forged, []string{ti.iss}, nil, ""); err == nil {
		t.Fatal("a REST authorizer accepted a token naming an issuer it does not accept")
	}
	if _, err := v.Authorize(ctx, forged, []string{other.iss}, nil, ""); err == nil {
		t.Fatal("a token signed with another issuer's key passed")
	}

	tok := sign(t, key, idClaims(ti.iss))
	if _, err := v.AuthorizeHTTPAPI(ctx, mustAuthorizer(t, ti.iss, "client123"), tok, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AuthorizeHTTPAPI(ctx, mustAuthorizer(t, other.iss, "client123"), tok, nil); err == nil {
		t.Fatal("a token cached for one issuer passed an authorizer of another")
	}
}

// TestVerifiedCacheBounded: the cache holds at most maxVerified tokens;
// when full, entries that can no longer hit go first.
func TestVerifiedCacheBounded(t *testing.T) {
	c := newClock()
	v := newVerifier(t, c, nil)
	st := &issuerState{issuer: "https://issuer.example"}
	ks := &keyset{fetchedAt: t0}
	st.cur.Store(ks)
	live := func(i int) *verifiedToken {
		return &verifiedToken{issuer: st.issuer, st: st, ks: ks, parts: &tokenParts{}, until: t0.Add(time.Hour)}
	}
	sumOf := func(i int) tokenSum { return tokenDigest{}.sum(string([]byte{byte(i), byte(i >> 8), byte(i >> 16)})) }
	for i := range maxVerified {
		e := live(i)
		if i%2 == 0 {
			e.until = t0 // expired
		}
		s := sumOf(i)
		v.remember(&s, e)
	}
	s := sumOf(maxVerified)
	v.remember(&s, live(maxVerified))
	if n := len(v.verified.m); n > maxVerified || n != maxVerified/2+1 {
		t.Fatalf("%d entries after the sweep, want the %d live ones", n, maxVerified/2+1)
	}
	for i := maxVerified + 1; i < 3*maxVerified; i++ {
		s = sumOf(i)
		v.remember(&s, live(i))
		if n := len(v.verified.m); n > maxVerified {
			t.Fatalf("%d entries", n)
		}
	}
	if v.lookup(&s, "") == nil {
		t.Error("the newest entry is missing")
	}
}

// TestTokenDigest checks the verified cache's keys: one token always
// gets the same key, different tokens (one byte apart, or a prefix)
// different ones, and two verifiers key the same token differently (each
// has its own secret key); the SHA-256 fallback behaves the same.
func TestTokenDigest(t *testing.T) {
	a, b := newTokenDigest(), newTokenDigest()
	if a.gmac == nil || b.gmac == nil {
		t.Fatal("GMAC unavailable outside FIPS 140-only mode")
	}
	tok := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 30) + "sig"
	other := tok[:len(tok)-1] + "h"
	for _, d := range []tokenDigest{a, {}} {
		if d.sum(tok) != d.sum(strings.Clone(tok)) {
			t.Error("same token, different keys")
		}
		if d.sum(tok) == d.sum(other) || d.sum(tok) == d.sum(tok[:len(tok)-1]) || d.sum("") == d.sum("\x00") {
			t.Error("different tokens, same key")
		}
	}
	if a.sum(tok) == b.sum(tok) {
		t.Error("two verifiers share a digest key")
	}
}
