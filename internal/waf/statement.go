package waf

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unsafe"

	"github.com/corazawaf/libinjection-go"

	"github.com/tollgate/tollgate/internal/waf/crs"
)

// matcher is a compiled statement.
type matcher interface {
	match(e *eval) bool
}

// bstr views b as a string for the duration of a call that does not keep
// it (the detectors): b is not written meanwhile.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Positional constraints of ByteMatchStatement [M].
const (
	posExactly uint8 = iota
	posStartsWith
	posEndsWith
	posContains
	posContainsWord
)

type byteMatch struct {
	f   *field
	s   []byte
	pos uint8
}

func (m *byteMatch) match(e *eval) bool {
	return m.f.match(e, func(v []byte) bool {
		switch m.pos {
		case posExactly:
			return bytes.Equal(v, m.s)
		case posStartsWith:
			return bytes.HasPrefix(v, m.s)
		case posEndsWith:
			return bytes.HasSuffix(v, m.s)
		case posContains:
			return bytes.Contains(v, m.s)
		}
		return containsWord(v, m.s)
	})
}

// containsWord reports whether w occurs in v between non-word characters
// ([^A-Za-z0-9_]) or the ends of v [M doc].
func containsWord(v, w []byte) bool {
	if len(w) == 0 {
		return false
	}
	for off := 0; ; {
		i := bytes.Index(v[off:], w)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(w)
		if (i == 0 || !isWord(v[i-1])) && (end == len(v) || !isWord(v[end])) {
			return true
		}
		off = i + 1
	}
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// regexMatch matches when any of its patterns is found in a value
// (unanchored search) [U].
type regexMatch struct {
	f   *field
	res []*regexp.Regexp
}

func (m *regexMatch) match(e *eval) bool {
	return m.f.match(e, func(v []byte) bool {
		for _, re := range m.res {
			if re.Match(v) {
				return true
			}
		}
		return false
	})
}

// Comparison operators of SizeConstraintStatement [M].
const (
	opEQ uint8 = iota
	opNE
	opLE
	opLT
	opGE
	opGT
)

type sizeMatch struct {
	f    *field
	op   uint8
	size int64
}

func (m *sizeMatch) match(e *eval) bool {
	return m.f.match(e, func(v []byte) bool {
		n := int64(len(v))
		switch m.op {
		case opEQ:
			return n == m.size
		case opNE:
			return n != m.size
		case opLE:
			return n <= m.size
		case opLT:
			return n < m.size
		case opGE:
			return n >= m.size
		}
		return n > m.size
	})
}

// sqliMatch is SqliMatchStatement: libinjection's SQL injection detector
// (the one behind CRS rule 942100) on each value; HIGH sensitivity adds
// the CRS SQL injection patterns [T].
type sqliMatch struct {
	f     *field
	extra []*crs.Rule
}

// isSQLi is libinjection's verdict on v.
func isSQLi(v []byte) bool {
	ok, _ := libinjection.IsSQLi(bstr(v))
	return ok
}

func (m *sqliMatch) match(e *eval) bool {
	return m.f.match(e, func(v []byte) bool {
		if isSQLi(v) {
			return true
		}
		for _, r := range m.extra {
			if r.Match(&e.crsBufs, v) {
				return true
			}
		}
		return false
	})
}

// xssMatch is XssMatchStatement: libinjection's XSS detector (CRS rule
// 941100's) and the CRS XSS signature patterns on each value [T].
type xssMatch struct {
	f     *field
	extra []*crs.Rule
}

func (m *xssMatch) match(e *eval) bool {
	return m.f.match(e, func(v []byte) bool {
		if libinjection.IsXSS(bstr(v)) {
			return true
		}
		for _, r := range m.extra {
			if r.Match(&e.crsBufs, v) {
				return true
			}
		}
		return false
	})
}

// sqliHigh are the CRS rules SqliMatchStatement adds at HIGH sensitivity:
// the paranoia level 1 and 2 SQL injection signatures [T].
var sqliHigh = sync.OnceValue(func() []*crs.Rule {
	return crs.MustLoad(append(append([]int(nil), sqliExtended...), 942120, 942130, 942131, 942150, 942180, 942200, 942210,
		942260, 942300, 942310, 942330, 942340, 942361, 942362, 942370, 942380, 942390, 942400, 942410, 942470, 942480,
		942430, 942440, 942450, 942510, 942511, 942520, 942521, 942522)...)
})

// xssSignatures are the CRS rules XssMatchStatement adds to libinjection:
// the paranoia level 1 XSS signatures [reference §6.4].
var xssSignatures = sync.OnceValue(func() []*crs.Rule { return crs.MustLoad(941110, 941130, 941140, 941160, 941170) })

// labelMatch matches labels earlier rules added [D: label match
// statement]. A key without the awswaf: prefix is relative to the web
// ACL's namespace.
type labelMatch struct {
	namespace bool
	// prefix is what the label must start with; key what it must end
	// with (LABEL) or contain as whole namespaces (NAMESPACE).
	prefix, key string
}

func newLabelMatch(scope, key, aclNamespace string) *labelMatch {
	m := &labelMatch{namespace: scope == "NAMESPACE", key: key}
	if !strings.HasPrefix(key, "awswaf:") {
		m.prefix = aclNamespace
	}
	return m
}

func (m *labelMatch) match(e *eval) bool {
	for _, l := range e.labels {
		if m.matches(l) {
			return true
		}
	}
	return false
}

func (m *labelMatch) matches(label string) bool {
	rest, ok := strings.CutPrefix(label, m.prefix)
	if !ok {
		return false
	}
	if m.namespace {
		// A contiguous run of namespaces, ending with ':'.
		return strings.HasPrefix(rest, m.key) || strings.Contains(rest, ":"+m.key)
	}
	// The label's name, optionally with the namespaces before it.
	return rest == m.key || strings.HasSuffix(rest, ":"+m.key)
}

type andMatch []matcher

func (m andMatch) match(e *eval) bool {
	for _, s := range m {
		if !s.match(e) {
			return false
		}
	}
	return true
}

type orMatch []matcher

func (m orMatch) match(e *eval) bool {
	for _, s := range m {
		if s.match(e) {
			return true
		}
	}
	return false
}

type notMatch struct{ m matcher }

func (m notMatch) match(e *eval) bool { return !m.m.match(e) }

// never is a statement Tollgate cannot evaluate for want of data
// (GeoMatchStatement: no GeoIP database): it never matches [T].
type never struct{}

func (never) match(*eval) bool { return false }
