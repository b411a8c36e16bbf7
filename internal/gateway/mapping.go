package gateway

import (
	"bytes"
	"errors"
	"io"
)

// MappingTemplate is a compiled integration request or response template.
// It is the seam where the VTL engine plugs in; until then templates are
// rendered by substitution of $context and $stageVariables references.
type MappingTemplate interface {
	Render(x *Exchange, body []byte) ([]byte, error)
}

// CompileMappingTemplate compiles a mapping template. It is a variable so
// that the VTL engine can replace it.
var CompileMappingTemplate = func(src string) (MappingTemplate, error) {
	return substitution{ParseTemplate(src)}, nil
}

type substitution struct{ t *Template }

func (s substitution) Render(x *Exchange, _ []byte) ([]byte, error) {
	return s.t.Append(nil, x, ""), nil
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
	if n > 0 && n <= MaxBody {
		size = int(n)
	}
	buf := make([]byte, 0, size)
	r := io.LimitReader(x.Req.Body(), MaxBody+1)
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
			return nil, err
		}
	}
	if len(buf) > MaxBody {
		return nil, ErrTooLarge
	}
	return buf, nil
}
