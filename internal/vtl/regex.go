package vtl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

var (
	regexCache sync.Map // string -> *regexp.Regexp
	regexCount atomic.Int64
)

// compileJavaRegex compiles a Java regular expression with Go's regexp
// (RE2): most Java syntax is shared; lookaround, backreferences and
// possessive quantifiers are rejected.
func compileJavaRegex(p string, full bool) (*regexp.Regexp, error) {
	key := p
	if full {
		key = "\x00" + p
	}
	if re, ok := regexCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	expr := p
	if full {
		expr = `^(?:` + p + `)$`
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("java.util.regex.PatternSyntaxException: %v", err)
	}
	if regexCount.Add(1) <= 4096 {
		regexCache.Store(key, re)
	}
	return re, nil
}

// javaReplacement converts a Java replacement string ($1, ${name}, \x) to
// Go's regexp.Expand syntax.
func javaReplacement(r string, ngroups int) (string, error) {
	if !strings.ContainsAny(r, `$\`) {
		return r, nil
	}
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch c {
		case '\\':
			i++
			if i >= len(r) {
				return "", errors.New("java.lang.IllegalArgumentException: character to be escaped is missing")
			}
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case '$':
			i++
			if i >= len(r) {
				return "", errors.New("java.lang.IllegalArgumentException: Illegal group reference: group index is missing")
			}
			if r[i] == '{' {
				j := strings.IndexByte(r[i:], '}')
				if j < 0 {
					return "", errors.New("java.lang.IllegalArgumentException: named capturing group is missing trailing '}'")
				}
				b.WriteString("${" + r[i+1:i+j] + "}")
				i += j
				continue
			}
			if r[i] < '0' || r[i] > '9' {
				return "", errors.New("java.lang.IllegalArgumentException: Illegal group reference")
			}
			g := int(r[i] - '0')
			if g > ngroups {
				return "", fmt.Errorf("java.lang.IndexOutOfBoundsException: No group %d", g)
			}
			for i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9' {
				ng := g*10 + int(r[i+1]-'0')
				if ng > ngroups {
					break
				}
				g = ng
				i++
			}
			fmt.Fprintf(&b, "${%d}", g)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
