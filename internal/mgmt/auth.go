package mgmt

import (
	"errors"
	"net/http"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// SigV4 authenticates management calls with AWS Signature Version 4.
type SigV4 struct {
	Verifier *sigv4.Verifier
}

// Authenticate implements Authenticator: every failure is a 403 with the
// verifier's AWS error type and message.
func (s SigV4) Authenticate(r *http.Request, body []byte, service string) error {
	_, err := s.Verifier.Verify(r, body, service)
	if err == nil {
		return nil
	}
	var e *sigv4.Error
	if errors.As(err, &e) {
		return awserr.New(http.StatusForbidden, e.Code, e.Message)
	}
	return err
}
