package rest

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate/internal/vtl"
)

// MappingTemplate is a compiled integration request or response template.
type MappingTemplate interface {
	// Render renders the template for x with body as $input's payload.
	Render(x *Exchange, body []byte) ([]byte, error)
}

// CompileMappingTemplate compiles a VTL mapping template (reference §6).
// API Gateway accepts any template text when an integration is put and
// fails at run time, so a template that does not parse still compiles:
// into one whose every render fails (the method answers 500 Internal
// server error and the stage logs the cause).
var CompileMappingTemplate = func(src string) (MappingTemplate, error) {
	t, err := vtl.Parse("template", src)
	if err != nil {
		return brokenTemplate{fmt.Errorf("mapping template: %w", err)}, nil
	}
	return vtlTemplate{t}, nil
}

// ErrTemplate is wrapped by every mapping template failure.
var ErrTemplate = errors.New("mapping template failed")

type vtlTemplate struct{ t *vtl.Template }

func (v vtlTemplate) Render(x *Exchange, body []byte) ([]byte, error) {
	r := newRender(x, body)
	ctx := x.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	out, err := v.t.AppendRender(ctx, make([]byte, 0, 256+len(body)), r.vars)
	r.release()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return out, nil
}

type brokenTemplate struct{ err error }

func (b brokenTemplate) Render(*Exchange, []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: %w", ErrTemplate, b.err)
}
