package parammap

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every validation and compilation error.
var ErrInvalid = errors.New("invalid parameter mapping")

// ValidationError is a refused mapping. Its Error text is the message of
// the BadRequestException the management API answers with:
// "Invalid mapping expression specified: Validation Result: warnings : [],
// errors : [<Detail>]" [C: the form of AWS's answers to bad
// requestParameters/responseParameters, e.g.
// hashicorp/terraform-provider-aws#17997; U: the texts of the details].
type ValidationError struct {
	// Detail says what is wrong, naming the key or value.
	Detail string
}

func (e *ValidationError) Error() string {
	return "Invalid mapping expression specified: Validation Result: warnings : [], errors : [" + e.Detail + "]"
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(format string, args ...any) error {
	return &ValidationError{Detail: fmt.Sprintf(format, args...)}
}
