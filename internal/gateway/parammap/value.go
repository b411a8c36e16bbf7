package parammap

import (
	"strings"
)

// Source is where part of a value comes from.
type Source uint8

// Sources. Bodies are read with [Resolver.Body], everything else with
// [Resolver.Lookup].
const (
	// SrcRequestHeader: $request.header.{name}, case-insensitive, several
	// values joined with ",".
	SrcRequestHeader Source = iota + 1
	// SrcRequestQuery: $request.querystring.{name}, case-sensitive,
	// decoded, several values joined with ",".
	SrcRequestQuery
	// SrcRequestPath: $request.path, the request path without the stage.
	SrcRequestPath
	// SrcRequestPathParam: $request.path.{name}.
	SrcRequestPathParam
	// SrcContext: $context.{name} ("requestId", "authorizer.claims.sub").
	SrcContext
	// SrcStageVariable: $stageVariables.{name}.
	SrcStageVariable
	// SrcResponseHeader: $response.header.{name}.
	SrcResponseHeader
	// SrcRequestBody and SrcResponseBody: the bodies, for [Resolver.Body].
	SrcRequestBody
	SrcResponseBody
)

// Side says which sources a value may use.
type Side uint8

// Sides.
const (
	// ForRequest: $request.*, $context.*, $stageVariables.* and static text.
	ForRequest Side = iota
	// ForResponse: $response.*, $context.*, $stageVariables.* and static
	// text [D: the response mapping values].
	ForResponse
)

// Resolver gives the values a mapping reads. The pipeline implements it
// over its request (and response).
type Resolver interface {
	// Lookup returns a named value (see the Source constants); ok is false
	// when it is absent. name is "" for SrcRequestPath.
	Lookup(src Source, name string) (value string, ok bool)
	// Body returns the request (SrcRequestBody) or response
	// (SrcResponseBody) body; nil when there is none.
	Body(src Source) []byte
}

// part is a piece of a value: literal text or one reference.
type part struct {
	lit  string
	src  Source // 0: literal
	name string
	// whole is set for $request.body / $response.body (the whole body);
	// path for a JSONPath into it.
	whole bool
	path  *jsonPath
}

// Value is a compiled mapping value. Immutable; safe for concurrent use.
type Value struct {
	text  string
	parts []part
	// single: the value is exactly one reference; it is absent when the
	// reference is.
	single bool
}

// String returns the value's source text.
func (v *Value) String() string { return v.text }

// Ref returns the source and name of a value that is exactly one plain
// reference ("$request.header.Authorization": SrcRequestHeader,
// "Authorization"), for callers that read that one value their own way;
// ok is false for literals, mixed text and body references.
func (v *Value) Ref() (src Source, name string, ok bool) {
	if !v.single { // one part, a reference
		return 0, "", false
	}
	p := &v.parts[0]
	if p.whole || p.path != nil {
		return 0, "", false
	}
	return p.src, p.name, true
}

// CompileValue compiles a mapping value for side. Errors are
// [*ValidationError]s naming the value.
func CompileValue(s string, side Side) (*Value, error) {
	v := &Value{text: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			v.parts = append(v.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			lit.WriteByte(c)
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, invalid("Invalid mapping expression specified: %s", s)
			}
			p, ok := parseRef(s[i+2:i+2+end], side)
			if !ok {
				return nil, invalid("Invalid mapping expression specified: %s", s)
			}
			flush()
			v.parts = append(v.parts, p)
			i += 2 + end + 1
			continue
		}
		if !hasRefPrefix(s[i+1:]) {
			lit.WriteByte(c) // a "$" that starts no reference is text
			i++
			continue
		}
		j := i + 1
		for j < len(s) && refChar(s[j]) {
			j++
		}
		for j > i+1 && s[j-1] == '.' { // a sentence's full stop is text
			j--
		}
		p, ok := parseRef(s[i+1:j], side)
		if !ok {
			return nil, invalid("Invalid mapping expression specified: %s", s)
		}
		flush()
		v.parts = append(v.parts, p)
		i = j
	}
	flush()
	v.single = len(v.parts) == 1 && v.parts[0].src != 0
	return v, nil
}

var refPrefixes = [...]string{"request.", "response.", "context.", "stageVariables."}

func hasRefPrefix(s string) bool {
	for _, p := range refPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// refChar: characters an unbraced reference may contain.
func refChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '[' || c == ']' || c == '*'
}

// parseRef parses a reference without "$" or braces.
func parseRef(r string, side Side) (part, bool) {
	req, resp := side == ForRequest, side == ForResponse
	switch {
	case req && strings.HasPrefix(r, "request.header."):
		name := r[len("request.header."):]
		return part{src: SrcRequestHeader, name: name}, validHeaderName(name)
	case req && strings.HasPrefix(r, "request.querystring."):
		name := r[len("request.querystring."):]
		return part{src: SrcRequestQuery, name: name}, name != ""
	case req && r == "request.path":
		return part{src: SrcRequestPath}, true
	case req && strings.HasPrefix(r, "request.path."):
		name := r[len("request.path."):]
		return part{src: SrcRequestPathParam, name: name}, validName(name, "_-.")
	case req && (r == "request.body" || strings.HasPrefix(r, "request.body.") || strings.HasPrefix(r, "request.body[")):
		return bodyRef(SrcRequestBody, r[len("request.body"):])
	case resp && strings.HasPrefix(r, "response.header."):
		name := r[len("response.header."):]
		return part{src: SrcResponseHeader, name: name}, validHeaderName(name)
	case resp && (r == "response.body" || strings.HasPrefix(r, "response.body.") || strings.HasPrefix(r, "response.body[")):
		return bodyRef(SrcResponseBody, r[len("response.body"):])
	case strings.HasPrefix(r, "context."):
		// Context variable names take only "." and "_" besides letters
		// and digits [D].
		name := r[len("context."):]
		return part{src: SrcContext, name: name}, validName(name, "._") && name[0] != '.' && name[len(name)-1] != '.'
	case strings.HasPrefix(r, "stageVariables."):
		name := r[len("stageVariables."):]
		return part{src: SrcStageVariable, name: name}, validName(name, "_")
	}
	return part{}, false
}

func bodyRef(src Source, rest string) (part, bool) {
	if rest == "" {
		return part{src: src, whole: true}, true
	}
	// Recursive descent ("body..name") is not supported [D].
	if strings.HasPrefix(rest, "..") {
		return part{}, false
	}
	rest = strings.TrimPrefix(rest, ".")
	p, err := parseJSONPath(rest)
	if err != nil {
		return part{}, false
	}
	return part{src: src, path: p}, true
}

func validName(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// Eval evaluates v for r. A value that is a single reference is absent
// (ok false) when the reference is; in mixed text an absent reference
// contributes "" [U].
func (v *Value) Eval(r Resolver) (string, bool) {
	var st evalState
	defer st.release()
	return v.eval(r, &st)
}

func (v *Value) eval(r Resolver, st *evalState) (string, bool) {
	if len(v.parts) == 1 {
		p := &v.parts[0]
		if p.src == 0 {
			return p.lit, true
		}
		return p.resolve(r, st)
	}
	var b strings.Builder
	for i := range v.parts {
		p := &v.parts[i]
		if p.src == 0 {
			b.WriteString(p.lit)
			continue
		}
		s, _ := p.resolve(r, st)
		b.WriteString(s)
	}
	return b.String(), true
}

func (p *part) resolve(r Resolver, st *evalState) (string, bool) {
	switch {
	case p.whole:
		b := r.Body(p.src)
		return string(b), b != nil
	case p.path != nil:
		doc := st.doc(r, p.src)
		if doc == nil {
			return "", false
		}
		return p.path.evalString(doc)
	}
	return r.Lookup(p.src, p.name)
}
