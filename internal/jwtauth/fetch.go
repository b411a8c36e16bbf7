package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// maxFetchBody bounds discovery and JWKS response bodies.
const maxFetchBody = 1 << 20

// errNotFound marks a 404 answer.
var errNotFound = errors.New("404 Not Found")

// loadKeys fetches and indexes issuer's JWKS. jwksURI is the previously
// discovered JWKS location ("" to discover again); the location used is
// returned alongside the key set.
func (v *Verifier) loadKeys(ctx context.Context, issuer, jwksURI string) (*keyset, string, error) {
	if jwksURI == "" {
		u, err := v.discover(ctx, issuer)
		if err != nil {
			return nil, "", err
		}
		jwksURI = u
	}
	body, err := v.get(ctx, jwksURI)
	if err != nil {
		return nil, "", fmt.Errorf("JWKS %s: %w", jwksURI, err)
	}
	set, err := jwk.Parse(body, jwk.WithStrictKeySetParsing(false))
	if err != nil {
		return nil, "", fmt.Errorf("JWKS %s: %w", jwksURI, err)
	}
	ks, err := newKeyset(set)
	if err != nil {
		return nil, "", fmt.Errorf("JWKS %s: %w", jwksURI, err)
	}
	return ks, jwksURI, nil
}

// discover reads {issuer}/.well-known/openid-configuration and returns its
// jwks_uri. When discovery answers 404 it falls back to
// {issuer}/.well-known/jwks.json, the path Cognito user pools serve.
// [U] The discovery document's "issuer" member is not compared with the
// issuer: local emulators often advertise a different host name.
func (v *Verifier) discover(ctx context.Context, issuer string) (string, error) {
	base := strings.TrimSuffix(issuer, "/")
	body, err := v.get(ctx, base+"/.well-known/openid-configuration")
	if errors.Is(err, errNotFound) {
		return base + "/.well-known/jwks.json", nil
	}
	if err != nil {
		return "", fmt.Errorf("OIDC discovery for %s: %w", issuer, err)
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("OIDC discovery for %s: %w", issuer, err)
	}
	u, err := url.Parse(doc.JWKSURI)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("OIDC discovery for %s: invalid jwks_uri %q", issuer, clip(doc.JWKSURI, 200))
	}
	return doc.JWKSURI, nil
}

// get fetches u and returns its body; any status but 200 is an error
// (errNotFound for 404).
func (v *Verifier) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNotFound
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("unexpected status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxFetchBody {
		return nil, fmt.Errorf("response larger than %d bytes", maxFetchBody)
	}
	return body, nil
}
