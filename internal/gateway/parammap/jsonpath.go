package parammap

import (
	"errors"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// MaxBodyForPath is how much of a body a JSONPath reads: API Gateway cuts
// the body at 100 KB before applying the expression [D] (so a longer JSON
// body no longer parses and every path into it is absent).
const MaxBodyForPath = 100 * 1024

type stepKind uint8

const (
	stepChild stepKind = iota // .name or ['name']
	stepIndex                 // [n], negative from the end
	stepWild                  // .* or [*]
)

type step struct {
	kind stepKind
	name string
	idx  int
}

// jsonPath is a compiled JSONPath without its leading "$": the subset API
// Gateway allows in parameter mapping — child names, indexes and
// wildcards; recursive descent ("..") and filters ("?(...)") are refused
// [D].
type jsonPath struct {
	steps    []step
	definite bool // no wildcard: selects at most one value
}

var errPath = errors.New("invalid JSONPath")

func parseJSONPath(s string) (*jsonPath, error) {
	if s == "" || strings.Contains(s, "..") || strings.Contains(s, "?(") {
		return nil, errPath
	}
	p := &jsonPath{definite: true}
	for i := 0; i < len(s); {
		if s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, errPath
			}
			st, err := bracketStep(s[i+1 : i+end])
			if err != nil {
				return nil, err
			}
			p.add(st)
			i += end + 1
			continue
		}
		if s[i] == '.' {
			i++
		} else if i > 0 {
			return nil, errPath
		}
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		name := s[i:j]
		switch {
		case name == "" || strings.ContainsAny(name, "]'\""):
			return nil, errPath
		case name == "*":
			p.add(step{kind: stepWild})
		default:
			p.add(step{kind: stepChild, name: name})
		}
		i = j
	}
	return p, nil
}

func (p *jsonPath) add(st step) {
	p.steps = append(p.steps, st)
	if st.kind == stepWild {
		p.definite = false
	}
}

// bracketStep parses the inside of "[...]": *, an index, or a quoted name.
func bracketStep(in string) (step, error) {
	switch {
	case in == "*":
		return step{kind: stepWild}, nil
	case len(in) >= 2 && (in[0] == '\'' && in[len(in)-1] == '\'' || in[0] == '"' && in[len(in)-1] == '"'):
		return step{kind: stepChild, name: in[1 : len(in)-1]}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(in))
	if err != nil {
		return step{}, errPath
	}
	return step{kind: stepIndex, idx: n}, nil
}

// evalString evaluates the path in doc and stringifies the result: a
// string's contents, other values as compact JSON; a path with wildcards
// yields the JSON array of its matches. An absent or null result is absent.
func (p *jsonPath) evalString(doc *fastjson.Value) (string, bool) {
	if p.definite {
		v := doc
		for _, st := range p.steps {
			if v = apply(v, st); v == nil {
				return "", false
			}
		}
		return stringify(v)
	}
	matches := walk(doc, p.steps, nil)
	if len(matches) == 0 {
		return "", false
	}
	b := []byte{'['}
	for i, m := range matches {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.MarshalTo(b)
	}
	return string(append(b, ']')), true
}

func stringify(v *fastjson.Value) (string, bool) {
	switch v.Type() {
	case fastjson.TypeNull:
		return "", false
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), true
	}
	return string(v.MarshalTo(nil)), true
}

func apply(v *fastjson.Value, st step) *fastjson.Value {
	switch st.kind {
	case stepChild:
		if v.Type() == fastjson.TypeObject {
			return v.GetObject().Get(st.name)
		}
	case stepIndex:
		if v.Type() == fastjson.TypeArray {
			a, _ := v.Array()
			i := st.idx
			if i < 0 {
				i += len(a)
			}
			if i >= 0 && i < len(a) {
				return a[i]
			}
		}
	}
	return nil
}

func walk(v *fastjson.Value, steps []step, out []*fastjson.Value) []*fastjson.Value {
	if len(steps) == 0 {
		return append(out, v)
	}
	st, rest := steps[0], steps[1:]
	if st.kind != stepWild {
		if c := apply(v, st); c != nil {
			out = walk(c, rest, out)
		}
		return out
	}
	switch v.Type() {
	case fastjson.TypeObject:
		v.GetObject().Visit(func(_ []byte, c *fastjson.Value) { out = walk(c, rest, out) })
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, c := range a {
			out = walk(c, rest, out)
		}
	}
	return out
}

// evalState holds the bodies parsed during one evaluation, each at most
// once.
type evalState struct {
	parsed [2]bool
	docs   [2]*fastjson.Value
	ps     [2]*fastjson.Parser
}

var parsers fastjson.ParserPool

func (st *evalState) doc(r Resolver, src Source) *fastjson.Value {
	i := 0
	if src == SrcResponseBody {
		i = 1
	}
	if st.parsed[i] {
		return st.docs[i]
	}
	st.parsed[i] = true
	body := r.Body(src)
	if len(body) > MaxBodyForPath {
		body = body[:MaxBodyForPath]
	}
	if len(body) == 0 {
		return nil
	}
	p := parsers.Get()
	st.ps[i] = p
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil
	}
	st.docs[i] = v
	return v
}

func (st *evalState) release() {
	for i, p := range st.ps {
		if p != nil {
			parsers.Put(p)
			st.ps[i] = nil
		}
	}
}
