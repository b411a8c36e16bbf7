package vtl

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

// parseChain parses the accessors after a reference's name: .name,
// .name(args) and [index]. A '[' that does not begin an index ends the
// chain, leaving it as text.
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
