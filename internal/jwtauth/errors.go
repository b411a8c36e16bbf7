package jwtauth

import (
	"errors"
	"fmt"
)

// ErrUnauthorized is wrapped by every error returned from
// [Verifier.Authorize]. API Gateway answers all of them with 401
// {"message":"Unauthorized"}.
var ErrUnauthorized = errors.New("jwtauth: unauthorized")

// ErrKeysUnavailable is wrapped (together with [ErrUnauthorized]) when the
// issuer's signing keys could not be obtained: discovery or JWKS fetch failed,
// or the JWKS held no usable signature verification key.
var ErrKeysUnavailable = errors.New("jwtauth: signing keys unavailable")

// ErrInvalidProvider is wrapped by [IssuerForProvider] errors.
var ErrInvalidProvider = errors.New("jwtauth: invalid provider")

// unauthorized builds an error wrapping ErrUnauthorized with a log-friendly
// reason and, when non-nil, the underlying cause.
func unauthorized(reason string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s", ErrUnauthorized, reason)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnauthorized, reason, cause)
}

// clip shortens attacker-controlled strings before they go into error texts.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
