package cors

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error of [Validate]; its text is the
// message of the BadRequestException the management API answers with.
var ErrInvalid = errors.New("invalid CORS configuration")

// MaxAgeLimit is the largest maxAge; -1 is the smallest [M].
const MaxAgeLimit = 86400

// maxItemLen bounds allowMethods entries (and, by the same shape, the other
// lists) [M: 1–64 characters].
const maxItemLen = 64

// validationError carries AWS's message verbatim.
type validationError struct{ msg string }

func (e *validationError) Error() string { return e.msg }
func (e *validationError) Unwrap() error { return ErrInvalid }

func invalid(format string, args ...any) error {
	return &validationError{fmt.Sprintf(format, args...)}
}

// Validate checks a corsConfiguration as CreateApi/UpdateApi do. The
// error's text is the BadRequestException message:
//
//   - allowCredentials with allowOrigins "*": "allow-credentials is not
//     supported if 'allow-origin' is *" [C: aws/aws-cdk#9076];
//   - maxAge outside -1..86400 [M; U: message text];
//   - an empty entry, or an allowMethods entry longer than 64 characters
//     [M; U: message text].
func Validate(c Config) error {
	if c.AllowCredentials {
		for _, o := range c.AllowOrigins {
			if o == "*" {
				return invalid("allow-credentials is not supported if 'allow-origin' is *")
			}
		}
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > MaxAgeLimit) {
		return invalid("Invalid maxAge %d: the value must be between -1 and %d", *c.MaxAge, MaxAgeLimit)
	}
	for _, l := range []struct {
		name  string
		items []string
	}{
		{"allowOrigins", c.AllowOrigins}, {"allowMethods", c.AllowMethods},
		{"allowHeaders", c.AllowHeaders}, {"exposeHeaders", c.ExposeHeaders},
	} {
		for _, it := range l.items {
			if it == "" {
				return invalid("Invalid %s: entries must not be empty", l.name)
			}
			if l.name == "allowMethods" && len(it) > maxItemLen {
				return invalid("Invalid allowMethods: %q is longer than %d characters", it, maxItemLen)
			}
		}
	}
	return nil
}
