package wsapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// Selection is a compiled routeSelectionExpression [D: "WebSocket API
// route selection expressions"]: $request.body.{JSONPath}, static text,
// or text with ${request.body.{JSONPath}} variables in it
// ("${request.body.service}/${request.body.action}" → "chat/join").
type Selection struct {
	parts []selPart
	// static is set when the expression reads nothing of the message.
	static bool
}

// selPart is literal text, or a JSONPath into the message.
type selPart struct {
	lit  string
	path []pathStep // non-nil: a variable
}

// pathStep is one step of a JSONPath: a member name, or an array index
// (index >= 0).
type pathStep struct {
	name  string
	index int
}

const bodyPrefix = "request.body"

// CompileSelection compiles a route selection expression.
func CompileSelection(expr string) (*Selection, error) {
	s := &Selection{}
	if rest, ok := strings.CutPrefix(expr, "$"+bodyPrefix); ok && !strings.Contains(expr, "${") {
		path, err := compilePath(rest)
		if err != nil {
			return nil, fmt.Errorf("route selection expression %q: %w", expr, err)
		}
		s.parts = []selPart{{path: path}}
		return s, nil
	}
	for len(expr) > 0 {
		i := strings.Index(expr, "${")
		if i < 0 {
			s.parts = append(s.parts, selPart{lit: expr})
			break
		}
		if i > 0 {
			s.parts = append(s.parts, selPart{lit: expr[:i]})
		}
		end := strings.IndexByte(expr[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("route selection expression %q: unterminated ${", expr)
		}
		v := expr[i+2 : i+end]
		rest, ok := strings.CutPrefix(v, bodyPrefix)
		if !ok {
			return nil, fmt.Errorf("route selection expression %q: only ${request.body...} variables are supported", expr)
		}
		path, err := compilePath(rest)
		if err != nil {
			return nil, fmt.Errorf("route selection expression %q: %w", expr, err)
		}
		s.parts = append(s.parts, selPart{path: path})
		expr = expr[i+end+1:]
	}
	s.static = true
	for _, p := range s.parts {
		if p.path != nil {
			s.static = false
		}
	}
	return s, nil
}

// compilePath compiles ".a.b[0].c" (what follows request.body); "" is the
// whole body.
func compilePath(p string) ([]pathStep, error) {
	steps := []pathStep{}
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
			n := strings.IndexAny(p, ".[")
			if n < 0 {
				n = len(p)
			}
			if n == 0 {
				return nil, fmt.Errorf("empty member name")
			}
			steps = append(steps, pathStep{name: p[:n], index: -1})
			p = p[n:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated [")
			}
			in := p[1:end]
			if q := len(in); q >= 2 && (in[0] == '\'' && in[q-1] == '\'' || in[0] == '"' && in[q-1] == '"') {
				steps = append(steps, pathStep{name: in[1 : q-1], index: -1})
			} else {
				i, err := strconv.Atoi(in)
				if err != nil || i < 0 {
					return nil, fmt.Errorf("bad index %q", in)
				}
				steps = append(steps, pathStep{index: i})
			}
			p = p[end+1:]
		default:
			return nil, fmt.Errorf("unexpected %q", p)
		}
	}
	return steps, nil
}

var selParsers fastjson.ParserPool

// Eval evaluates the expression on a message. ok is false when the
// message is not JSON and the expression reads it: the message then goes
// to $default [D]. A path the message lacks gives "", an object or array
// its JSON text, a string its value [D].
func (s *Selection) Eval(msg []byte) (key string, ok bool) {
	if s.static {
		var b strings.Builder
		for _, p := range s.parts {
			b.WriteString(p.lit)
		}
		return b.String(), true
	}
	p := selParsers.Get()
	defer selParsers.Put(p)
	v, err := p.ParseBytes(msg)
	if err != nil {
		return "", false
	}
	if len(s.parts) == 1 {
		return text(lookup(v, s.parts[0].path)), true
	}
	var b strings.Builder
	for _, part := range s.parts {
		if part.path == nil {
			b.WriteString(part.lit)
			continue
		}
		b.WriteString(text(lookup(v, part.path)))
	}
	return b.String(), true
}

func lookup(v *fastjson.Value, path []pathStep) *fastjson.Value {
	for _, st := range path {
		if v == nil {
			return nil
		}
		if st.index >= 0 {
			a, err := v.Array()
			if err != nil || st.index >= len(a) {
				return nil
			}
			v = a[st.index]
			continue
		}
		if v.Type() != fastjson.TypeObject {
			return nil
		}
		v = v.Get(st.name)
	}
	return v
}

// text is a selected value as a route key: a string's value, a null or
// missing value "", anything else its JSON text.
func text(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeNull:
		return ""
	}
	return string(v.MarshalTo(nil))
}
