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
	return p.parseBinary(0)
}

// binOp is an operator token and the operator it stands for.
type binOp struct {
	tok string
	op  int
}

// binLevels are the binary operators by precedence, loosest first. Every
// level is left-associative. A token comes before the tokens it begins
// with ("<=" before "<").
var binLevels = [...][]binOp{
	{{"||", opOr}, {"or", opOr}},
	{{"&&", opAnd}, {"and", opAnd}},
	{{"==", opEq}, {"!=", opNe}, {"eq", opEq}, {"ne", opNe}},
	{{"<=", opLe}, {">=", opGe}, {"<", opLt}, {">", opGt}, {"lt", opLt}, {"gt", opGt}, {"le", opLe}, {"ge", opGe}},
	{{"+", opAdd}, {"-", opSub}},
	{{"*", opMul}, {"/", opDiv}, {"%", opMod}},
}

// parseBinary parses a chain of the operators of binLevels[level] between
// operands made of tighter operators.
func (p *parser) parseBinary(level int) (expr, error) {
	if level == len(binLevels) {
		return p.parseUnary()
	}
	l, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		op, n := p.peekOp(binLevels[level])
		if n == 0 {
			return l, nil
		}
		pos := p.pos
		p.pos += n
		r, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binExpr{op: op, pos: p.base + pos, l: l, r: r}
	}
}

// peekOp skips white space and reports the operator among ops at p.pos
// and its length, or a length of 0 when there is none. A word operator
// ("and") must end at a word boundary, and a '-' before a digit begins a
// number instead.
func (p *parser) peekOp(ops []binOp) (op, n int) {
	p.skipWS()
	rest := p.src[p.pos:]
	for _, o := range ops {
		if !strings.HasPrefix(rest, o.tok) {
			continue
		}
		n := len(o.tok)
		if isIdentStart(o.tok[0]) && n < len(rest) && isWordChar(rest[n]) {
			continue
		}
		if o.tok == "-" && n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			continue // "-1" is a number literal in Velocity 1.7
		}
		return o.op, n
	}
	return 0, 0
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
