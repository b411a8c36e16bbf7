package jwtauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the fake clock's start: 2023-11-14T22:13:20Z.
var t0 = time.Unix(1700000000, 0)

// fakeClock is an injectable, manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// signingKey is a private key of the test issuer with its public JWK.
type signingKey struct {
	kid  string
	alg  jwa.SignatureAlgorithm
	priv any
	pub  jwk.Key
}

var (
	rsaOnce  sync.Once
	rsaPool  []*rsa.PrivateKey
	rsaIndex atomic.Int32
)

// newRSAKey returns an RSA-2048 signing key. Keys come from a small pool
// generated once so the suite stays fast.
func newRSAKey(t testing.TB, kid string) signingKey {
	t.Helper()
	rsaOnce.Do(func() {
		for range 6 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaPool = append(rsaPool, k)
		}
	})
	priv := rsaPool[int(rsaIndex.Add(1))%len(rsaPool)]
	return makeKey(t, kid, jwa.RS256(), priv, &priv.PublicKey)
}

func newECKey(t testing.TB, kid string) signingKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return makeKey(t, kid, jwa.ES256(), priv, &priv.PublicKey)
}

func makeKey(t testing.TB, kid string, alg jwa.SignatureAlgorithm, priv, pub any) signingKey {
	t.Helper()
	k, err := jwk.Import(pub)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{jwk.KeyIDKey: kid, jwk.KeyUsageKey: "sig"} {
		if err := k.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	return signingKey{kid: kid, alg: alg, priv: priv, pub: k}
}

// testIssuer is a local OIDC issuer: discovery, JWKS, and token signing.
type testIssuer struct {
	t   testing.TB
	srv *httptest.Server
	iss string

	mu        sync.Mutex
	published []signingKey // keys in the JWKS
	noDisco   bool         // discovery answers 404 (Cognito-style JWKS path)
	jwksFail  bool         // JWKS answers 500
	jwksDelay time.Duration

	discoHits atomic.Int32
	jwksHits  atomic.Int32
}

// newIssuer starts an issuer at {server}/us-east-1_Test publishing keys.
func newIssuer(t testing.TB, keys ...signingKey) *testIssuer {
	t.Helper()
	ti := &testIssuer{t: t, published: keys}
	ti.srv = httptest.NewServer(http.HandlerFunc(ti.serve))
	ti.iss = ti.srv.URL + "/us-east-1_Test"
	t.Cleanup(ti.srv.Close)
	return ti
}

func (ti *testIssuer) serve(w http.ResponseWriter, r *http.Request) {
	ti.mu.Lock()
	noDisco, fail, delay := ti.noDisco, ti.jwksFail, ti.jwksDelay
	keys := append([]signingKey(nil), ti.published...)
	ti.mu.Unlock()

	switch r.URL.Path {
	case "/us-east-1_Test/.well-known/openid-configuration":
		ti.discoHits.Add(1)
		if noDisco {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"issuer":   ti.iss,
			"jwks_uri": ti.iss + "/keys",
		})
	case "/us-east-1_Test/keys", "/us-east-1_Test/.well-known/jwks.json":
		if (r.URL.Path == "/us-east-1_Test/keys") == noDisco {
			http.NotFound(w, r)
			return
		}
		ti.jwksHits.Add(1)
		if delay > 0 {
			time.Sleep(delay)
		}
		if fail {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		set := jwk.NewSet()
		for _, k := range keys {
			if err := set.AddKey(k.pub); err != nil {
				ti.t.Error(err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	default:
		http.NotFound(w, r)
	}
}

func (ti *testIssuer) publish(keys ...signingKey) {
	ti.mu.Lock()
	ti.published = keys
	ti.mu.Unlock()
}

func (ti *testIssuer) set(f func(ti *testIssuer)) {
	ti.mu.Lock()
	f(ti)
	ti.mu.Unlock()
}

// sign signs claims (JSON-marshalled) with key.
func sign(t testing.TB, key signingKey, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return signRaw(t, key, payload)
}

// signRaw signs an exact payload text with key.
func signRaw(t testing.TB, key signingKey, payload []byte) string {
	t.Helper()
	hdr := jws.NewHeaders()
	if key.kid != "" {
		if err := hdr.Set(jws.KeyIDKey, key.kid); err != nil {
			t.Fatal(err)
		}
	}
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		t.Fatal(err)
	}
	out, err := jws.Sign(payload, jws.WithKey(key.alg, key.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// idClaims are Cognito-like ID token claims valid at t0 for one hour.
func idClaims(iss string) map[string]any {
	return map[string]any{
		"iss":              iss,
		"sub":              "5f1c9d2e-0000-4000-8000-000000000001",
		"aud":              "client123",
		"token_use":        "id",
		"auth_time":        t0.Unix() - 60,
		"iat":              t0.Unix() - 60,
		"exp":              t0.Unix() + 3600,
		"email":            "user@example.com",
		"email_verified":   true,
		"cognito:username": "user",
		"cognito:groups":   []string{"admin", "users"},
	}
}

// accessClaims are Cognito-like access token claims (no aud).
func accessClaims(iss, scope string) map[string]any {
	return map[string]any{
		"iss":       iss,
		"sub":       "5f1c9d2e-0000-4000-8000-000000000001",
		"client_id": "client123",
		"token_use": "access",
		"scope":     scope,
		"auth_time": t0.Unix() - 60,
		"iat":       t0.Unix() - 60,
		"exp":       t0.Unix() + 3600,
		"username":  "user",
	}
}

// with returns a copy of claims with changes applied (nil deletes).
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// newVerifier returns a verifier on clock c, closed at test end.
func newVerifier(t testing.TB, c *fakeClock, mod func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{Now: c.Now}
	if mod != nil {
		mod(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// signature returns a token's signature segment, for "never logged" checks.
func signature(tok string) string {
	return tok[strings.LastIndexByte(tok, '.')+1:]
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
