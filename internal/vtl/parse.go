package vtl

import (
	"strings"
)

// parser is a recursive-descent parser of template source.
type parser struct {
	t     *Template
	src   string
	pos   int
	base  int // offset of src within the template source (string interpolation)
	depth int
}

// How parseBlock's block ended.
const (
	termEOF = iota
	termEnd
	termElse
	termElseif
)

// errf returns a syntax error located at pos in p.src.
func (p *parser) errf(pos int, format string, args ...any) error {
	return p.t.errAt(p.base+pos, nil, format, args...)
}

// enter counts one more level of nesting, failing beyond the depth limit;
// the caller decrements p.depth when it leaves.
func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > p.t.opts.maxDepth {
		return p.t.errAt(p.base+pos, ErrLimit, "nesting depth exceeds limit %d", p.t.opts.maxDepth)
	}
	return nil
}

// parseTop parses a whole template.
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

// termName names a block terminator for error messages.
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

// isIdentStart reports whether c can begin an identifier.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isIdentChar reports whether c can continue a reference name ('-' is
// allowed, as in Velocity 1.7).
func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

// isWordChar reports whether c can continue a directive or keyword.
func isWordChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

// isDirectiveWord reports whether w names a Velocity directive.
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
			case "if", "foreach":
				flush()
				p.pos = wend
				parse := p.parseIf
				if w == "foreach" {
					parse = p.parseForeach
				}
				n, err := parse(start)
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

// allBlank reports whether b holds only spaces and tabs.
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

// skipWS skips spaces, tabs and line breaks.
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

// skipBlanks skips spaces and tabs.
func (p *parser) skipBlanks() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// expect skips white space and consumes c, or fails with a message naming
// what c is for.
func (p *parser) expect(c byte, what string) error {
	p.skipWS()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errf(p.pos, "expected %q %s", c, what)
	}
	p.pos++
	return nil
}
