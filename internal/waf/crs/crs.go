// Package crs loads rules of the OWASP Core Rule Set v4 (as
// github.com/corazawaf/coraza-coreruleset ships them, CRS 4.25.0) and
// evaluates them natively: the subset of SecLang the rules Tollgate maps
// AWS's managed rule groups onto use — SecRule with its variables, the
// operators @rx (Go regexp, as Coraza runs it), @pm and @pmFromFile
// (Aho-Corasick), @detectSQLi and @detectXSS (libinjection, as Coraza),
// @contains, @beginsWith, @endsWith, @streq, @within; the t:
// transformations; multiMatch; and chains whose rule inspects the matched
// value again (MATCHED_VAR, MATCHED_VARS).
//
// What a rule does not need here is left out on purpose: anomaly scoring,
// setvar, skipAfter, phases, the TX collection. A rule is a detector: its
// targets say which parts of a request it inspects, Match says whether a
// value of them is an attack.
package crs

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/libinjection-go"

	"github.com/tollgate/tollgate/internal/waf/transform"
)

// Version is the CRS release the rules come from.
const Version = "4.25.0"

// Target is one variable of a rule: a collection (ARGS, REQUEST_HEADERS,
// REQUEST_FILENAME, …), optionally one key of it, or a key pattern; an
// excluded target removes keys from the rule's inspection.
type Target struct {
	Var     string
	Key     string         // lower case for headers
	KeyRE   *regexp.Regexp // a /…/ selector
	Exclude bool
}

// Rule is a compiled CRS rule.
type Rule struct {
	ID         int
	Targets    []Target
	MultiMatch bool
	// Paranoia is the rule's paranoia level (its paranoia-level/N tag).
	Paranoia int
	tf       []transform.Func
	op       operator
	chain    *Rule
	// headers are the REQUEST_HEADERS keys the rule names; allHeaders is
	// set when it inspects the whole collection.
	headers    []string
	allHeaders bool
}

// Headers returns the headers the rule inspects by name (lower case),
// and whether it inspects every header (but those it excludes).
func (r *Rule) Headers() (names []string, all bool) { return r.headers, r.allHeaders }

// ExcludesHeader reports whether the rule leaves the header out.
func (r *Rule) ExcludesHeader(name []byte) bool {
	for _, t := range r.Targets {
		if t.Var == "REQUEST_HEADERS" && t.Exclude && (t.KeyRE != nil && t.KeyRE.Match(name) || t.Key != "" && bytes.EqualFold([]byte(t.Key), name)) {
			return true
		}
	}
	return false
}

// operator tests a (transformed) value.
type operator struct {
	negate bool
	test   func(v []byte) bool
	re     *regexp.Regexp // @rx's expression, for chained rules on its captures
}

// Inspects reports whether the rule inspects variable v (any key of it
// unless key is given).
func (r *Rule) Inspects(v string) bool {
	for _, t := range r.Targets {
		if t.Var == v && !t.Exclude {
			return true
		}
	}
	return false
}

// Keys returns the keys of variable v the rule names (REQUEST_HEADERS:
// User-Agent → "user-agent"), and whether it inspects the whole
// collection.
func (r *Rule) Keys(v string) (keys []string, all bool) {
	for _, t := range r.Targets {
		if t.Var != v || t.Exclude {
			continue
		}
		if t.Key == "" && t.KeyRE == nil {
			all = true
		} else if t.Key != "" {
			keys = append(keys, t.Key)
		}
	}
	return keys, all
}

// Excludes reports whether the rule leaves key of variable v out.
func (r *Rule) Excludes(v, key string) bool {
	for _, t := range r.Targets {
		if t.Var != v || !t.Exclude {
			continue
		}
		if t.KeyRE != nil && t.KeyRE.MatchString(key) || t.Key != "" && strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

// Match reports whether value is an attack by the rule: the operator
// holds on the transformed value (with multiMatch, on the value before
// any transformation or after any of them), and so does every chained
// rule on that value.
func (r *Rule) Match(bufs *[2][]byte, value []byte) bool {
	if r.MultiMatch {
		if r.matchOne(value) {
			return true
		}
		cur := -1
		v := value
		for _, f := range r.tf {
			k := 0
			if cur == 0 {
				k = 1
			}
			out := f(&bufs[k], v)
			if len(out) == len(v) && (len(v) == 0 || &out[0] == &v[0]) {
				continue
			}
			v, cur = out, k
			if r.matchOne(v) {
				return true
			}
		}
		return false
	}
	return r.matchOne(transform.Chain(r.tf, bufs, value))
}

func (r *Rule) matchOne(v []byte) bool {
	if r.op.test(v) == r.op.negate {
		return false
	}
	for c := r.chain; c != nil; c = c.chain {
		if c.op.test(v) == c.op.negate {
			return false
		}
	}
	return true
}

// bstr views b as a string for a call that does not keep it.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ruleSet is every parsed SecRule of the CRS request rule files, by id.
type ruleSet struct {
	once  sync.Once
	rules map[int]*parsed
	err   error
}

// parsed is a SecRule as written.
type parsed struct {
	vars, op string
	actions  map[string][]string
	chain    *parsed
}

var all ruleSet

// parseAll reads every REQUEST-9*.conf file of the CRS.
func parseAll() (map[int]*parsed, error) {
	all.once.Do(func() {
		all.rules = map[int]*parsed{}
		files, err := fs.Glob(coreruleset.FS, "@owasp_crs/REQUEST-9*.conf")
		if err != nil {
			all.err = err
			return
		}
		for _, f := range files {
			b, err := fs.ReadFile(coreruleset.FS, f)
			if err != nil {
				all.err = err
				return
			}
			if err := parseFile(string(b), all.rules); err != nil {
				all.err = fmt.Errorf("%s: %w", f, err)
				return
			}
		}
	})
	return all.rules, all.err
}

// parseFile adds the SecRules of a .conf file to rules.
func parseFile(text string, rules map[int]*parsed) error {
	var directives []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(line)
		directives = append(directives, cur.String())
		cur.Reset()
	}
	var chainParent *parsed
	for _, d := range directives {
		if !strings.HasPrefix(d, "SecRule ") {
			continue
		}
		p, err := parseRule(d)
		if err != nil {
			return err
		}
		if chainParent != nil {
			chainParent.chain = p
		} else if id, err := strconv.Atoi(first(p.actions["id"])); err == nil {
			rules[id] = p
		}
		chainParent = nil
		if _, ok := p.actions["chain"]; ok {
			chainParent = p
		}
	}
	return sc.Err()
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// parseRule parses `SecRule VARIABLES "OPERATOR" "ACTIONS"`.
func parseRule(d string) (*parsed, error) {
	rest := strings.TrimSpace(strings.TrimPrefix(d, "SecRule"))
	vars, rest, err := token(rest)
	if err != nil {
		return nil, err
	}
	op, rest, err := token(rest)
	if err != nil {
		return nil, err
	}
	acts, _, _ := token(rest)
	return &parsed{vars: vars, op: op, actions: parseActions(acts)}, nil
}

// token reads one (possibly double-quoted) token.
func token(s string) (tok, rest string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", nil
	}
	if s[0] != '"' {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return s, "", nil
		}
		return s[:i], s[i:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case s[i] == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", fmt.Errorf("unterminated quote in %.60q", s)
}

// parseActions splits an action list, respecting single-quoted values.
func parseActions(s string) map[string][]string {
	out := map[string][]string{}
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == '\'':
			quoted = !quoted
			cur.WriteByte(c)
		case c == ',' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		p = strings.TrimSpace(p)
		k, v, _ := strings.Cut(p, ":")
		out[k] = append(out[k], strings.Trim(v, "'"))
	}
	return out
}

// Load compiles the rules ids, in that order.
func Load(ids ...int) ([]*Rule, error) {
	rules, err := parseAll()
	if err != nil {
		return nil, err
	}
	out := make([]*Rule, 0, len(ids))
	for _, id := range ids {
		p := rules[id]
		if p == nil {
			return nil, fmt.Errorf("crs: no rule %d", id)
		}
		r, err := compile(id, p)
		if err != nil {
			return nil, fmt.Errorf("crs: rule %d: %w", id, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// MustLoad is Load for rule lists fixed in the program.
func MustLoad(ids ...int) []*Rule {
	r, err := Load(ids...)
	if err != nil {
		panic(err)
	}
	return r
}

var cache sync.Map // id → *Rule

func compile(id int, p *parsed) (*Rule, error) {
	if r, ok := cache.Load(id); ok {
		return r.(*Rule), nil
	}
	r := &Rule{ID: id}
	for _, v := range strings.Split(p.vars, "|") {
		t, err := parseTarget(v)
		if err != nil {
			return nil, err
		}
		r.Targets = append(r.Targets, t)
	}
	var err error
	if r.op, err = parseOperator(p.op); err != nil {
		return nil, err
	}
	for _, t := range p.actions["t"] {
		if t == "none" {
			r.tf = r.tf[:0]
			continue
		}
		f := transform.ByName[t]
		if f == nil {
			return nil, fmt.Errorf("unsupported transformation t:%s", t)
		}
		r.tf = append(r.tf, f)
	}
	r.headers, r.allHeaders = r.Keys("REQUEST_HEADERS")
	_, r.MultiMatch = p.actions["multiMatch"]
	for _, tag := range p.actions["tag"] {
		if n, ok := strings.CutPrefix(tag, "paranoia-level/"); ok {
			r.Paranoia, _ = strconv.Atoi(n)
		}
	}
	prev := r
	for c := p.chain; c != nil; c = c.chain {
		if c.vars == "TX:1" && prev == r {
			if err := r.captureCompare(c.op); err != nil {
				return nil, err
			}
			continue
		}
		if c.vars != "MATCHED_VAR" && !strings.HasPrefix(c.vars, "MATCHED_VARS") {
			return nil, fmt.Errorf("unsupported chained rule on %s", c.vars)
		}
		op, err := parseOperator(c.op)
		if err != nil {
			return nil, err
		}
		prev.chain = &Rule{op: op}
		prev = prev.chain
	}
	actual, _ := cache.LoadOrStore(id, r)
	return actual.(*Rule), nil
}

// captureCompare folds a chained rule on TX:1 into the rule's own @rx
// test: with capture, TX:1 and TX:2 are the first match's groups 1 and 2.
// `[!]@streq %{TX.2}` compares them (942130: 1=1, a boolean tautology;
// 942131: a!=b); any other operator tests group 1 (942521: a quote, then
// and/or).
func (r *Rule) captureCompare(chained string) error {
	re := r.op.re
	if re == nil || r.op.negate || re.NumSubexp() < 1 {
		return fmt.Errorf("unsupported chained rule on TX:1 (%s)", chained)
	}
	if strings.TrimPrefix(chained, "!") == "@streq %{TX.2}" {
		if re.NumSubexp() < 2 {
			return fmt.Errorf("unsupported chained rule on TX:1 (%s)", chained)
		}
		neq := strings.HasPrefix(chained, "!")
		r.op.test = func(v []byte) bool {
			m := re.FindSubmatchIndex(v)
			if m == nil || m[2] < 0 || m[4] < 0 {
				return false
			}
			return bytes.Equal(v[m[2]:m[3]], v[m[4]:m[5]]) != neq
		}
		return nil
	}
	if strings.Contains(chained, "%{") {
		return fmt.Errorf("unsupported chained rule on TX:1 (%s)", chained)
	}
	op, err := parseOperator(chained)
	if err != nil {
		return err
	}
	r.op.test = func(v []byte) bool {
		m := re.FindSubmatchIndex(v)
		if m == nil || m[2] < 0 {
			return false
		}
		return op.test(v[m[2]:m[3]]) != op.negate
	}
	return nil
}

func parseTarget(v string) (Target, error) {
	var t Target
	if strings.HasPrefix(v, "!") {
		t.Exclude, v = true, v[1:]
	}
	name, key, _ := strings.Cut(v, ":")
	t.Var = name
	if len(key) >= 2 && key[0] == '/' && key[len(key)-1] == '/' {
		re, err := regexp.Compile("(?i)" + key[1:len(key)-1])
		if err != nil {
			return t, err
		}
		t.KeyRE = re
	} else {
		t.Key = strings.ToLower(key)
	}
	return t, nil
}

func parseOperator(s string) (operator, error) {
	var op operator
	if strings.HasPrefix(s, "!") {
		op.negate, s = true, s[1:]
	}
	name, arg := "@rx", s
	if strings.HasPrefix(s, "@") {
		name, arg, _ = strings.Cut(s, " ")
	}
	switch name {
	case "@rx":
		re, err := regexp.Compile(arg)
		if err != nil {
			return op, err
		}
		op.test, op.re = re.Match, re
	case "@pm":
		m := newMatcher(strings.Fields(arg))
		op.test = m.match
	case "@pmFromFile":
		var phrases []string
		for _, f := range strings.Fields(arg) {
			p, err := DataFile(f)
			if err != nil {
				return op, err
			}
			phrases = append(phrases, p...)
		}
		m := newMatcher(phrases)
		op.test = m.match
	case "@detectSQLi":
		op.test = func(v []byte) bool { ok, _ := libinjection.IsSQLi(bstr(v)); return ok }
	case "@detectXSS":
		op.test = func(v []byte) bool { return libinjection.IsXSS(bstr(v)) }
	case "@contains":
		op.test = func(v []byte) bool { return bytes.Contains(v, []byte(arg)) }
	case "@beginsWith":
		op.test = func(v []byte) bool { return bytes.HasPrefix(v, []byte(arg)) }
	case "@endsWith":
		op.test = func(v []byte) bool { return bytes.HasSuffix(v, []byte(arg)) }
	case "@streq":
		op.test = func(v []byte) bool { return string(v) == arg }
	case "@within":
		op.test = func(v []byte) bool { return len(v) > 0 && strings.Contains(arg, string(v)) }
	default:
		return op, fmt.Errorf("unsupported operator %s", name)
	}
	return op, nil
}

// Phrases is a case-insensitive phrase matcher (what @pm runs).
type Phrases struct{ m *matcher }

// NewPhrases returns a matcher of any of phrases.
func NewPhrases(phrases []string) *Phrases { return &Phrases{newMatcher(phrases)} }

// Match reports whether v contains one of the phrases, ignoring case.
func (p *Phrases) Match(v []byte) bool { return p.m.match(v) }

// DataFile returns the phrases of a CRS data file (one a line, # comments).
func DataFile(name string) ([]string, error) {
	b, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/"+name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, nil
}

// Setting returns the value a CRS setting gets in REQUEST-901-INITIALIZATION
// (setvar:'tx.{name}=…'), "" when it has none.
func Setting(name string) string {
	b, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/REQUEST-901-INITIALIZATION.conf")
	if err != nil {
		return ""
	}
	_, after, ok := strings.Cut(string(b), "setvar:'tx."+name+"=")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, "'")
	return v
}
