package mgmt

import (
	"crypto/sha256"
	"errors"
	"net/http"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// Authenticator verifies a request's signature for a service, in two steps
// so that a request its headers already condemn is refused before its body
// is read. Errors are *awserr.Error values (or errors that map to one).
type Authenticator interface {
	// Begin checks everything that does not depend on the body and returns
	// the check that completes authentication once the body is read.
	Begin(r *http.Request, service string) (BodyCheck, error)
}

// BodyCheck completes authentication with the SHA-256 of the request body
// and returns the verified caller.
type BodyCheck func(bodySHA256 [sha256.Size]byte) (sigv4.Identity, error)

// SigV4 authenticates management calls with AWS Signature Version 4.
type SigV4 struct {
	Verifier *sigv4.Verifier
}

// Begin implements Authenticator: every failure is a 403 with the
// verifier's AWS error type and message.
func (s SigV4) Begin(r *http.Request, service string) (BodyCheck, error) {
	p, err := s.Verifier.Begin(r, service)
	if err != nil {
		return nil, forbidden(err)
	}
	return func(sum [sha256.Size]byte) (sigv4.Identity, error) {
		id, err := p.Finish(sum)
		return id, forbidden(err)
	}, nil
}

// forbidden gives a verification failure its 403.
func forbidden(err error) error {
	var e *sigv4.Error
	if errors.As(err, &e) {
		return awserr.New(http.StatusForbidden, e.Code, e.Message)
	}
	return err
}
