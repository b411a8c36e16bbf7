package vtl

import (
	"strconv"
	"strings"
)

// parseNumber parses an integer (int64) or a floating-point (float64)
// literal, with an optional leading '-'.
func (p *parser) parseNumber() (expr, error) {
	src := p.src
	start := p.pos
	i := p.pos
	if src[i] == '-' {
		i++
	}
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	isFloat := false
	if i+1 < len(src) && src[i] == '.' && src[i+1] >= '0' && src[i+1] <= '9' {
		isFloat = true
		i++
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && src[j] >= '0' && src[j] <= '9' {
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			isFloat = true
			i = j
		}
	}
	p.pos = i
	lit := src[start:i]
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, p.errf(start, "invalid number %q", lit)
		}
		return &litExpr{v: f}, nil
	}
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		return nil, p.errf(start, "invalid number %q", lit)
	}
	return &litExpr{v: n}, nil
}

// quoted reads a string literal delimited by q at p.pos (src[p.pos] == q),
// where a doubled q stands for one, and returns its contents.
func (p *parser) quoted(q byte) (string, error) {
	src := p.src
	i := p.pos + 1
	var b strings.Builder
	for {
		j := strings.IndexByte(src[i:], q)
		if j < 0 {
			return "", p.errf(p.pos, "unterminated string")
		}
		b.WriteString(src[i : i+j])
		i += j + 1
		if i < len(src) && src[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		break
	}
	p.pos = i
	return b.String(), nil
}

// parseSQ parses a single-quoted string: a doubled quote stands for one,
// and nothing is interpolated.
func (p *parser) parseSQ() (expr, error) {
	s, err := p.quoted('\'')
	if err != nil {
		return nil, err
	}
	return &litExpr{v: s}, nil
}

// parseDQ parses a double-quoted string: "" escapes a quote, \uXXXX is
// decoded, and the contents are interpolated like a template.
func (p *parser) parseDQ() (expr, error) {
	start := p.pos
	s, err := p.quoted('"')
	if err != nil {
		return nil, err
	}
	if strings.Contains(s, `\u`) {
		s = unescapeUnicode(s)
	}
	if !strings.ContainsAny(s, "$#") {
		return &litExpr{v: s}, nil
	}
	sub := &parser{t: p.t, src: s, base: p.base + start + 1, depth: p.depth}
	nodes, term, tpos, err := sub.parseBlock()
	if err != nil {
		return nil, err
	}
	if term != termEOF {
		return nil, sub.errf(tpos, "unexpected %s in string", termName(term))
	}
	if len(nodes) == 1 {
		if tn, ok := nodes[0].(*textNode); ok {
			return &litExpr{v: tn.text}, nil
		}
	}
	if len(nodes) == 0 {
		return &litExpr{v: ""}, nil
	}
	return &interpExpr{nodes: nodes}, nil
}

// unescapeUnicode decodes the \uXXXX escapes in s.
func unescapeUnicode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				i += 6
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// parseList parses a list literal [a, b] or a range [from..to] at p.pos
// (src[p.pos] == '[').
func (p *parser) parseList() (expr, error) {
	src := p.src
	start := p.pos
	p.pos++
	p.skipWS()
	if p.pos < len(src) && src[p.pos] == ']' {
		p.pos++
		return &listExpr{}, nil
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if strings.HasPrefix(src[p.pos:], "..") {
		p.pos += 2
		to, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(']', "to close range"); err != nil {
			return nil, err
		}
		return &rangeExpr{pos: p.base + start, from: first, to: to}, nil
	}
	l := &listExpr{elems: []expr{first}}
	for {
		p.skipWS()
		if p.pos < len(src) && src[p.pos] == ',' {
			p.pos++
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			l.elems = append(l.elems, e)
			continue
		}
		if err := p.expect(']', "to close list"); err != nil {
			return nil, err
		}
		return l, nil
	}
}

// parseMap parses a map literal {k: v, ...} at p.pos (src[p.pos] == '{').
func (p *parser) parseMap() (expr, error) {
	src := p.src
	p.pos++
	m := &mapExpr{}
	p.skipWS()
	if p.pos < len(src) && src[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', "in map literal"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipWS()
		if p.pos < len(src) && src[p.pos] == ',' {
			p.pos++
			continue
		}
		if err := p.expect('}', "to close map"); err != nil {
			return nil, err
		}
		return m, nil
	}
}
