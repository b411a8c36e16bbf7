package vtl

import (
	"strings"
	"unicode/utf8"
)

// parseExpr parses an expression, counting its nesting against the depth
// limit.
func (p *parser) parseExpr() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.parseOr()
}

// peekOp reports the binary operator at p.pos (after blanks) among ops.
func (p *parser) peekOp(ops ...string) (string, int) {
	p.skipWS()
	rest := p.src[p.pos:]
	for _, op := range ops {
		if strings.HasPrefix(rest, op) {
			n := len(op)
			if isIdentStart(op[0]) {
				if n < len(rest) && isWordChar(rest[n]) {
					continue
				}
			}
			switch op {
			case "<", ">":
				if n < len(rest) && rest[n] == '=' {
					continue
				}
			case "-":
				if n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
					continue // "-1" is a number literal in Velocity 1.7
				}
			case "!":
				continue
			}
			return op, n
		}
	}
	return "", 0
}

// parseOr parses a chain of || (or).
func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("||", "or")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: opOr, pos: p.base + pos, l: l, r: r}
	}
}

// parseAnd parses a chain of && (and).
func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseEq()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("&&", "and")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseEq()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: opAnd, pos: p.base + pos, l: l, r: r}
	}
}

// parseEq parses a chain of == != (eq ne).
func (p *parser) parseEq() (expr, error) {
	l, err := p.parseRel()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("==", "!=", "eq", "ne")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseRel()
		if err != nil {
			return nil, err
		}
		o := opEq
		if op == "!=" || op == "ne" {
			o = opNe
		}
		l = &binExpr{op: o, pos: p.base + pos, l: l, r: r}
	}
}

// parseRel parses a chain of < > <= >= (lt gt le ge).
func (p *parser) parseRel() (expr, error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("<=", ">=", "<", ">", "lt", "gt", "le", "ge")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseAdd()
		if err != nil {
			return nil, err
		}
		var o int
		switch op {
		case "<", "lt":
			o = opLt
		case ">", "gt":
			o = opGt
		case "<=", "le":
			o = opLe
		default:
			o = opGe
		}
		l = &binExpr{op: o, pos: p.base + pos, l: l, r: r}
	}
}

// parseAdd parses a chain of + -.
func (p *parser) parseAdd() (expr, error) {
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("+", "-")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		o := opAdd
		if op == "-" {
			o = opSub
		}
		l = &binExpr{op: o, pos: p.base + pos, l: l, r: r}
	}
}

// parseMul parses a chain of * / %.
func (p *parser) parseMul() (expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp("*", "/", "%")
		if op == "" {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		o := opMul
		switch op {
		case "/":
			o = opDiv
		case "%":
			o = opMod
		}
		l = &binExpr{op: o, pos: p.base + pos, l: l, r: r}
	}
}

// parseUnary parses ! and not.
func (p *parser) parseUnary() (expr, error) {
	p.skipWS()
	rest := p.src[p.pos:]
	if strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!=") {
		if err := p.enter(p.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		p.pos++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	if strings.HasPrefix(rest, "not") && (len(rest) == 3 || !isWordChar(rest[3])) {
		if err := p.enter(p.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		p.pos += 3
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	return p.parsePrimary()
}

// parsePrimary parses an operand: a parenthesized expression, a reference,
// a literal or true/false.
func (p *parser) parsePrimary() (expr, error) {
	p.skipWS()
	if p.pos >= len(p.src) {
		return nil, p.errf(p.pos, "unexpected end of template in expression")
	}
	src := p.src
	c := src[p.pos]
	switch {
	case c == '(':
		p.pos++
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')', "to close parenthesis"); err != nil {
			return nil, err
		}
		return &parenExpr{x: x}, nil
	case c == '$':
		ref, ok, err := p.parseRef()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errf(p.pos, "invalid reference")
		}
		return ref, nil
	case c == '"':
		return p.parseDQ()
	case c == '\'':
		return p.parseSQ()
	case c >= '0' && c <= '9' || c == '-' && p.pos+1 < len(src) && src[p.pos+1] >= '0' && src[p.pos+1] <= '9':
		return p.parseNumber()
	case c == '[':
		return p.parseList()
	case c == '{':
		return p.parseMap()
	case isIdentStart(c):
		j := p.pos
		for j < len(src) && isWordChar(src[j]) {
			j++
		}
		switch src[p.pos:j] {
		case "true":
			p.pos = j
			return &litExpr{v: true}, nil
		case "false":
			p.pos = j
			return &litExpr{v: false}, nil
		}
	}
	return nil, p.errf(p.pos, "unexpected %q in expression", nextRune(src[p.pos:]))
}

// nextRune returns the first character of s, for error messages.
func nextRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
