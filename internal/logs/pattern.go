package logs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// A Pattern is a compiled CloudWatch Logs filter pattern
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
// The forms served:
//
//	(empty)                    every event
//	ERROR                      events containing the term
//	ERROR ARGUMENTS            both terms
//	"INTERNAL SERVER ERROR"    the exact phrase (quote terms with other
//	                           than letters, digits and underscores)
//	?ERROR ?WARN               either term
//	ERROR -ARGUMENTS           the first term, not the second
//	{ $.status = 500 }         JSON events: selectors $.a.b and $.a[0];
//	                           = != < > <= >= on strings (with * wildcards)
//	                           and numbers; IS NULL/TRUE/FALSE; NOT EXISTS;
//	                           && and || with parentheses
//	[ip, user, ..., status=5*] space-delimited events: named fields,
//	                           "..." for any number of them, one
//	                           condition per field
//
// Terms and phrases match as substrings of the message [U: AWS matches
// unquoted terms as words]; matching is case-sensitive.
type Pattern struct {
	match func(msg string) bool
}

// Match reports whether msg matches.
func (p *Pattern) Match(msg string) bool { return p == nil || p.match == nil || p.match(msg) }

// ErrInvalidPattern: a pattern outside the forms served.
var ErrInvalidPattern = errors.New("invalid filter pattern")

// Compile parses a filter pattern.
func Compile(pattern string) (*Pattern, error) {
	s := strings.TrimSpace(pattern)
	switch {
	case s == "":
		return &Pattern{}, nil
	case s[0] == '{':
		return compileJSON(s)
	case s[0] == '[':
		return compileDelimited(s)
	}
	return compileTerms(s)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidPattern, fmt.Sprintf(format, args...))
}

// compileTerms: plain terms and phrases, each optionally ?-prefixed (any
// of those) or --prefixed (none of those).
func compileTerms(s string) (*Pattern, error) {
	var all, any, none []string
	everything := false
	for len(s) > 0 {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		kind := byte(0)
		if s[0] == '?' || s[0] == '-' {
			kind, s = s[0], s[1:]
		}
		var term string
		if strings.HasPrefix(s, `"`) {
			end := closingQuote(s)
			if end < 0 {
				return nil, invalid("unterminated quote")
			}
			term, s = unquote(s[1:end]), s[end+1:]
			if strings.TrimSpace(term) == "" {
				// `" "` matches every event [D].
				everything = true
				continue
			}
		} else {
			i := strings.IndexFunc(s, unicode.IsSpace)
			if i < 0 {
				i = len(s)
			}
			term, s = s[:i], s[i:]
		}
		if term == "" {
			return nil, invalid("empty term")
		}
		switch kind {
		case '?':
			any = append(any, term)
		case '-':
			none = append(none, term)
		default:
			all = append(all, term)
		}
	}
	if everything && len(all)+len(any)+len(none) == 0 {
		return &Pattern{}, nil
	}
	return &Pattern{match: func(msg string) bool {
		for _, t := range all {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(msg, t) {
				return false
			}
		}
		if len(any) == 0 {
			return true
		}
		for _, t := range any {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}}, nil
}

// closingQuote returns the index of the quote closing the one at s[0],
// skipping backslash escapes.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func unquote(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// value is a comparison's right-hand side.
type value struct {
	str   string
	num   float64
	isNum bool
}

func parseValue(tok token) value {
	if tok.quoted {
		return value{str: tok.text}
	}
	if f, err := strconv.ParseFloat(tok.text, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return value{str: tok.text, num: f, isNum: true}
	}
	return value{str: tok.text}
}

// compare applies op between a field and v. Strings compare with = and
// != only, "*" matching any run of characters; numbers with every op.
func compare(field any, op string, v value) bool {
	switch f := field.(type) {
	case float64:
		if !v.isNum {
			if op == "!=" {
				return !wildcard(v.str, strconv.FormatFloat(f, 'f', -1, 64))
			}
			return op == "=" && wildcard(v.str, strconv.FormatFloat(f, 'f', -1, 64))
		}
		switch op {
		case "=":
			return f == v.num
		case "!=":
			return f != v.num
		case "<":
			return f < v.num
		case ">":
			return f > v.num
		case "<=":
			return f <= v.num
		case ">=":
			return f >= v.num
		}
	case string:
		if v.isNum && op != "=" && op != "!=" {
			n, err := strconv.ParseFloat(f, 64)
			return err == nil && compare(n, op, v)
		}
		switch op {
		case "=":
			return wildcard(v.str, f)
		case "!=":
			return !wildcard(v.str, f)
		}
	case bool:
		switch op {
		case "=":
			return strconv.FormatBool(f) == v.str
		case "!=":
			return strconv.FormatBool(f) != v.str
		}
	}
	return false
}

// wildcard matches s against pattern, where "*" is any run of characters.
func wildcard(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// token is one lexical element of a JSON or space-delimited pattern.
type token struct {
	text   string
	quoted bool
}

// lex splits s into tokens: quoted strings, operators (= != < > <= >= &&
// || ( ) , [ ] { }) and words.
func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '"':
			end := closingQuote(s[i:])
			if end < 0 {
				return nil, invalid("unterminated quote")
			}
			out = append(out, token{text: unquote(s[i+1 : i+end]), quoted: true})
			i += end + 1
		case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"), strings.HasPrefix(s[i:], "!="),
			strings.HasPrefix(s[i:], "<="), strings.HasPrefix(s[i:], ">="):
			out = append(out, token{text: s[i : i+2]})
			i += 2
		case strings.ContainsRune("=<>(),[]{}", rune(c)):
			out = append(out, token{text: s[i : i+1]})
			i++
		default:
			// A selector ($.a[0].b) keeps its brackets.
			stops := "=<>!(),[]{}&|\""
			if c == '$' {
				stops = "=<>!(),{}&|\""
			}
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune(stops, rune(s[j])) {
				j++
			}
			if j == i {
				return nil, invalid("unexpected %q", s[i:i+1])
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

func isComparison(t token) bool {
	if t.quoted {
		return false
	}
	switch t.text {
	case "=", "!=", "<", ">", "<=", ">=":
		return true
	}
	return false
}

// compileJSON: "{ expression }" over JSON events.
func compileJSON(s string) (*Pattern, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	if len(toks) < 3 || toks[0].text != "{" || toks[len(toks)-1].text != "}" || toks[len(toks)-1].quoted {
		return nil, invalid("a JSON pattern is { expression }")
	}
	p := &jsonParser{toks: toks[1 : len(toks)-1]}
	expr, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, invalid("unexpected %q", p.toks[p.i].text)
	}
	return &Pattern{match: func(msg string) bool {
		msg = strings.TrimSpace(msg)
		if !strings.HasPrefix(msg, "{") {
			return false
		}
		var doc map[string]any
		if json.Unmarshal([]byte(msg), &doc) != nil {
			return false
		}
		return expr(doc)
	}}, nil
}

type jsonParser struct {
	toks []token
	i    int
}

func (p *jsonParser) peek(text string) bool {
	return p.i < len(p.toks) && !p.toks[p.i].quoted && p.toks[p.i].text == text
}

func (p *jsonParser) or() (func(map[string]any) bool, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek("||") {
		p.i++
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(d map[string]any) bool { return l(d) || right(d) }
	}
	return left, nil
}

func (p *jsonParser) and() (func(map[string]any) bool, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek("&&") {
		p.i++
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(d map[string]any) bool { return l(d) && right(d) }
	}
	return left, nil
}

func (p *jsonParser) unary() (func(map[string]any) bool, error) {
	if p.peek("(") {
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, invalid("missing )")
		}
		p.i++
		return e, nil
	}
	if p.i >= len(p.toks) {
		return nil, invalid("incomplete expression")
	}
	sel, err := parseSelector(p.toks[p.i])
	if err != nil {
		return nil, err
	}
	p.i++
	if p.i+1 < len(p.toks) && p.toks[p.i].text == "IS" && !p.toks[p.i].quoted {
		want := p.toks[p.i+1].text
		p.i += 2
		switch want {
		case "NULL":
			return func(d map[string]any) bool { v, ok := sel(d); return ok && v == nil }, nil
		case "TRUE", "FALSE":
			b := want == "TRUE"
			return func(d map[string]any) bool { v, ok := sel(d); return ok && v == b }, nil
		}
		return nil, invalid("IS %s", want)
	}
	if p.i+1 < len(p.toks) && p.toks[p.i].text == "NOT" && p.toks[p.i+1].text == "EXISTS" {
		p.i += 2
		return func(d map[string]any) bool { _, ok := sel(d); return !ok }, nil
	}
	if p.i+1 >= len(p.toks) || !isComparison(p.toks[p.i]) {
		return nil, invalid("a selector needs a comparison")
	}
	op, v := p.toks[p.i].text, parseValue(p.toks[p.i+1])
	p.i += 2
	if !v.isNum && op != "=" && op != "!=" {
		return nil, invalid("%s needs a number", op)
	}
	return func(d map[string]any) bool {
		f, ok := sel(d)
		return ok && compare(f, op, v)
	}, nil
}

// parseSelector compiles "$.a.b[0]" into a lookup that reports whether
// the member exists. Objects and arrays are never compared.
func parseSelector(t token) (func(map[string]any) (any, bool), error) {
	s := t.text
	if t.quoted || !strings.HasPrefix(s, "$") {
		return nil, invalid("a selector starts with $: %q", s)
	}
	type step struct {
		key   string
		index int // -1 for a member
	}
	var steps []step
	for rest := s[1:]; rest != ""; {
		switch rest[0] {
		case '.':
			j := 1
			for j < len(rest) && rest[j] != '.' && rest[j] != '[' {
				j++
			}
			if j == 1 {
				return nil, invalid("empty member in %q", s)
			}
			steps = append(steps, step{key: rest[1:j], index: -1})
			rest = rest[j:]
		case '[':
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				return nil, invalid("missing ] in %q", s)
			}
			n, err := strconv.Atoi(rest[1:j])
			if err != nil || n < 0 {
				return nil, invalid("bad index in %q", s)
			}
			steps = append(steps, step{index: n})
			rest = rest[j+1:]
		default:
			return nil, invalid("bad selector %q", s)
		}
	}
	if len(steps) == 0 {
		return nil, invalid("a selector names a member: %q", s)
	}
	return func(d map[string]any) (any, bool) {
		var cur any = d
		for _, st := range steps {
			if st.index < 0 {
				m, ok := cur.(map[string]any)
				if !ok {
					return nil, false
				}
				if cur, ok = m[st.key]; !ok {
					return nil, false
				}
				continue
			}
			a, ok := cur.([]any)
			if !ok || st.index >= len(a) {
				return nil, false
			}
			cur = a[st.index]
		}
		switch cur.(type) {
		case map[string]any, []any:
			return nil, false
		}
		return cur, true
	}, nil
}

// compileDelimited: "[name, name=value, ..., name>number]" over
// space-delimited events. A field in quotes or brackets is one field.
func compileDelimited(s string) (*Pattern, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, invalid("missing ]")
	}
	type spec struct {
		any bool // "..."
		op  string
		v   value
	}
	var before, after []spec
	ellipsis := false
	for _, part := range splitTopLevel(s[1:len(s)-1], ',') {
		part = strings.TrimSpace(part)
		if part == "..." {
			if ellipsis {
				return nil, invalid("one ... only")
			}
			ellipsis = true
			continue
		}
		toks, err := lex(part)
		if err != nil {
			return nil, err
		}
		var sp spec
		switch {
		case len(toks) == 1 && !toks[0].quoted:
			sp.any = true
		case len(toks) == 3 && !toks[0].quoted && isComparison(toks[1]):
			sp.op, sp.v = toks[1].text, parseValue(toks[2])
			if !sp.v.isNum && sp.op != "=" && sp.op != "!=" {
				return nil, invalid("%s needs a number", sp.op)
			}
		default:
			return nil, invalid("bad field %q", part)
		}
		if ellipsis {
			after = append(after, sp)
		} else {
			before = append(before, sp)
		}
	}
	matchField := func(sp spec, f string) bool { return sp.any || compare(f, sp.op, sp.v) }
	return &Pattern{match: func(msg string) bool {
		fields := splitFields(msg)
		if !ellipsis && len(fields) != len(before) || len(fields) < len(before)+len(after) {
			return false
		}
		for i, sp := range before {
			if !matchField(sp, fields[i]) {
				return false
			}
		}
		for i, sp := range after {
			if !matchField(sp, fields[len(fields)-len(after)+i]) {
				return false
			}
		}
		return true
	}}, nil
}

// splitTopLevel splits s at sep outside quotes.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// splitFields splits a space-delimited event: a field opening with a
// quote runs to the closing quote, one opening with "[" to the "]".
func splitFields(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		if msg[i] == ' ' || msg[i] == '\t' {
			i++
			continue
		}
		end := -1
		switch msg[i] {
		case '"':
			if j := strings.IndexByte(msg[i+1:], '"'); j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		case '[':
			if j := strings.IndexByte(msg[i+1:], ']'); j >= 0 {
				out = append(out, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		end = strings.IndexAny(msg[i:], " \t")
		if end < 0 {
			out = append(out, msg[i:])
			break
		}
		out = append(out, msg[i:i+end])
		i += end
	}
	return out
}
