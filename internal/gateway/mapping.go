package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
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
// server error and the handler logs the cause).
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

// BodyReader streams the request body: the cached copy when something in
// the pipeline already read it whole, else the client's stream.
func (x *Exchange) BodyReader() io.Reader {
	if x.bodyRead {
		return bytes.NewReader(x.body)
	}
	return x.Req.Body()
}

// ReadBody reads the whole request body, at most MaxBody bytes; a larger
// body returns ErrTooLarge. Non-proxy integrations need the body whole.
func ReadBody(x *Exchange) ([]byte, error) {
	if x.bodyRead {
		return x.body, nil
	}
	b, err := readBody(x)
	if err == nil {
		x.body, x.bodyRead = b, true
	}
	return b, err
}

func readBody(x *Exchange) ([]byte, error) {
	n := x.Req.ContentLength()
	if n == 0 {
		return nil, nil
	}
	size := 512
	if n > 0 && n <= pipeline.MaxBody {
		size = int(n)
	}
	buf := make([]byte, 0, size)
	r := io.LimitReader(x.Req.Body(), pipeline.MaxBody+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, pipeline.ClientBodyError(err)
		}
	}
	if len(buf) > pipeline.MaxBody {
		return nil, pipeline.ErrTooLarge
	}
	return buf, nil
}
