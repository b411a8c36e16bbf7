package vtl

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// AST

type node any // *textNode, *refNode, *setNode, *ifNode, *foreachNode, *ctlNode
type expr any // *litExpr, *interpExpr, *listExpr, *mapExpr, *rangeExpr, *binExpr, *notExpr, *parenExpr, *refNode

type textNode struct{ text string }

const (
	accProp = iota
	accMethod
	accIndex
)

type accessor struct {
	kind  uint8
	pos   int
	name  string
	args  []expr
	index expr
}

type refNode struct {
	pos    int
	name   string
	silent bool
	lit    string // source text, rendered when the value is null
	chain  []accessor
	esc    int // number of backslashes before the reference (escaping)
}

type setNode struct {
	pos    int
	target *refNode
	value  expr
}

type ifNode struct {
	conds  []expr
	bodies [][]node
	els    []node
}

type foreachNode struct {
	pos     int
	varName string
	iter    expr
	body    []node
}

type ctlNode struct {
	stop bool // #stop; otherwise #break
}

type litExpr struct{ v any }

type interpExpr struct{ nodes []node }

type listExpr struct{ elems []expr }

type mapExpr struct{ keys, vals []expr }

type rangeExpr struct {
	pos      int
	from, to expr
}

const (
	opOr = iota
	opAnd
	opEq
	opNe
	opLt
	opGt
	opLe
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

type binExpr struct {
	op   int
	pos  int
	l, r expr
}

type notExpr struct{ x expr }

type parenExpr struct{ x expr }

// parser

type parser struct {
	t     *Template
	src   string
	pos   int
	base  int // offset of src within the template source (string interpolation)
	depth int
}

const (
	termEOF = iota
	termEnd
	termElse
	termElseif
)

func (p *parser) errf(pos int, format string, args ...any) error {
	return p.t.errAt(p.base+pos, nil, format, args...)
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > p.t.opts.maxDepth {
		return p.t.errAt(p.base+pos, ErrLimit, "nesting depth exceeds limit %d", p.t.opts.maxDepth)
	}
	return nil
}

func (p *parser) parseTop() ([]node, error) {
	nodes, term, tpos, err := p.parseBlock()
	if err != nil {
		return nil, err
	}
	if term != termEOF {
		return nil, p.errf(tpos, "unexpected %s", termName(term))
	}
	return nodes, nil
}

func termName(t int) string {
	switch t {
	case termEnd:
		return "#end"
	case termElse:
		return "#else"
	case termElseif:
		return "#elseif"
	}
	return "end of template"
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

func isWordChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

func isDirectiveWord(w string) bool {
	switch w {
	case "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "macro", "include", "parse", "evaluate", "define":
		return true
	}
	return false
}

// directiveWord reads "#word" or "#{word}" at i (src[i] == '#'). It returns
// the word and the offset after it, or "" if there is none.
func (p *parser) directiveWord(i int) (string, int) {
	j := i + 1
	braced := j < len(p.src) && p.src[j] == '{'
	if braced {
		j++
	}
	k := j
	if k >= len(p.src) || !isIdentStart(p.src[k]) {
		return "", i
	}
	for k < len(p.src) && isWordChar(p.src[k]) {
		k++
	}
	w := p.src[j:k]
	if braced {
		if k >= len(p.src) || p.src[k] != '}' {
			return "", i
		}
		k++
	}
	return w, k
}

// parseBlock parses nodes until EOF or a terminating directive.
func (p *parser) parseBlock() (nodes []node, term int, tpos int, err error) {
	var text []byte
	runLen := 0 // trailing bytes of text coming from the current plain-text run
	flush := func() {
		if len(text) > 0 {
			nodes = append(nodes, &textNode{text: string(text)})
			text = text[:0]
		}
		runLen = 0
	}
	src := p.src
	for p.pos < len(src) {
		c := src[p.pos]
		switch c {
		case '$':
			ref, ok, err := p.parseRef()
			if err != nil {
				return nil, 0, 0, err
			}
			if ok {
				flush()
				nodes = append(nodes, ref)
				continue
			}
			if p.pos+1 == len(src) || p.pos+2 == len(src) && src[p.pos+1] == '!' {
				return nil, 0, 0, p.errf(p.pos, "unexpected end of template after '$'")
			}
			text = append(text, '$')
			p.pos++
			if p.pos < len(src) && src[p.pos] == '!' {
				p.pos++ // Velocity 1.7 drops the '!' of a lone "$!"
			}
			runLen = 0
		case '\\':
			n := 0
			for p.pos+n < len(src) && src[p.pos+n] == '\\' {
				n++
			}
			after := p.pos + n
			if after < len(src) && src[after] == '$' {
				save := p.pos
				p.pos = after
				ref, ok, err := p.parseRef()
				if err != nil {
					return nil, 0, 0, err
				}
				if ok {
					ref.esc = n
					flush()
					nodes = append(nodes, ref)
					continue
				}
				p.pos = save
			}
			if after < len(src) && src[after] == '#' {
				if w, wend := p.directiveWord(after); w != "" && isDirectiveWord(w) {
					text = append(text, src[p.pos:p.pos+n/2]...)
					runLen = 0
					if n%2 == 1 {
						text = append(text, src[after:wend]...)
						p.pos = wend
					} else {
						p.pos = after
					}
					continue
				}
			}
			text = append(text, src[p.pos:after]...)
			p.pos = after
			runLen = 0
		case '#':
			if p.pos+1 < len(src) {
				switch src[p.pos+1] {
				case '#': // line comment, including its newline
					i := strings.IndexByte(src[p.pos:], '\n')
					if i < 0 {
						p.pos = len(src)
					} else {
						p.pos += i + 1
					}
					runLen = 0
					continue
				case '*':
					i := strings.Index(src[p.pos+2:], "*#")
					if i < 0 {
						return nil, 0, 0, p.errf(p.pos, "unterminated comment")
					}
					p.pos += 2 + i + 2
					runLen = 0
					continue
				case '[':
					if strings.HasPrefix(src[p.pos:], "#[[") {
						i := strings.Index(src[p.pos+3:], "]]#")
						if i < 0 {
							return nil, 0, 0, p.errf(p.pos, "unterminated #[[ ]]# block")
						}
						text = append(text, src[p.pos+3:p.pos+3+i]...)
						p.pos += 3 + i + 3
						runLen = 0
						continue
					}
				}
			}
			w, wend := p.directiveWord(p.pos)
			start := p.pos
			switch w {
			case "end", "else":
				flush()
				p.pos = wend
				p.eatNewline()
				if w == "end" {
					return nodes, termEnd, start, nil
				}
				return nodes, termElse, start, nil
			case "elseif":
				flush()
				p.pos = wend
				return nodes, termElseif, start, nil
			case "set":
				if !p.hasParen(wend) {
					text = append(text, '#')
					p.pos++
					runLen = 0
					continue
				}
				if runLen > 0 && allBlank(text[len(text)-runLen:]) {
					text = text[:len(text)-runLen]
				}
				flush()
				p.pos = wend
				n, err := p.parseSet(start)
				if err != nil {
					return nil, 0, 0, err
				}
				nodes = append(nodes, n)
			case "if":
				flush()
				p.pos = wend
				n, err := p.parseIf(start)
				if err != nil {
					return nil, 0, 0, err
				}
				nodes = append(nodes, n)
			case "foreach":
				flush()
				p.pos = wend
				n, err := p.parseForeach(start)
				if err != nil {
					return nil, 0, 0, err
				}
				nodes = append(nodes, n)
			case "break", "stop":
				flush()
				p.pos = wend
				nodes = append(nodes, &ctlNode{stop: w == "stop"})
			case "macro", "include", "parse", "evaluate", "define":
				return nil, 0, 0, p.errf(start, "unsupported directive #%s", w)
			default:
				text = append(text, '#')
				p.pos++
				runLen = 0
			}
		default:
			j := p.pos
			for j < len(src) && src[j] != '$' && src[j] != '#' && src[j] != '\\' {
				j++
			}
			text = append(text, src[p.pos:j]...)
			runLen += j - p.pos
			p.pos = j
		}
	}
	flush()
	return nodes, termEOF, p.pos, nil
}

// hasParen reports whether '(' follows blanks at i.
func (p *parser) hasParen(i int) bool {
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
		i++
	}
	return i < len(p.src) && p.src[i] == '('
}

func allBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// eatNewline consumes trailing blanks and one newline after a directive,
// if the rest of the line is blank.
func (p *parser) eatNewline() {
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	if j < len(p.src) {
		switch p.src[j] {
		case '\n':
			p.pos = j + 1
		case '\r':
			if j+1 < len(p.src) && p.src[j+1] == '\n' {
				p.pos = j + 2
			} else {
				p.pos = j + 1
			}
		}
	}
}

func (p *parser) skipWS() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) skipBlanks() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) expect(c byte, what string) error {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errf(p.pos, "expected %q %s", c, what)
	}
	p.pos++
	return nil
}

func (p *parser) openParen(start int, dir string) error {
	p.skipBlanks()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return p.errf(start, "expected '(' after #%s", dir)
	}
	p.pos++
	return nil
}

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
			if term2 != termEnd {
				if term2 == termEOF {
					return nil, p.errf(start, "missing #end")
				}
				return nil, p.errf(tpos2, "unexpected %s after #else", termName(term2))
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
	if term != termEnd {
		if term == termEOF {
			return nil, p.errf(start, "missing #end for #foreach")
		}
		return nil, p.errf(tpos, "unexpected %s in #foreach", termName(term))
	}
	return &foreachNode{pos: start, varName: ref.name, iter: iter, body: body}, nil
}

// parseRef parses a reference at p.pos (src[p.pos] == '$'). ok=false (and
// p.pos unchanged) when the text is not a reference.
func (p *parser) parseRef() (*refNode, bool, error) {
	src := p.src
	start := p.pos
	i := start + 1
	ref := &refNode{pos: p.base + start}
	if i < len(src) && src[i] == '!' {
		ref.silent = true
		i++
	}
	braced := false
	if i < len(src) && src[i] == '{' {
		braced = true
		i++
	}
	if i >= len(src) || !isIdentStart(src[i]) {
		return nil, false, nil
	}
	j := i
	for j < len(src) && isIdentChar(src[j]) {
		j++
	}
	ref.name = src[i:j]
	p.pos = j
	if err := p.parseChain(ref); err != nil {
		p.pos = start
		return nil, false, err
	}
	if braced {
		if p.pos >= len(src) || src[p.pos] != '}' {
			p.pos = start
			return nil, false, p.errf(start, "unterminated ${ reference")
		}
		p.pos++
	}
	ref.lit = src[start:p.pos]
	return ref, true, nil
}

func (p *parser) parseChain(ref *refNode) error {
	src := p.src
	for p.pos < len(src) {
		switch src[p.pos] {
		case '.':
			if p.pos+1 >= len(src) || !isIdentStart(src[p.pos+1]) {
				return nil
			}
			i := p.pos + 1
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			acc := accessor{kind: accProp, pos: p.base + p.pos, name: src[i:j]}
			p.pos = j
			if p.pos < len(src) && src[p.pos] == '(' {
				acc.kind = accMethod
				p.pos++
				p.skipWS()
				if p.pos < len(src) && src[p.pos] == ')' {
					p.pos++
				} else {
					for {
						a, err := p.parseExpr()
						if err != nil {
							return err
						}
						acc.args = append(acc.args, a)
						p.skipWS()
						if p.pos < len(src) && src[p.pos] == ',' {
							p.pos++
							continue
						}
						if p.pos < len(src) && src[p.pos] == ')' {
							p.pos++
							break
						}
						return p.errf(p.pos, "expected ',' or ')' in method arguments")
					}
				}
			}
			ref.chain = append(ref.chain, acc)
		case '[':
			save := p.pos
			p.pos++
			ix, err := p.parseExpr()
			if err == nil {
				p.skipWS()
				if p.pos < len(src) && src[p.pos] == ']' {
					p.pos++
					ref.chain = append(ref.chain, accessor{kind: accIndex, pos: p.base + save, index: ix})
					continue
				}
			}
			p.pos = save
			return nil
		default:
			return nil
		}
	}
	return nil
}

// expressions

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
		i := p.pos + 1
		var b strings.Builder
		for {
			j := strings.IndexByte(src[i:], '\'')
			if j < 0 {
				return nil, p.errf(p.pos, "unterminated string")
			}
			b.WriteString(src[i : i+j])
			i += j + 1
			if i < len(src) && src[i] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			break
		}
		p.pos = i
		return &litExpr{v: b.String()}, nil
	case c >= '0' && c <= '9' || c == '-' && p.pos+1 < len(src) && src[p.pos+1] >= '0' && src[p.pos+1] <= '9':
		return p.parseNumber()
	case c == '[':
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
	case c == '{':
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

func nextRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

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
