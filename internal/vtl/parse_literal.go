package vtl

import (
	"strconv"
	"strings"
)

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

// parseDQ parses a double-quoted string: "" escapes a quote, \uXXXX is
// decoded, and the contents are interpolated like a template.
func (p *parser) parseDQ() (expr, error) {
	src := p.src
	start := p.pos
	i := p.pos + 1
	var b strings.Builder
	for {
		j := strings.IndexByte(src[i:], '"')
		if j < 0 {
			return nil, p.errf(start, "unterminated string")
		}
		b.WriteString(src[i : i+j])
		i += j + 1
		if i < len(src) && src[i] == '"' {
			b.WriteByte('"')
			i++
			continue
		}
		break
	}
	p.pos = i
	s := b.String()
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

func unescapeUnicode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+5 < len(s)+0 && i+6 <= len(s) && s[i+1] == 'u' {
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
