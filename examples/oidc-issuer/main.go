// oidc-issuer is a development OpenID Connect issuer for trying JWT
// authorizers locally: it serves discovery
// ({issuer}/.well-known/openid-configuration) and its signing keys (JWKS),
// and signs an RS256 access token for whoever asks GET /token. Never use it
// for anything but local development: it issues any token it is asked for.
//
//	oidc-issuer --addr 127.0.0.1:9000
//	curl "http://127.0.0.1:9000/token?aud=my-app&scope=pets/write&sub=ada"
//
// Query parameters of /token: aud (audience; also sent as client_id), scope
// (space-separated), sub (default "dev-user"), ttl (a Go duration, default
// 1h). The key is made at start-up: tokens do not survive a restart.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	issuerURL := flag.String("issuer", "", "issuer URL (default http://{addr})")
	flag.Parse()
	if *issuerURL == "" {
		*issuerURL = "http://" + *addr
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	jwks, err := keySet(key)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": *issuerURL, "jwks_uri": *issuerURL + "/.well-known/jwks.json",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	})
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ttl := time.Hour
		if s := q.Get("ttl"); s != "" {
			if ttl, err = time.ParseDuration(s); err != nil {
				http.Error(w, "bad ttl: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		sub := q.Get("sub")
		if sub == "" {
			sub = "dev-user"
		}
		now := time.Now()
		claims := map[string]any{"iss": *issuerURL, "sub": sub, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "token_use": "access"}
		if aud := q.Get("aud"); aud != "" {
			claims["aud"], claims["client_id"] = aud, aud
		}
		if scope := q.Get("scope"); scope != "" {
			claims["scope"] = scope
		}
		tok, err := sign(key, claims)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(tok)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("development OIDC issuer %s (signs any token asked for at %s/token; local use only)\n", *issuerURL, "http://"+ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// keySet is the JWKS publishing key's public half under kid "dev".
func keySet(key *rsa.PrivateKey) ([]byte, error) {
	pub, err := jwk.Import(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := pub.Set(jwk.KeyIDKey, "dev"); err != nil {
		return nil, err
	}
	if err := pub.Set(jwk.AlgorithmKey, jwa.RS256()); err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		return nil, err
	}
	return json.Marshal(set)
}

// sign makes an RS256 JWT of claims.
func sign(key *rsa.PrivateKey, claims map[string]any) ([]byte, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, "dev"); err != nil {
		return nil, err
	}
	return jws.Sign(payload, jws.WithKey(jwa.RS256(), key, jws.WithProtectedHeaders(hdr)))
}
