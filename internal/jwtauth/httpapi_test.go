package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// newHTTPAPIVerifier returns an HTTP API verifier on clock c.
func newHTTPAPIVerifier(t testing.TB, c *fakeClock) *Verifier {
	t.Helper()
	v, err := NewHTTPAPI(Config{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

func mustAuthorizer(t testing.TB, issuer string, aud ...string) *JWTAuthorizer {
	t.Helper()
	a, err := NewJWTAuthorizer(issuer, aud)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// oidcClaims are claims of a generic OIDC access token valid at t0.
func oidcClaims(iss string) map[string]any {
	return map[string]any{
		"iss": iss, "sub": "user-1", "aud": "api://orders",
		"iat": t0.Unix() - 60, "nbf": t0.Unix() - 60, "exp": t0.Unix() + 3600,
	}
}

// wantRefusal checks an HTTPAPIError.
func wantRefusal(t *testing.T, err error, status int, header string) *HTTPAPIError {
	t.Helper()
	var he *HTTPAPIError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v, want an *HTTPAPIError", err)
	}
	if he.Status != status || he.WWWAuthenticate != header {
		t.Fatalf("status %d, www-authenticate %q; want %d, %q (%v)", he.Status, he.WWWAuthenticate, status, header, err)
	}
	kind := ErrUnauthorized
	if status == 403 {
		kind = ErrForbidden
	}
	if !errors.Is(err, kind) {
		t.Fatalf("%v does not wrap %v", err, kind)
	}
	return he
}

func invalidHeader(desc string) string {
	return `Bearer scope="" error="invalid_token" error_description="` + desc + `"`
}

func TestAuthorizeHTTPAPI(t *testing.T) {
	key := newRSAKey(t, "k1")
	other := newRSAKey(t, "k1") // same kid, unpublished key
	ti := newIssuer(t, key)
	c := newClock()
	v := newHTTPAPIVerifier(t, c)
	a := mustAuthorizer(t, ti.iss, "api://orders", "client123")
	ctx := context.Background()
	base := oidcClaims(ti.iss)

	for _, tc := range []struct {
		name   string
		token  string
		scopes []string
		status int    // 0: accepted
		header string // www-authenticate
		check  func(t *testing.T, r HTTPAPIResult)
	}{
		{name: "valid", token: sign(t, key, base), check: func(t *testing.T, r HTTPAPIResult) {
			if r.Claims["sub"] != "user-1" || r.Claims["aud"] != "api://orders" || r.Claims["exp"] != "1700003600" {
				t.Errorf("claims %v", r.Claims)
			}
			if r.Scopes != nil {
				t.Errorf("scopes %v, want nil without a scope claim", r.Scopes)
			}
		}},
		{name: "bearer prefix", token: "Bearer " + sign(t, key, base)},
		{name: "bearer prefix any case", token: "  bEaReR   " + sign(t, key, base) + " "},
		{name: "aud list with one audience", token: sign(t, key, with(base, map[string]any{"aud": []string{"x", "client123"}}))},
		{name: "client_id when aud is absent", token: sign(t, key, with(base, map[string]any{"aud": nil, "client_id": "client123"}))},
		{name: "aud wins over client_id", token: sign(t, key, with(base, map[string]any{"aud": "other", "client_id": "client123"})),
			status: 401, header: invalidHeader("the token does not have a valid audience")},
		{name: "wrong audience", token: sign(t, key, with(base, map[string]any{"aud": "api://billing"})),
			status: 401, header: invalidHeader("the token does not have a valid audience")},
		{name: "no audience at all", token: sign(t, key, with(base, map[string]any{"aud": nil})),
			status: 401, header: invalidHeader("the token does not have a valid audience")},
		{name: "issuer with a trailing slash", token: sign(t, key, with(base, map[string]any{"iss": ti.iss + "/"})),
			status: 401, header: invalidHeader("the token does not have a valid issuer")},
		{name: "no issuer", token: sign(t, key, with(base, map[string]any{"iss": nil})),
			status: 401, header: invalidHeader("the token does not have a valid issuer")},
		{name: "expired", token: sign(t, key, with(base, map[string]any{"exp": t0.Unix() - 1})),
			status: 401, header: invalidHeader("the token has expired")},
		{name: "expiring now", token: sign(t, key, with(base, map[string]any{"exp": t0.Unix()})),
			status: 401, header: invalidHeader("the token has expired")},
		{name: "no exp", token: sign(t, key, with(base, map[string]any{"exp": nil})),
			status: 401, header: invalidHeader("the token has expired")},
		{name: "not yet valid", token: sign(t, key, with(base, map[string]any{"nbf": t0.Unix() + 1})),
			status: 401, header: invalidHeader("the token is not valid yet")},
		{name: "issued in the future", token: sign(t, key, with(base, map[string]any{"iat": t0.Unix() + 1})),
			status: 401, header: invalidHeader("the token was issued in the future")},
		{name: "signed by another key", token: sign(t, other, base),
			status: 401, header: invalidHeader("the token signature is invalid")},
		{name: "malformed", token: "not-a-jwt", status: 401, header: invalidHeader("the token is malformed")},
		{name: "missing", token: "", status: 401, header: "Bearer"},
		{name: "bearer without token", token: "Bearer ", status: 401, header: "Bearer"},
		{name: "scopes: one of the route's", token: sign(t, key, with(base, map[string]any{"scope": "orders/read orders/write"})),
			scopes: []string{"admin", "orders/write"}, check: func(t *testing.T, r HTTPAPIResult) {
				if !reflect.DeepEqual(r.Scopes, []string{"orders/read", "orders/write"}) {
					t.Errorf("scopes %v", r.Scopes)
				}
			}},
		{name: "scopes from scp", token: sign(t, key, with(base, map[string]any{"scp": []string{"a", "orders/read"}})),
			scopes: []string{"orders/read"}, check: func(t *testing.T, r HTTPAPIResult) {
				if !reflect.DeepEqual(r.Scopes, []string{"a", "orders/read"}) {
					t.Errorf("scopes %v", r.Scopes)
				}
			}},
		{name: "scopes without scope claim", token: sign(t, key, base), scopes: []string{"orders/read"}, status: 403,
			header: `Bearer scope="orders/read" error="insufficient_scope" error_description="the token does not have the required scopes"`},
		{name: "none of the route's scopes", token: sign(t, key, with(base, map[string]any{"scope": "orders/read"})),
			scopes: []string{"admin", "orders/write"}, status: 403,
			header: `Bearer scope="admin orders/write" error="insufficient_scope" error_description="the token does not have the required scopes"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.AuthorizeHTTPAPI(ctx, a, tc.token, tc.scopes)
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if tc.check != nil {
					tc.check(t, res)
				}
				return
			}
			wantRefusal(t, err, tc.status, tc.header)
			if tc.token != "" && strings.Contains(err.Error(), signature(tc.token)) && len(signature(tc.token)) > 8 {
				t.Fatal("error text contains the token")
			}
		})
	}
	if n := ti.jwksHits.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want once (cached)", n)
	}
}

// TestAuthorizeHTTPAPIRSAOnly: EC and HMAC tokens are refused before any
// key is looked at, even when the issuer publishes an EC key.
func TestAuthorizeHTTPAPIRSAOnly(t *testing.T) {
	ec := newECKey(t, "ec1")
	ti := newIssuer(t, ec)
	v := newHTTPAPIVerifier(t, newClock())
	a := mustAuthorizer(t, ti.iss, "api://orders")
	_, err := v.AuthorizeHTTPAPI(context.Background(), a, sign(t, ec, oidcClaims(ti.iss)), nil)
	wantRefusal(t, err, 401, invalidHeader("the token is not signed with an RSA algorithm"))
	hmac, err := jwk.Import([]byte("secret-secret-secret-secret-32by"))
	if err != nil {
		t.Fatal(err)
	}
	hs := signingKey{kid: "h", alg: jwa.HS256(), priv: []byte("secret-secret-secret-secret-32by"), pub: hmac}
	_, err = v.AuthorizeHTTPAPI(context.Background(), a, sign(t, hs, oidcClaims(ti.iss)), nil)
	wantRefusal(t, err, 401, invalidHeader("the token is not signed with an RSA algorithm"))
	if n := ti.jwksHits.Load(); n != 0 {
		t.Errorf("JWKS fetched %d times for refused algorithms", n)
	}
}

// TestAuthorizeHTTPAPIForeignIssuer: a token naming another issuer is
// checked with the configured issuer's keys and never makes the gateway
// fetch from the issuer it names.
func TestAuthorizeHTTPAPIForeignIssuer(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	evil := newIssuer(t, key)
	v := newHTTPAPIVerifier(t, newClock())
	a := mustAuthorizer(t, ti.iss, "api://orders")
	_, err := v.AuthorizeHTTPAPI(context.Background(), a, sign(t, key, oidcClaims(evil.iss)), nil)
	wantRefusal(t, err, 401, invalidHeader("the token does not have a valid issuer"))
	if evil.discoHits.Load()+evil.jwksHits.Load() != 0 {
		t.Fatal("fetched from the issuer the token names")
	}
}

func TestHTTPAPIClaimsStringification(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	v := newHTTPAPIVerifier(t, newClock())
	a := mustAuthorizer(t, ti.iss, "client123")
	payload := `{"iss":"` + ti.iss + `","aud":"client123","exp":1.7000036e9,"iat":1699999940,` +
		`"cognito:groups":["admin","poweruser"],"one":["solo"],"mixed":["a",1,true,null,1.5e3],` +
		`"nested":[[1,2],{"k":"v","a":[3]}],"empty":[],"obj":{"k": [1, 2], "s":"x"},"t":true,"f":false,` +
		`"nul":null,"neg":-5,"big":123456789012345678901234567890,"esc":"line\nbreak \"q\" \u00e9"}`
	res, err := v.AuthorizeHTTPAPI(context.Background(), a, signRaw(t, key, []byte(payload)), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"iss":            ti.iss,
		"aud":            "client123",
		"exp":            "1700003600",
		"iat":            "1699999940",
		"cognito:groups": "[admin poweruser]",
		"one":            "[solo]",
		"mixed":          "[a 1 true <nil> 1.5e3]",
		"nested":         "[[1 2] map[a:[3] k:v]]",
		"empty":          "[]",
		"obj":            `{"k":[1,2],"s":"x"}`,
		"t":              "true",
		"f":              "false",
		"neg":            "-5",
		"big":            "123456789012345678901234567890",
		"esc":            "line\nbreak \"q\" é",
	}
	if !reflect.DeepEqual(res.Claims, want) {
		t.Fatalf("claims\n got %q\nwant %q", res.Claims, want)
	}
}

// jwksServer is an OIDC issuer whose JWKS document is padded to an exact
// size, or never answers.
type jwksServer struct {
	srv       *httptest.Server
	iss       string
	jwks      []byte
	hang      bool
	jwksHits  atomic.Int32
	discoHits atomic.Int32
}

func newJWKSServer(t *testing.T, key signingKey, size int, hang bool) *jwksServer {
	t.Helper()
	set := jwk.NewSet()
	if err := set.AddKey(key.pub); err != nil {
		t.Fatal(err)
	}
	keys, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	// {"keys":[...],"pad":"xxx"} of exactly size bytes.
	doc := append(keys[:len(keys)-1], `,"pad":""}`...)
	if size > 0 {
		if size < len(doc) {
			t.Fatalf("size %d below the document's %d", size, len(doc))
		}
		doc = append(keys[:len(keys)-1], `,"pad":"`+strings.Repeat("x", size-len(doc))+`"}`...)
	}
	s := &jwksServer{jwks: doc, hang: hang}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			s.discoHits.Add(1)
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": s.iss, "jwks_uri": s.iss + "/jwks"})
		case "/jwks":
			s.jwksHits.Add(1)
			if s.hang {
				<-r.Context().Done() // never answers; the client gives up
				return
			}
			_, _ = w.Write(s.jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	s.iss = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

func TestHTTPAPIJWKSSizeLimit(t *testing.T) {
	key := newRSAKey(t, "k1")
	for _, tc := range []struct {
		size int
		ok   bool
	}{{HTTPAPIMaxResponseBytes, true}, {HTTPAPIMaxResponseBytes + 1, false}} {
		s := newJWKSServer(t, key, tc.size, false)
		if len(s.jwks) != tc.size {
			t.Fatalf("document of %d bytes, want %d", len(s.jwks), tc.size)
		}
		v := newHTTPAPIVerifier(t, newClock())
		a := mustAuthorizer(t, s.iss, "api://orders")
		_, err := v.AuthorizeHTTPAPI(context.Background(), a, sign(t, key, oidcClaims(s.iss)), nil)
		if tc.ok {
			if err != nil {
				t.Fatalf("JWKS of %d bytes: %v", tc.size, err)
			}
			continue
		}
		he := wantRefusal(t, err, 401, invalidHeader("the signing keys of the issuer are unavailable"))
		if !errors.Is(he, ErrKeysUnavailable) || !errors.Is(he, ErrResponseTooLarge) {
			t.Fatalf("JWKS of %d bytes: %v, want ErrResponseTooLarge", tc.size, err)
		}
	}
}

// TestHTTPAPIFetchTimeout: a JWKS endpoint that never answers is given up
// after the per-request timeout (shortened here; the default is pinned
// below).
func TestHTTPAPIFetchTimeout(t *testing.T) {
	key := newRSAKey(t, "k1")
	s := newJWKSServer(t, key, 0, true)
	c := newClock()
	v, err := newHTTPAPI(Config{Now: c.Now}, 50*time.Millisecond, HTTPAPIMaxResponseBytes)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	a := mustAuthorizer(t, s.iss, "api://orders")
	_, err = v.AuthorizeHTTPAPI(context.Background(), a, sign(t, key, oidcClaims(s.iss)), nil)
	he := wantRefusal(t, err, 401, invalidHeader("the signing keys of the issuer are unavailable"))
	if !errors.Is(he, ErrKeysUnavailable) {
		t.Fatal(err)
	}
	if s.jwksHits.Load() != 1 || s.discoHits.Load() != 1 {
		t.Fatalf("hits: discovery %d, jwks %d", s.discoHits.Load(), s.jwksHits.Load())
	}
}

func TestNewHTTPAPILimits(t *testing.T) {
	base := &http.Client{Timeout: time.Minute}
	v, err := NewHTTPAPI(Config{HTTPClient: base})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.client.Timeout != HTTPAPIRequestTimeout || HTTPAPIRequestTimeout != 1500*time.Millisecond {
		t.Errorf("per-request timeout %s", v.client.Timeout)
	}
	if ct, ok := v.client.Transport.(*cappedTransport); !ok || ct.max != 150000 || ct.base != http.DefaultTransport {
		t.Errorf("transport %#v", v.client.Transport)
	}
	if v.cfg.RefreshInterval != 2*time.Hour || v.cfg.FetchTimeout != 3*time.Second || v.cfg.ClockSkew != 0 {
		t.Errorf("config %+v", v.cfg)
	}
	if base.Timeout != time.Minute || base.Transport != nil {
		t.Error("the caller's client was modified")
	}
}

// TestHTTPAPIKeysCachedTwoHours: keys are reused for two hours, then
// refreshed behind the request that finds them stale.
func TestHTTPAPIKeysCachedTwoHours(t *testing.T) {
	key := newRSAKey(t, "k1")
	ti := newIssuer(t, key)
	c := newClock()
	v := newHTTPAPIVerifier(t, c)
	a := mustAuthorizer(t, ti.iss, "api://orders")
	ctx := context.Background()
	claims := with(oidcClaims(ti.iss), map[string]any{"exp": t0.Add(24 * time.Hour).Unix()})
	tok := sign(t, key, claims)
	for _, d := range []time.Duration{0, time.Hour, time.Hour - time.Second} {
		c.Advance(d)
		if _, err := v.AuthorizeHTTPAPI(ctx, a, tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := ti.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times within two hours", n)
	}
	c.Advance(time.Second)
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return ti.jwksHits.Load() == 2 })
}

func TestNewJWTAuthorizer(t *testing.T) {
	if _, err := NewJWTAuthorizer("https://issuer.example.com/", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		issuer string
		aud    []string
	}{
		{"", []string{"a"}},
		{"ftp://issuer", []string{"a"}},
		{"https://issuer?x=1", []string{"a"}},
		{"https://issuer", []string{""}},
		{"https://issuer", make([]string, 51)},
	} {
		if _, err := NewJWTAuthorizer(tc.issuer, tc.aud); !errors.Is(err, ErrInvalidJWTConfig) {
			t.Errorf("NewJWTAuthorizer(%q, %d audiences) err = %v", tc.issuer, len(tc.aud), err)
		}
	}
	a := mustAuthorizer(t, "https://issuer.example.com", "x")
	if a.Issuer() != "https://issuer.example.com" {
		t.Error("Issuer()")
	}
}

func BenchmarkAuthorizeHTTPAPI(b *testing.B) {
	key := newRSAKey(b, "k1")
	ti := newIssuer(b, key)
	v, err := NewHTTPAPI(Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = v.Close() })
	a := mustAuthorizer(b, ti.iss, "api://orders")
	claims := oidcClaims(ti.iss)
	claims["iat"], claims["nbf"] = time.Now().Unix()-60, time.Now().Unix()-60
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	claims["scope"] = "orders/read orders/write"
	claims["groups"] = []string{"admin", "users"}
	tok := "Bearer " + sign(b, key, claims)
	ctx := context.Background()
	scopes := []string{"orders/read"}
	if _, err := v.AuthorizeHTTPAPI(ctx, a, tok, scopes); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.AuthorizeHTTPAPI(ctx, a, tok, scopes); err != nil {
			b.Fatal(err)
		}
	}
}
