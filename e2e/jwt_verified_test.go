package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// rotate replaces the issuer's signing key: new tokens carry kid, and the
// JWKS lists only the new key.
func (o *oidcIssuer) rotate(t *testing.T, kid string) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	_ = pub.Set(jwk.KeyIDKey, kid)
	_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.key, o.kid, o.jwks = priv, kid, b
	o.mu.Unlock()
}

// TestJWTVerifiedTokens: tokens a REST Cognito authorizer and an HTTP API
// JWT authorizer (made with the AWS CLI v2) accepted keep being accepted,
// from the gateway's cache of verified tokens, only while they are valid:
// a token is refused once it expires, and a token of a key the issuer
// rotated away is refused once the gateway has fetched the new key set.
func TestJWTVerifiedTokens(t *testing.T) {
	requireAWSCLI(t)
	iss := newOIDCIssuer(t)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", "--cognito-issuer", "us-east-1_E2E="+iss.URL)

	a := dp.newAPI(t, "cognito-cache")
	authID := dp.call(t, "POST", "/restapis/"+a.ID+"/authorizers", map[string]any{
		"name": "pool", "type": "COGNITO_USER_POOLS", "identitySource": "method.request.header.Authorization",
		"providerARNs": []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_E2E"},
	})["id"].(string)
	a.mockWith(t, "/me", "GET", map[string]any{"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authID},
		`{"sub":"$context.authorizer.claims.sub"}`)
	a.deploy(t, "dev")
	rest := func(tok string) result { return dp.do(t, "GET", a.url("dev", "/me"), withToken(tok), nil) }

	c := newCLI(t, dp.Gateway).v2()
	h := dp.newHTTPAPI(t, c, "jwt-cache")
	jwtID := c.obj("create-authorizer", "--api-id", h.ID, "--name", "jwt", "--authorizer-type", "JWT",
		"--identity-source", "$request.header.Authorization", "--jwt-configuration", "Audience=client1,Issuer="+iss.URL)["AuthorizerId"].(string)
	proxy := c.obj("create-integration", "--api-id", h.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "GET",
		"--integration-uri", backend.URL+"/me", "--payload-format-version", "1.0")["IntegrationId"].(string)
	h.route(t, "GET /me", proxy, "--authorization-type", "JWT", "--authorizer-id", jwtID)
	h.autoDeploy(t)
	h.waitFor(t, "/me", nil, 401)
	dp.waitFor(t, a.url("dev", "/me"), 401, `{"message":"Unauthorized"}`)
	httpAPI := func(tok string) result {
		return h.send(t, "GET", "/me", http.Header{"Authorization": {"Bearer " + tok}}, "")
	}
	both := func(what, tok string, status int) {
		t.Helper()
		if r := rest(tok); r.Status != status {
			t.Errorf("REST, %s: %s, want %d", what, r, status)
		}
		if r := httpAPI(tok); r.Status != status {
			t.Errorf("HTTP API, %s: %s, want %d", what, r, status)
		}
	}

	claims := map[string]any{"sub": "u-1", "token_use": "id", "aud": "client1"}
	long := iss.token(t, claims)
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	short := iss.token(t, map[string]any{"sub": "u-1", "token_use": "id", "aud": "client1", "exp": exp.Unix()})
	for range 2 {
		both("a valid token", long, 200)
		both("a token about to expire", short, 200)
	}
	time.Sleep(time.Until(exp) + 100*time.Millisecond)
	both("the token, expired since it was cached", short, 401)
	if r := httpAPI(short); r.Header.Get("Www-Authenticate") != `Bearer scope="" error="invalid_token" error_description="the token has expired"` {
		t.Errorf("HTTP API, expired: www-authenticate %q", r.Header.Get("Www-Authenticate"))
	}

	iss.rotate(t, "k2")
	both("a token of the new key", iss.token(t, claims), 200) // each verifier fetches the new set
	both("a cached token of the removed key", long, 401)
	checkGatewayLog(t, dp.Gateway)
}
