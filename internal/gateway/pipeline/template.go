package pipeline

// Template is a compiled gateway-response body template or access-log
// format: literal text with $context.* and $stageVariables.* references.
// (Full VTL arrives with the mapping-template engine; gateway responses and
// access logs only ever substitute variables.)
type Template struct {
	parts []tpart
}

type tpartKind uint8

const (
	tLiteral tpartKind = iota
	tContext
	tStageVar
)

type tpart struct {
	kind  tpartKind
	text  string // literal text, or the reference as written (for unknowns)
	v     CtxVar
	name  string // stage or context variable name
	quiet bool   // $!ref: render nothing when absent
}

// ParseTemplate compiles s. It never fails: text that is not a known
// reference is kept literally, as Velocity does.
func ParseTemplate(s string) *Template { return parseTemplate(s, ParseContextVar) }

// ParseHTTPTemplate is ParseTemplate with the $context variables of HTTP
// APIs (ParseHTTPContextVar), for their access logs.
func ParseHTTPTemplate(s string) *Template { return parseTemplate(s, ParseHTTPContextVar) }

func parseTemplate(s string, vars func(string) CtxVar) *Template {
	t := &Template{}
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		ref, n := parseRef(s[i:], vars)
		if n == 0 {
			continue
		}
		if lit < i {
			t.parts = append(t.parts, tpart{kind: tLiteral, text: s[lit:i]})
		}
		t.parts = append(t.parts, ref)
		i += n - 1
		lit = i + 1
	}
	if lit < len(s) {
		t.parts = append(t.parts, tpart{kind: tLiteral, text: s[lit:]})
	}
	return t
}

// parseRef parses "$context.x.y", "$!context.x", "${context.x}",
// "$stageVariables.x", "$stageVariables['x']" at the start of s. It returns
// the part and the bytes consumed, or 0 when s does not start a reference
// this template language handles.
func parseRef(s string, vars func(string) CtxVar) (tpart, int) {
	i := 1
	quiet := false
	if i < len(s) && s[i] == '!' {
		quiet, i = true, i+1
	}
	braced := false
	if i < len(s) && s[i] == '{' {
		braced, i = true, i+1
	}
	start := i
	for i < len(s) && (isIdent(s[i]) || (s[i] == '.' && i+1 < len(s) && isIdent(s[i+1]))) {
		i++
	}
	name := s[start:i]
	var p tpart
	switch {
	case len(name) > len("context.") && name[:len("context.")] == "context.":
		p = tpart{kind: tContext, v: vars(name[len("context."):]), name: name[len("context."):]}
		if p.v == CtxUnknown {
			return tpart{}, 0
		}
	case len(name) > len("stageVariables.") && name[:len("stageVariables.")] == "stageVariables.":
		p = tpart{kind: tStageVar, name: name[len("stageVariables."):]}
	case name == "stageVariables" && i+2 < len(s) && s[i] == '[' && s[i+1] == '\'':
		end := i + 2
		for end < len(s) && s[end] != '\'' {
			end++
		}
		if end+1 >= len(s) || s[end+1] != ']' {
			return tpart{}, 0
		}
		p = tpart{kind: tStageVar, name: s[i+2 : end]}
		i = end + 2
	default:
		return tpart{}, 0
	}
	if braced {
		if i >= len(s) || s[i] != '}' {
			return tpart{}, 0
		}
		i++
	}
	p.quiet = quiet
	p.text = s[:i]
	return p, i
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Append renders the template for x onto buf. Absent values render as
// missing when it is non-empty (access logs use "-"), otherwise as the
// reference text itself, as Velocity renders undefined references ("$!"
// references render nothing).
func (t *Template) Append(buf []byte, x *Exchange, missing string) []byte {
	for _, p := range t.parts {
		switch p.kind {
		case tLiteral:
			buf = append(buf, p.text...)
			continue
		case tContext:
			var ok bool
			mark := len(buf)
			if buf, ok = x.AppendContextName(buf, p.v, p.name); ok {
				continue
			}
			buf = buf[:mark]
		case tStageVar:
			if v, ok := x.Variables()[p.name]; ok {
				buf = append(buf, v...)
				continue
			}
		}
		switch {
		case missing != "":
			buf = append(buf, missing...)
		case !p.quiet:
			buf = append(buf, p.text...)
		}
	}
	return buf
}
