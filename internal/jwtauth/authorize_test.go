package jwtauth

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// mustFail asserts err wraps ErrUnauthorized, mentions want, and does not
// leak the token's signature.
func mustFail(t *testing.T, err error, want, tok string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Authorize succeeded, want failure %q", want)
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("error %v does not wrap ErrUnauthorized", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not mention %q", err, want)
	}
	if tok != "" && strings.Contains(err.Error(), signature(tok)) {
		t.Fatalf("error leaks the token: %q", err)
	}
}

func TestAuthorizeValidIDToken(t *testing.T) {
	for _, key := range []signingKey{newRSAKey(t, "rsa1"), newECKey(t, "ec1")} {
		t.Run(key.alg.String(), func(t *testing.T) {
			ti := newIssuer(t, key)
			v := newVerifier(t, newClock(), nil)
			tok := sign(t, key, idClaims(ti.iss))
			res, err := v.Authorize(context.Background(), tok, []string{"https://other.example", ti.iss}, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if res.TokenUse != "id" || res.Issuer != ti.iss {
				t.Fatalf("result %+v", res)
			}
			want := map[string]string{
				"iss":            ti.iss,
				"sub":            "5f1c9d2e-0000-4000-8000-000000000001",
				"aud":            "client123",
				"token_use":      "id",
				"exp":            "1700003600",
				"iat":            "1699999940",
				"email_verified": "true",
				"cognito:groups": `["admin","users"]`,
			}
			for k, w := range want {
				if got := res.Claims[k]; got != w {
					t.Errorf("claim %s = %q, want %q", k, got, w)
				}
			}
			if ti.discoHits.Load() != 1 || ti.jwksHits.Load() != 1 {
				t.Fatalf("hits: discovery %d jwks %d", ti.discoHits.Load(), ti.jwksHits.Load())
			}
			// Second call: cached key, no fetch.
			if _, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, ""); err != nil {
				t.Fatal(err)
			}
			if ti.jwksHits.Load() != 1 {
				t.Fatalf("cached verification fetched keys (%d)", ti.jwksHits.Load())
			}
		})
	}
}

func TestAuthorizeTimeClaims(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	iss := []string{ti.iss}
	cases := []struct {
		name   string
		change map[string]any
		skew   time.Duration
		want   string // "" = success
	}{
		{"expired", map[string]any{"exp": t0.Unix() - 1}, 0, "token expired"},
		{"expired within skew", map[string]any{"exp": t0.Unix() - 10}, 30 * time.Second, ""},
		{"expired beyond skew", map[string]any{"exp": t0.Unix() - 31}, 30 * time.Second, "token expired"},
		{"nbf in future", map[string]any{"nbf": t0.Unix() + 120}, 0, "nbf"},
		{"nbf within skew", map[string]any{"nbf": t0.Unix() + 20}, 30 * time.Second, ""},
		{"iat in future", map[string]any{"iat": t0.Unix() + 120}, 0, "iat"},
		{"no exp", map[string]any{"exp": nil}, 0, "exp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newVerifier(t, newClock(), func(c *Config) { c.ClockSkew = tc.skew })
			tok := sign(t, key, with(idClaims(ti.iss), tc.change))
			_, err := v.Authorize(context.Background(), tok, iss, nil, "")
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			mustFail(t, err, tc.want, tok)
		})
	}
}

func TestAuthorizeWrongIssuer(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	tok := sign(t, key, with(idClaims(ti.iss), map[string]any{"iss": "https://evil.example"}))
	_, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "not accepted", tok)
	if ti.discoHits.Load()+ti.jwksHits.Load() != 0 {
		t.Fatal("a token from a foreign issuer caused a key fetch")
	}
	// No iss at all.
	tok = sign(t, key, with(idClaims(ti.iss), map[string]any{"iss": nil}))
	_, err = v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "iss", tok)
}

func TestAuthorizeBadSignature(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	iss := []string{ti.iss}

	// Payload swapped after signing.
	good := sign(t, key, idClaims(ti.iss))
	other := sign(t, key, with(idClaims(ti.iss), map[string]any{"sub": "admin"}))
	parts, otherParts := strings.Split(good, "."), strings.Split(other, ".")
	tampered := parts[0] + "." + otherParts[1] + "." + parts[2]
	_, err := v.Authorize(context.Background(), tampered, iss, nil, "")
	mustFail(t, err, "invalid signature", tampered)

	// Signed by a different key claiming the published kid.
	impostor := newRSAKey(t, "k1")
	impostor.priv = rsaPool[(int(rsaIndex.Load())+3)%len(rsaPool)]
	forged := sign(t, impostor, idClaims(ti.iss))
	_, err = v.Authorize(context.Background(), forged, iss, nil, "")
	mustFail(t, err, "invalid signature", forged)

	// Garbage.
	for _, bad := range []string{"abc", "a.b", "a.b.c.d", "!!.!!.!!"} {
		_, err = v.Authorize(context.Background(), bad, iss, nil, "")
		mustFail(t, err, "malformed", "")
	}
	_, err = v.Authorize(context.Background(), "", iss, nil, "")
	mustFail(t, err, "missing token", "")
	_, err = v.Authorize(context.Background(), good, nil, nil, "")
	mustFail(t, err, "no issuers", good)
}

func TestAuthorizeRejectsNoneAndHMAC(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	iss := []string{ti.iss}
	payload := base64.RawURLEncoding.EncodeToString(mustJSON(t, idClaims(ti.iss)))

	for _, alg := range []string{"none", "None"} {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"k1","typ":"JWT"}`))
		tok := hdr + "." + payload + "."
		_, err := v.Authorize(context.Background(), tok, iss, nil, "")
		mustFail(t, err, "alg none", "")
	}

	// HS256 "signed" with the RSA public key as HMAC secret.
	der, err := x509.MarshalPKIXPublicKey(key.priv.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"k1","typ":"JWT"}`))
	mac := hmac.New(sha256.New, der)
	mac.Write([]byte(hdr + "." + payload))
	tok := hdr + "." + payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	_, err = v.Authorize(context.Background(), tok, iss, nil, "")
	mustFail(t, err, "symmetric alg HS256", tok)

	// RS256 key presented under a mismatching asymmetric alg (ES256).
	hdr = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"k1","typ":"JWT"}`))
	good := sign(t, key, idClaims(ti.iss))
	tok = hdr + "." + payload + "." + signature(good)
	_, err = v.Authorize(context.Background(), tok, iss, nil, "")
	mustFail(t, err, "no ES256 key", tok)
}

func TestAuthorizeJWKAlgRestriction(t *testing.T) {
	key := newRSAKey(t, "k1")
	if err := key.pub.Set("alg", "RS256"); err != nil {
		t.Fatal(err)
	}
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	rs512 := key
	rs512.alg = signatureAlgs["RS512"]
	tok := sign(t, rs512, idClaims(ti.iss))
	_, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "no RS512 key", tok)
	// The same key under its declared alg works.
	if _, err := v.Authorize(context.Background(), sign(t, key, idClaims(ti.iss)), []string{ti.iss}, nil, ""); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizeTokenWithoutKid(t *testing.T) {
	k1, k2 := newRSAKey(t, "k1"), newECKey(t, "k2")
	k3 := newRSAKey(t, "k3")
	ti := newIssuer(t, k1, k2, k3)
	v := newVerifier(t, newClock(), nil)
	anon := k3
	anon.kid = ""
	if _, err := v.Authorize(context.Background(), sign(t, anon, idClaims(ti.iss)), []string{ti.iss}, nil, ""); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizeScopes(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	iss := []string{ti.iss}
	ctx := context.Background()

	access := sign(t, key, accessClaims(ti.iss, "openid pets/read pets/write"))
	res, err := v.Authorize(ctx, access, iss, []string{"admin", "pets/write"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.TokenUse != "access" || strings.Join(res.Scopes, " ") != "openid pets/read pets/write" {
		t.Fatalf("result %+v", res)
	}
	if res.Claims["scope"] != "openid pets/read pets/write" {
		t.Fatalf("scope claim %q", res.Claims["scope"])
	}

	_, err = v.Authorize(ctx, access, iss, []string{"pets/delete", "pets"}, "")
	mustFail(t, err, "none of the method's authorization scopes", access)

	// Access token on a method without scopes: an ID token is required.
	_, err = v.Authorize(ctx, access, iss, nil, "")
	mustFail(t, err, `token_use "access" where an ID token is required`, access)

	// ID token on a method with scopes: an access token is required.
	id := sign(t, key, with(idClaims(ti.iss), map[string]any{"scope": "pets/write"}))
	_, err = v.Authorize(ctx, id, iss, []string{"pets/write"}, "")
	mustFail(t, err, `token_use "id" where an access token is required`, id)

	// Access token without a scope claim.
	noScope := sign(t, key, with(accessClaims(ti.iss, ""), map[string]any{"scope": nil}))
	_, err = v.Authorize(ctx, noScope, iss, []string{"pets/write"}, "")
	mustFail(t, err, "none of the method's authorization scopes", noScope)

	// Wrong token_use type.
	odd := sign(t, key, with(idClaims(ti.iss), map[string]any{"token_use": 7}))
	_, err = v.Authorize(ctx, odd, iss, nil, "")
	mustFail(t, err, "token_use claim is not a string", odd)
}

func TestAuthorizeGenericOIDCWithoutTokenUse(t *testing.T) {
	key := newECKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	iss := []string{ti.iss}
	ctx := context.Background()

	tok := sign(t, key, with(idClaims(ti.iss), map[string]any{"token_use": nil, "scope": "read write"}))
	res, err := v.Authorize(ctx, tok, iss, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.TokenUse != "" {
		t.Fatalf("TokenUse %q", res.TokenUse)
	}
	if _, err := v.Authorize(ctx, tok, iss, []string{"write"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err = v.Authorize(ctx, tok, iss, []string{"admin"}, "")
	mustFail(t, err, "scopes", tok)
	// Array-valued scope claims (some generic issuers) also count.
	arr := sign(t, key, with(idClaims(ti.iss), map[string]any{"token_use": nil, "scope": []string{"a", "write"}}))
	if _, err := v.Authorize(ctx, arr, iss, []string{"write"}, ""); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizeAudienceExpression(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	iss := []string{ti.iss}
	ctx := context.Background()
	id := sign(t, key, idClaims(ti.iss)) // aud "client123"

	for _, expr := range []string{"client123", "client[0-9]+", "other|client123"} {
		if _, err := v.Authorize(ctx, id, iss, nil, expr); err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
	}
	for _, expr := range []string{"client", "lient123", "other"} { // full match only
		_, err := v.Authorize(ctx, id, iss, nil, expr)
		mustFail(t, err, "aud does not match", id)
	}
	_, err := v.Authorize(ctx, id, iss, nil, "client(")
	mustFail(t, err, "invalid identity validation expression", id)

	// Access tokens have no aud: they fail any expression.
	access := sign(t, key, accessClaims(ti.iss, "s"))
	_, err = v.Authorize(ctx, access, iss, []string{"s"}, ".*")
	mustFail(t, err, "no aud claim", access)

	// Multi-valued aud passes when one value matches.
	multi := sign(t, key, with(idClaims(ti.iss), map[string]any{"aud": []string{"x", "client123"}}))
	if _, err := v.Authorize(ctx, multi, iss, nil, "client123"); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizeBearerPrefix(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	tok := sign(t, key, idClaims(ti.iss))
	for _, h := range []string{"Bearer " + tok, "bearer " + tok, "BEARER   " + tok + " ", " " + tok} {
		if _, err := v.Authorize(context.Background(), h, []string{ti.iss}, nil, ""); err != nil {
			t.Fatalf("%.10q: %v", h, err)
		}
	}
	_, err := v.Authorize(context.Background(), "Bearer ", []string{ti.iss}, nil, "")
	mustFail(t, err, "", "")
}

func TestAuthorizeClaimsStringification(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newVerifier(t, newClock(), nil)
	payload := `{"iss":"` + ti.iss + `","token_use":"id","exp":1.7000036e9,"iat":1699999940,` +
		`"auth_time": 1699999940 ,"big":123456789012345678901234567890,"neg":-5,"frac":1.5,"tiny":1e-7,` +
		`"t":true,"f":false,"nul":null,"arr":[ "a", 1, true ],"obj":{"k": [1, 2]},` +
		`"esc":"line\nbreak \"q\" \u00e9","custom:role":"admin"}`
	tok := signRaw(t, key, []byte(payload))
	res, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"exp":         "1700003600",
		"iat":         "1699999940",
		"auth_time":   "1699999940",
		"big":         "123456789012345678901234567890",
		"neg":         "-5",
		"frac":        "1.5",
		"tiny":        "0.0000001",
		"t":           "true",
		"f":           "false",
		"nul":         "null",
		"arr":         `["a",1,true]`,
		"obj":         `{"k":[1,2]}`,
		"esc":         "line\nbreak \"q\" é",
		"custom:role": "admin",
		"token_use":   "id",
		"iss":         ti.iss,
	}
	if len(res.Claims) != len(want) {
		t.Errorf("got %d claims, want %d: %v", len(res.Claims), len(want), res.Claims)
	}
	for k, w := range want {
		if got := res.Claims[k]; got != w {
			t.Errorf("claim %s = %q, want %q", k, got, w)
		}
	}
}

func TestAuthorizeDiscoveryFallback(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	ti.set(func(ti *testIssuer) { ti.noDisco = true })
	v := newVerifier(t, newClock(), nil)
	if _, err := v.Authorize(context.Background(), sign(t, key, idClaims(ti.iss)), []string{ti.iss}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if ti.discoHits.Load() != 1 || ti.jwksHits.Load() != 1 {
		t.Fatalf("hits: discovery %d jwks %d", ti.discoHits.Load(), ti.jwksHits.Load())
	}
}

func TestAuthorizeKeyFetchFailure(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	ti.set(func(ti *testIssuer) { ti.jwksFail = true })
	c := newClock()
	v := newVerifier(t, c, nil)
	tok := sign(t, key, idClaims(ti.iss))
	_, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "500", tok)
	if !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("%v does not wrap ErrKeysUnavailable", err)
	}
	// Within the failure backoff the error is served from memory.
	_, err = v.Authorize(context.Background(), tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "500", tok)
	if ti.jwksHits.Load() != 1 {
		t.Fatalf("jwks hits %d, want 1", ti.jwksHits.Load())
	}
	// The issuer recovers.
	ti.set(func(ti *testIssuer) { ti.jwksFail = false })
	c.Advance(2 * time.Second)
	if _, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, ""); err != nil {
		t.Fatal(err)
	}
	// Discovery was redone after the failed JWKS fetch.
	if ti.discoHits.Load() != 2 {
		t.Fatalf("discovery hits %d, want 2", ti.discoHits.Load())
	}
}

func TestAuthorizeUnreachableIssuerContext(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	ti.set(func(ti *testIssuer) { ti.jwksDelay = 300 * time.Millisecond })
	v := newVerifier(t, newClock(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	tok := sign(t, key, idClaims(ti.iss))
	_, err := v.Authorize(ctx, tok, []string{ti.iss}, nil, "")
	mustFail(t, err, "deadline", tok)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	// The shared fetch was not cancelled by the caller's deadline.
	if _, err := v.Authorize(context.Background(), tok, []string{ti.iss}, nil, ""); err != nil {
		t.Fatal(err)
	}
	if ti.jwksHits.Load() != 1 {
		t.Fatalf("jwks hits %d, want 1", ti.jwksHits.Load())
	}
}

func TestNewConfigValidation(t *testing.T) {
	for _, cfg := range []Config{
		{ClockSkew: -time.Second},
		{ClockSkew: 61 * time.Second},
		{FetchTimeout: -1},
		{RefetchInterval: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	v, err := New(Config{ClockSkew: MaxClockSkew})
	if err != nil {
		t.Fatal(err)
	}
	_ = v.Close()
}
