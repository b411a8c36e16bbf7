package policy

import (
	"strings"
	"unicode/utf8"
)

// tri is the result of matching one value against one policy pattern.
type tri uint8

const (
	noMatch tri = iota
	match
	// unresolved: the pattern uses a policy variable that cannot be
	// resolved for this request; the element using it evaluates to false.
	unresolved
)

// ckey is a condition key name as written in the policy, plus its lower-case
// form, for case-insensitive lookups in Request.Context.
type ckey struct {
	name  string
	lower string
}

func newKey(name string) ckey { return ckey{name: name, lower: strings.ToLower(name)} }

// lookup returns the values of key k in ctx (nil when absent). The exact
// spelling and the lower-case spelling are tried first so that the common
// case costs one or two map lookups; otherwise the map is scanned.
func lookup(ctx map[string][]string, k *ckey) []string {
	if len(ctx) == 0 {
		return nil
	}
	if v, ok := ctx[k.name]; ok {
		return v
	}
	if k.lower != k.name {
		if v, ok := ctx[k.lower]; ok {
			return v
		}
	}
	for name, v := range ctx {
		if strings.EqualFold(name, k.name) {
			return v
		}
	}
	return nil
}

type tokKind uint8

const (
	tLit  tokKind = iota // literal text
	tStar                // '*': any run of characters, possibly empty
	tOne                 // '?': exactly one character
	tVar                 // ${key} or ${key, 'default'}
)

type token struct {
	kind   tokKind
	lit    string // tLit: the text; tVar: the default value
	key    ckey   // tVar
	hasDef bool   // tVar has a default value
	bad    bool   // tVar is malformed and never resolves
}

type patKind uint8

const (
	pExact   patKind = iota // lit
	pAny                    // "*"
	pPrefix                 // lit + "*"
	pSuffix                 // "*" + lit
	pGeneral                // toks
)

// pattern is a compiled IAM string pattern: literal text, optionally with
// '*' and '?' wildcards and policy variables.
type pattern struct {
	kind patKind
	fold bool // ASCII case-insensitive (actions); lit and toks are lower-case
	vars bool // toks contains tVar
	lit  string
	toks []token
}

// compilePattern compiles s. wild enables '*' and '?', vars enables policy
// variables and the ${*}, ${?}, ${$} escapes, fold makes matching ASCII
// case-insensitive.
func compilePattern(s string, wild, vars, fold bool) pattern {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].kind != tStar {
				toks = append(toks, token{kind: tStar})
			}
			i++
		case wild && c == '?':
			flush()
			toks = append(toks, token{kind: tOne})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end, ok := varEnd(s, i)
			if !ok {
				lit.WriteString("${")
				i += 2
				continue
			}
			t := parseVar(s[i+2 : end-1])
			if t.kind == tLit {
				lit.WriteString(t.lit)
			} else {
				flush()
				toks = append(toks, t)
			}
			i = end
		default:
			if fold {
				c = lowerASCII(c)
			}
			lit.WriteByte(c)
			i++
		}
	}
	flush()

	p := pattern{fold: fold}
	switch {
	case len(toks) == 0:
		p.kind = pExact
	case len(toks) == 1 && toks[0].kind == tLit:
		p.kind, p.lit = pExact, toks[0].lit
	case len(toks) == 1 && toks[0].kind == tStar:
		p.kind = pAny
	case len(toks) == 2 && toks[0].kind == tLit && toks[1].kind == tStar:
		p.kind, p.lit = pPrefix, toks[0].lit
	case len(toks) == 2 && toks[0].kind == tStar && toks[1].kind == tLit:
		p.kind, p.lit = pSuffix, toks[1].lit
	default:
		p.kind, p.toks = pGeneral, toks
		for _, t := range toks {
			if t.kind == tVar {
				p.vars = true
			}
		}
	}
	return p
}

// varEnd returns the index just past the '}' closing the variable that
// starts with "${" at s[i:]; quoted default values may contain '}'.
func varEnd(s string, i int) (int, bool) {
	inQuote := false
	for j := i + 2; j < len(s); j++ {
		c := s[j]
		if inQuote {
			if c == '\'' {
				if j+1 < len(s) && s[j+1] == '\'' {
					j++
					continue
				}
				inQuote = false
			}
			continue
		}
		switch c {
		case '\'':
			inQuote = true
		case '}':
			return j + 1, true
		}
	}
	return 0, false
}

// parseVar parses the body of ${...}: an escape (*, ?, $), a key, or a key
// with a single-quoted default, in which a doubled single quote stands for
// one quote.
func parseVar(body string) token {
	switch body {
	case "*", "?", "$":
		return token{kind: tLit, lit: body}
	}
	keyPart, defPart, hasDef := strings.Cut(body, ",")
	key := strings.TrimSpace(keyPart)
	t := token{kind: tVar, key: newKey(key)}
	if key == "" || strings.ContainsAny(key, " \t\r\n'") {
		t.bad = true
		return t
	}
	if hasDef {
		d := strings.TrimSpace(defPart)
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			t.bad = true
			return t
		}
		inner := d[1 : len(d)-1]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			if inner[i] == '\'' {
				if i+1 < len(inner) && inner[i+1] == '\'' {
					i++
				} else {
					t.bad = true
					return t
				}
			}
			b.WriteByte(inner[i])
		}
		t.lit, t.hasDef = b.String(), true
	}
	return t
}

// resolve returns the value of variable token t for ctx.
func resolve(t *token, ctx map[string][]string) (string, bool) {
	if t.bad {
		return "", false
	}
	if v := lookup(ctx, &t.key); len(v) == 1 {
		return v[0], true
	}
	if t.hasDef {
		return t.lit, true
	}
	return "", false
}

// resolvable reports whether every variable of p resolves in ctx.
func (p *pattern) resolvable(ctx map[string][]string) bool {
	if !p.vars {
		return true
	}
	for i := range p.toks {
		if t := &p.toks[i]; t.kind == tVar {
			if _, ok := resolve(t, ctx); !ok {
				return false
			}
		}
	}
	return true
}

// match matches s against p. It returns unresolved when p uses a variable
// that ctx cannot resolve.
func (p *pattern) match(s string, ctx map[string][]string) tri {
	var ok bool
	switch p.kind {
	case pAny:
		ok = true
	case pExact:
		ok = len(s) == len(p.lit) && hasPrefix(s, p.lit, p.fold)
	case pPrefix:
		ok = hasPrefix(s, p.lit, p.fold)
	case pSuffix:
		ok = len(s) >= len(p.lit) && hasPrefix(s[len(s)-len(p.lit):], p.lit, p.fold)
	default:
		if !p.resolvable(ctx) {
			return unresolved
		}
		ok = glob(p.toks, s, p.fold, ctx)
	}
	if ok {
		return match
	}
	return noMatch
}

// resolveString returns p's text with variables substituted; p must have
// been compiled without wildcards.
func (p *pattern) resolveString(ctx map[string][]string) (string, bool) {
	if p.kind != pGeneral {
		return p.lit, true
	}
	var b strings.Builder
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind == tVar {
			v, ok := resolve(t, ctx)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		} else {
			b.WriteString(t.lit)
		}
	}
	return b.String(), true
}

// glob matches s against toks. Literal tokens (and resolved variables) are
// fixed-length, so backtracking to the most recent '*' is sufficient.
func glob(toks []token, s string, fold bool, ctx map[string][]string) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				starT, starS = ti, si
				ti++
				continue
			case tOne:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tLit:
				if hasPrefix(s[si:], t.lit, fold) {
					si += len(t.lit)
					ti++
					continue
				}
			case tVar:
				v, _ := resolve(t, ctx)
				if hasPrefix(s[si:], v, false) {
					si += len(v)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last '*' swallow one more character.
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		si, ti = starS, starT+1
	}
}

// hasPrefix reports whether s starts with prefix; with fold, prefix is
// lower-case and s is compared ASCII case-insensitively.
func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// arnPattern matches ARNs component by component, as the Arn* condition
// operators do: each of the six colon-separated components is matched on
// its own, so wildcards do not cross ':' (the last component, the resource,
// may itself contain ':'). A policy value with fewer than six components is
// matched as a whole string.
type arnPattern struct {
	whole bool
	w     pattern
	parts [6]pattern
}

func compileARN(s string, vars bool) *arnPattern {
	parts, ok := splitARNPattern(s, vars)
	if !ok {
		return &arnPattern{whole: true, w: compilePattern(s, true, vars, false)}
	}
	a := &arnPattern{}
	for i, part := range parts {
		a.parts[i] = compilePattern(part, true, vars, false)
	}
	return a
}

func (a *arnPattern) match(v string, ctx map[string][]string) tri {
	if a.whole {
		return a.w.match(v, ctx)
	}
	for i := range a.parts {
		if !a.parts[i].resolvable(ctx) {
			return unresolved
		}
	}
	f, ok := splitARN(v)
	if !ok {
		return noMatch
	}
	for i := range a.parts {
		if a.parts[i].match(f[i], ctx) != match {
			return noMatch
		}
	}
	return match
}

// splitARN splits an ARN into its six components without allocating.
func splitARN(v string) (f [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(v, ':')
		if j < 0 {
			return f, false
		}
		f[i], v = v[:j], v[j+1:]
	}
	f[5] = v
	return f, true
}

// splitARNPattern splits a policy ARN into six components, ignoring ':'
// inside policy variables.
func splitARNPattern(s string, vars bool) ([6]string, bool) {
	var f [6]string
	n, start := 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			if end, ok := varEnd(s, i); ok {
				i = end - 1
			}
		case s[i] == ':':
			f[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 {
		return f, false
	}
	f[5] = s[start:]
	return f, true
}
