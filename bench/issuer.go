package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// benchPool is the user pool id the tollgate-jwt-auth target's authorizer
// names; --cognito-issuer maps it to the harness's own issuer.
const benchPool = "us-east-1_BENCH"

// issuer is a local OIDC issuer (discovery + JWKS) with one RS256 ID token
// valid for the whole run.
type issuer struct {
	url, token string
}

var (
	issuerOnce sync.Once
	theIssuer  *issuer
	issuerErr  error
)

// startIssuer starts the harness's issuer on loopback (once).
func startIssuer() (*issuer, error) {
	issuerOnce.Do(func() { theIssuer, issuerErr = newIssuer() })
	return theIssuer, issuerErr
}

func newIssuer() (*issuer, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, err := jwk.Import(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := pub.Set(jwk.KeyIDKey, "bench"); err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		return nil, err
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	is := &issuer{url: "http://" + ln.Addr().String() + "/" + benchPool}
	mux := http.NewServeMux()
	mux.HandleFunc("/"+benchPool+"/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.url, "jwks_uri": is.url + "/.well-known/jwks.json"})
	})
	mux.HandleFunc("/"+benchPool+"/.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(jwks)
	})
	go func() { _ = http.Serve(ln, mux) }()

	now := time.Now()
	payload, err := json.Marshal(map[string]any{
		"iss": is.url, "sub": "bench-user", "aud": "bench-client", "token_use": "id",
		"email": "bench@example.com", "iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix(),
	})
	if err != nil {
		return nil, err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, "bench"); err != nil {
		return nil, err
	}
	tok, err := jws.Sign(payload, jws.WithKey(jwa.RS256(), priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return nil, err
	}
	is.token = string(tok)
	return is, nil
}
