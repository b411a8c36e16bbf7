package vtl

import (
	"strings"
)

// openParen consumes the '(' after directive dir, which began at start.
func (p *parser) openParen(start int, dir string) error {
	p.skipBlanks()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return p.errf(start, "expected '(' after #%s", dir)
	}
	p.pos++
	return nil
}

// parseSet parses #set(...) after the directive word; start locates the
// directive.
func (p *parser) parseSet(start int) (node, error) {
	if err := p.openParen(start, "set"); err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, p.errf(p.pos, "expected reference in #set")
	}
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errf(p.pos, "invalid reference in #set")
	}
	if len(ref.chain) > 0 && ref.chain[len(ref.chain)-1].kind == accMethod {
		return nil, p.errf(ref.pos, "cannot assign to a method call")
	}
	if err := p.expect('=', "in #set"); err != nil {
		return nil, err
	}
	v, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #set"); err != nil {
		return nil, err
	}
	p.eatNewline()
	return &setNode{pos: start, target: ref, value: v}, nil
}

// parseCond parses the parenthesized condition of #if or #elseif.
func (p *parser) parseCond(start int, dir string) (expr, error) {
	if err := p.openParen(start, dir); err != nil {
		return nil, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #"+dir); err != nil {
		return nil, err
	}
	p.eatNewline()
	return e, nil
}

// parseIf parses #if(...) with its #elseif and #else branches up to #end.
func (p *parser) parseIf(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &ifNode{}
	dir := "if"
	for {
		cond, err := p.parseCond(start, dir)
		if err != nil {
			return nil, err
		}
		body, term, tpos, err := p.parseBlock()
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch term {
		case termEnd:
			return n, nil
		case termElseif:
			start, dir = tpos, "elseif"
			continue
		case termElse:
			els, term2, tpos2, err := p.parseBlock()
			if err != nil {
				return nil, err
			}
			if err := p.blockEnd(term2, tpos2, start, "missing #end", "after #else"); err != nil {
				return nil, err
			}
			if els == nil {
				els = []node{}
			}
			n.els = els
			return n, nil
		default:
			return nil, p.errf(start, "missing #end for #%s", dir)
		}
	}
}

// parseForeach parses #foreach($name in expr) and its body up to #end.
func (p *parser) parseForeach(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.openParen(start, "foreach"); err != nil {
		return nil, err
	}
	p.skipWS()
	ref, ok, err := p.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok || len(ref.chain) > 0 {
		return nil, p.errf(p.pos, "expected loop variable in #foreach")
	}
	p.skipWS()
	if !strings.HasPrefix(p.src[p.pos:], "in") || p.pos+2 < len(p.src) && isWordChar(p.src[p.pos+2]) {
		return nil, p.errf(p.pos, "expected 'in' in #foreach")
	}
	p.pos += 2
	iter, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', "to close #foreach"); err != nil {
		return nil, err
	}
	p.eatNewline()
	body, term, tpos, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if err := p.blockEnd(term, tpos, start, "missing #end for #foreach", "in #foreach"); err != nil {
		return nil, err
	}
	return &foreachNode{pos: start, varName: ref.name, iter: iter, body: body}, nil
}

// blockEnd checks that a block of the directive at start ended with #end
// (term and tpos as parseBlock returns them). At the end of the template
// the error says missing, at another terminator "unexpected #x" and where.
func (p *parser) blockEnd(term, tpos, start int, missing, where string) error {
	switch term {
	case termEnd:
		return nil
	case termEOF:
		return p.errf(start, "%s", missing)
	}
	return p.errf(tpos, "unexpected %s %s", termName(term), where)
}
