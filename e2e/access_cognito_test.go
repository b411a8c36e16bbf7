package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// oidcIssuer is a local OIDC issuer standing in for a Cognito user pool:
// discovery, JWKS and real RS256 tokens.
type oidcIssuer struct {
	URL string

	mu   sync.Mutex // guards key, kid and jwks (see rotate)
	key  *rsa.PrivateKey
	kid  string
	jwks []byte
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_ = pub.Set(jwk.KeyIDKey, "k1")
	_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	o := &oidcIssuer{key: priv, kid: "k1"}
	if o.jwks, err = json.Marshal(set); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o.URL = srv.URL + "/us-east-1_E2E"
	mux.HandleFunc("/us-east-1_E2E/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": o.URL, "jwks_uri": o.URL + "/.well-known/jwks.json"})
	})
	mux.HandleFunc("/us-east-1_E2E/.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		o.mu.Lock()
		jwks := o.jwks
		o.mu.Unlock()
		_, _ = w.Write(jwks)
	})
	return o
}

// token signs claims (iss, iat and exp added unless given).
func (o *oidcIssuer) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	now := time.Now().Unix()
	full := map[string]any{"iss": o.URL, "iat": now, "exp": now + 3600}
	for k, v := range claims {
		full[k] = v
	}
	payload, _ := json.Marshal(full)
	o.mu.Lock()
	key, kid := o.key, o.kid
	o.mu.Unlock()
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.KeyIDKey, kid)
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestAccessCognitoAuthorizer checks COGNITO_USER_POOLS authorizers
// against a local issuer: ID tokens, access tokens with scopes, claims in
// $context.authorizer.claims and the Lambda proxy event, and the 401s.
func TestAccessCognitoAuthorizer(t *testing.T) {
	iss := newOIDCIssuer(t)
	flags := append([]string{"--cognito-issuer", "us-east-1_E2E=" + iss.URL}, functionFlag(t, "echo", "echo")...)
	dp := startDataPlane(t, "", flags...)
	a := dp.newAPI(t, "cognito")
	out := dp.call(t, "POST", "/restapis/"+a.ID+"/authorizers", map[string]any{
		"name": "pool", "type": "COGNITO_USER_POOLS", "identitySource": "method.request.header.Authorization",
		"providerARNs": []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_E2E"},
	})
	authID := out["id"].(string)
	a.mockWith(t, "/me", "GET", map[string]any{"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authID},
		`{"sub":"$context.authorizer.claims.sub","email":"$context.authorizer.claims.email"}`)
	a.mockWith(t, "/orders", "GET", map[string]any{"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authID,
		"authorizationScopes": []string{"orders/read"}}, `{"scope":"$context.authorizer.claims.scope"}`)
	a.lambdaProxy(t, "/echo", "GET", "echo", nil)
	dp.call(t, "PATCH", a.methodPath(t, "/echo", "GET"), map[string]any{"patchOperations": []map[string]any{
		replaceOp("/authorizationType", "COGNITO_USER_POOLS"), replaceOp("/authorizerId", authID),
	}})
	a.deploy(t, "dev")
	me := a.url("dev", "/me")
	dp.waitFor(t, me, 401, `{"message":"Unauthorized"}`)

	id := iss.token(t, map[string]any{"sub": "u-1", "email": "a@example.com", "token_use": "id", "aud": "client1"})
	expect(t, "an ID token", dp.do(t, "GET", me, withToken(id), nil), 200, `{"sub":"u-1","email":"a@example.com"}`)
	expired := iss.token(t, map[string]any{"sub": "u-1", "token_use": "id", "exp": time.Now().Add(-time.Hour).Unix()})
	for name, tok := range map[string]string{
		"no token":        "",
		"garbage":         "not-a-jwt",
		"expired":         expired,
		"an access token": iss.token(t, map[string]any{"sub": "u-1", "token_use": "access", "scope": "orders/read"}),
	} {
		r := dp.do(t, "GET", me, withToken(tok), nil)
		expect(t, name, r, 401, `{"message":"Unauthorized"}`)
		if r.Header.Get("x-amzn-ErrorType") != "UnauthorizedException" {
			t.Errorf("%s: x-amzn-ErrorType %q", name, r.Header.Get("x-amzn-ErrorType"))
		}
	}

	orders := a.url("dev", "/orders")
	access := iss.token(t, map[string]any{"sub": "u-1", "token_use": "access", "scope": "openid orders/read"})
	expect(t, "an access token with the scope", dp.do(t, "GET", orders, withToken(access), nil), 200, `{"scope":"openid orders/read"}`)
	noScope := iss.token(t, map[string]any{"sub": "u-1", "token_use": "access", "scope": "openid"})
	expect(t, "an access token without the scope", dp.do(t, "GET", orders, withToken(noScope), nil), 401, `{"message":"Unauthorized"}`)
	expect(t, "an ID token where scopes are required", dp.do(t, "GET", orders, withToken(id), nil), 401, `{"message":"Unauthorized"}`)

	r := dp.do(t, "GET", a.url("dev", "/echo"), withToken(id), nil)
	if r.Status != 200 {
		t.Fatalf("echo: %s", r)
	}
	ev := decodeBody(t, r)
	claims, _ := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"].(map[string]any)
	if claims["email"] != "a@example.com" || claims["token_use"] != "id" {
		t.Errorf("requestContext.authorizer.claims = %v", claims)
	}
	if _, ok := claims["exp"].(string); !ok {
		t.Errorf("claims must be strings (exp): %v", claims["exp"])
	}
}
