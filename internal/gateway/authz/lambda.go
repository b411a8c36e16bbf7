package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// AuthorizerTimeout bounds one authorizer invocation: API Gateway's
// integration limit, 29 s [U: AWS does not document a separate one; the
// function's own timeout normally ends it sooner].
const AuthorizerTimeout = 29 * time.Second

// ErrFunction is wrapped by InvokeAuthorizer's error for a function that
// failed other than with "Unauthorized".
var ErrFunction = errors.New("authorizer function failed")

// InvokeAuthorizer runs a Lambda authorizer, function fn, with event,
// within AuthorizerTimeout, and returns the function's output. A function
// that fails with the message "Unauthorized" denies the caller: a 401
// (UNAUTHORIZED) Failure. Any other failure — no invoker, an invocation
// error, another function error (ErrFunction) — is the authorizer's
// misconfiguration, which each API type answers its own way.
func InvokeAuthorizer(ctx context.Context, inv invoker.Lambda, fn string, event []byte) ([]byte, error) {
	if inv == nil {
		return nil, errors.New("no Lambda invoker configured")
	}
	ctx, cancel := context.WithTimeout(ctx, AuthorizerTimeout)
	defer cancel()
	res, err := inv.Invoke(ctx, fn, event)
	if err != nil {
		return nil, err
	}
	if res.FunctionError != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		if fe.ErrorMessage == "Unauthorized" {
			return nil, pipeline.Fail(pipeline.Unauthorized, nil)
		}
		return nil, fmt.Errorf("%w: %s", ErrFunction, truncate(fe.ErrorMessage))
	}
	return res.Payload, nil
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
