package jwtauth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Limits API Gateway applies to HTTP API JWT authorizers [D: "Amazon API
// Gateway quotas for configuring and running an HTTP API" and "Control
// access to HTTP APIs with JWT authorizers"].
const (
	// HTTPAPIRequestTimeout bounds each of the OIDC discovery and JWKS
	// requests.
	HTTPAPIRequestTimeout = 1500 * time.Millisecond
	// HTTPAPIMaxResponseBytes bounds the JWKS response (and, here, the
	// discovery document too [U]).
	HTTPAPIMaxResponseBytes = 150000
	// HTTPAPIKeyCacheTTL is how long public keys are cached.
	HTTPAPIKeyCacheTTL = 2 * time.Hour
)

// ErrResponseTooLarge is the cause of a fetch whose response body exceeds
// the limit.
var ErrResponseTooLarge = errors.New("jwtauth: response body too large")

// NewHTTPAPI returns a Verifier for HTTP API JWT authorizers
// ([Verifier.AuthorizeHTTPAPI]): cfg with API Gateway's limits — each
// discovery or JWKS request bounded by [HTTPAPIRequestTimeout], response
// bodies by [HTTPAPIMaxResponseBytes], and keys refreshed after
// [HTTPAPIKeyCacheTTL] (cfg.RefreshInterval, when zero). cfg.ClockSkew
// stays as given; API Gateway allows none [L][U], which is the zero value.
// The key cache is the Cognito verifier's (same discovery, refresh,
// unknown-kid refetch and single-flight fetching); keep HTTP API
// authorizers on their own Verifier so that these limits apply to them
// only.
func NewHTTPAPI(cfg Config) (*Verifier, error) {
	return newHTTPAPI(cfg, HTTPAPIRequestTimeout, HTTPAPIMaxResponseBytes)
}

func newHTTPAPI(cfg Config, timeout time.Duration, maxBody int64) (*Verifier, error) {
	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := *base
	c.Timeout = timeout
	c.Transport = &cappedTransport{base: rt, max: maxBody}
	cfg.HTTPClient = &c
	if cfg.RefreshInterval == 0 {
		cfg.RefreshInterval = HTTPAPIKeyCacheTTL
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = 2 * timeout // discovery, then JWKS
	}
	return New(cfg)
}

// cappedTransport fails reading a response body past max bytes.
type cappedTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: Content-Length %d > %d", ErrResponseTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%w: more than the limit", ErrResponseTooLarge)
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
