package policy

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opKind is the family of a condition operator.
type opKind uint8

const (
	opString     opKind = iota // StringEquals
	opStringFold               // StringEqualsIgnoreCase
	opStringLike               // StringLike
	opNumeric                  // Numeric*
	opDate                     // Date*
	opBool                     // Bool
	opBinary                   // BinaryEquals
	opIP                       // IpAddress
	opARN                      // ArnEquals, ArnLike (identical in IAM)
	opNull                     // Null
)

// cmpKind is the comparison of Numeric* and Date* operators.
type cmpKind uint8

const (
	cmpEQ cmpKind = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

// qualKind is a set qualifier.
type qualKind uint8

const (
	qualNone qualKind = iota
	qualAny           // ForAnyValue:
	qualAll           // ForAllValues:
)

type opInfo struct {
	kind    opKind
	cmp     cmpKind
	negated bool
}

// operators maps lower-case base operator names to their meaning.
var operators = map[string]opInfo{
	"stringequals":              {kind: opString},
	"stringnotequals":           {kind: opString, negated: true},
	"stringequalsignorecase":    {kind: opStringFold},
	"stringnotequalsignorecase": {kind: opStringFold, negated: true},
	"stringlike":                {kind: opStringLike},
	"stringnotlike":             {kind: opStringLike, negated: true},
	"numericequals":             {kind: opNumeric, cmp: cmpEQ},
	"numericnotequals":          {kind: opNumeric, cmp: cmpEQ, negated: true},
	"numericlessthan":           {kind: opNumeric, cmp: cmpLT},
	"numericlessthanequals":     {kind: opNumeric, cmp: cmpLE},
	"numericgreaterthan":        {kind: opNumeric, cmp: cmpGT},
	"numericgreaterthanequals":  {kind: opNumeric, cmp: cmpGE},
	"dateequals":                {kind: opDate, cmp: cmpEQ},
	"datenotequals":             {kind: opDate, cmp: cmpEQ, negated: true},
	"datelessthan":              {kind: opDate, cmp: cmpLT},
	"datelessthanequals":        {kind: opDate, cmp: cmpLE},
	"dategreaterthan":           {kind: opDate, cmp: cmpGT},
	"dategreaterthanequals":     {kind: opDate, cmp: cmpGE},
	"bool":                      {kind: opBool},
	"binaryequals":              {kind: opBinary},
	"ipaddress":                 {kind: opIP},
	"notipaddress":              {kind: opIP, negated: true},
	"arnequals":                 {kind: opARN},
	"arnlike":                   {kind: opARN},
	"arnnotequals":              {kind: opARN, negated: true},
	"arnnotlike":                {kind: opARN, negated: true},
	"null":                      {kind: opNull},
}

// condition is one (operator, key) pair of a Condition block.
type condition struct {
	opInfo
	qual     qualKind
	ifExists bool
	key      ckey
	vals     []condValue
}

// condValue is one compiled policy value.
type condValue struct {
	pat  pattern     // opString, opStringFold, opStringLike
	arn  *arnPattern // opARN
	num  float64     // opNumeric
	t    time.Time   // opDate
	pfx  netip.Prefix
	b    bool   // opBool, opNull
	bin  string // opBinary: decoded bytes
	b64  string // opBinary: canonical base64
	text string // opStringFold without variables
}

// parseOperator splits "ForAnyValue:StringEqualsIfExists" into its parts.
func parseOperator(name string) (opInfo, qualKind, bool, error) {
	base := name
	qual := qualNone
	if q, rest, ok := strings.Cut(base, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			qual = qualAny
		case "forallvalues":
			qual = qualAll
		default:
			return opInfo{}, 0, false, fmt.Errorf("unknown set qualifier %q in condition operator %q", q, name)
		}
		base = rest
	}
	lower := strings.ToLower(base)
	ifExists := false
	if s, ok := strings.CutSuffix(lower, "ifexists"); ok {
		lower, ifExists = s, true
	}
	info, ok := operators[lower]
	if !ok || (ifExists && info.kind == opNull) {
		return opInfo{}, 0, false, fmt.Errorf("unknown condition operator %q", name)
	}
	return info, qual, ifExists, nil
}

// compileValue compiles one policy value for operator kind k.
func compileValue(k opKind, s string, vars bool) (condValue, error) {
	var v condValue
	switch k {
	case opString:
		v.pat = compilePattern(s, false, vars, false)
	case opStringFold:
		v.pat = compilePattern(s, false, vars, false)
		v.text, _ = v.pat.resolveString(nil)
	case opStringLike:
		v.pat = compilePattern(s, true, vars, false)
	case opARN:
		v.arn = compileARN(s, vars)
	case opNumeric:
		f, ok := parseNumber(s)
		if !ok {
			return v, fmt.Errorf("invalid number %q", s)
		}
		v.num = f
	case opDate:
		t, ok := parseDate(s)
		if !ok {
			return v, fmt.Errorf("invalid date %q", s)
		}
		v.t = t
	case opBool, opNull:
		switch strings.ToLower(s) {
		case "true":
			v.b = true
		case "false":
		default:
			return v, fmt.Errorf("invalid boolean %q", s)
		}
	case opBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return v, fmt.Errorf("invalid base64 value %q", s)
			}
		}
		v.bin, v.b64 = string(b), base64.StdEncoding.EncodeToString(b)
	case opIP:
		p, ok := parseCIDR(s)
		if !ok {
			return v, fmt.Errorf("invalid IP address or CIDR %q", s)
		}
		v.pfx = p
	}
	return v, nil
}

// parseNumber parses a decimal integer or floating-point number.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return 0, false // no hex, "Inf", "NaN", '_'
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, ok := parseIP(s)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseIP parses an IPv4 or IPv6 address, dropping any zone and unmapping
// IPv4-mapped IPv6 addresses.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// dateLayouts are the ISO 8601 forms accepted besides epoch seconds.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102T150405Z",
}

// parseDate parses an ISO 8601 date/time (UTC when no zone is given) or a
// number of seconds since the Unix epoch.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		if len(s) == 8 {
			if t, err := time.Parse("20060102", s); err == nil {
				return t, true
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(f) > 1e15 {
			return time.Time{}, false
		}
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64((f-sec)*1e9)).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isEpoch reports whether s looks like epoch seconds: optional sign, digits,
// optional fraction. (parseDate reads a valid 8-digit date such as 20240131
// as a basic-format ISO 8601 date instead.)
func isEpoch(s string) bool {
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return false
		}
	}
	return digits > 0
}

// eval evaluates the condition against ctx.
func (c *condition) eval(ctx map[string][]string) bool {
	vals := lookup(ctx, &c.key)
	if c.kind == opNull {
		absent := len(vals) == 0
		for i := range c.vals {
			if c.vals[i].b == absent {
				return true
			}
		}
		return false
	}
	if len(vals) == 0 {
		switch c.qual {
		case qualAll:
			return true
		case qualAny:
			return c.ifExists
		}
		return c.ifExists || c.negated
	}
	// Without a qualifier a positive operator needs one request value to
	// match, a negated one needs every request value to differ.
	all := c.qual == qualAll || (c.qual == qualNone && c.negated)
	for _, v := range vals {
		if c.sat(v, ctx) != all {
			return !all
		}
	}
	return all
}

// sat reports whether request value v satisfies the operator: for positive
// operators it matches at least one policy value, for negated operators it
// matches none of them (and every policy value could be resolved).
func (c *condition) sat(v string, ctx map[string][]string) bool {
	var rv reqValue
	if !rv.prepare(c.kind, v) {
		// Unparsable request value (e.g. not an IP address): it matches no
		// policy value.
		return c.negated && c.allResolvable(ctx)
	}
	for i := range c.vals {
		r := c.test(&c.vals[i], &rv, ctx)
		if c.negated {
			if r != noMatch {
				return false
			}
		} else if r == match {
			return true
		}
	}
	return c.negated
}

func (c *condition) allResolvable(ctx map[string][]string) bool {
	for i := range c.vals {
		pv := &c.vals[i]
		switch c.kind {
		case opString, opStringFold, opStringLike:
			if !pv.pat.resolvable(ctx) {
				return false
			}
		case opARN:
			if pv.arn.whole {
				if !pv.arn.w.resolvable(ctx) {
					return false
				}
				continue
			}
			for j := range pv.arn.parts {
				if !pv.arn.parts[j].resolvable(ctx) {
					return false
				}
			}
		}
	}
	return true
}

// reqValue is a request value parsed for one operator family.
type reqValue struct {
	s   string
	num float64
	t   time.Time
	ip  netip.Addr
	b   bool
}

func (rv *reqValue) prepare(k opKind, s string) bool {
	rv.s = s
	var ok bool
	switch k {
	case opNumeric:
		rv.num, ok = parseNumber(s)
		return ok
	case opDate:
		rv.t, ok = parseDate(s)
		return ok
	case opIP:
		rv.ip, ok = parseIP(strings.TrimSpace(s))
		return ok
	case opBool:
		switch {
		case strings.EqualFold(s, "true"):
			rv.b = true
		case strings.EqualFold(s, "false"):
			rv.b = false
		default:
			return false
		}
	}
	return true
}

// test compares one request value with one policy value, ignoring negation.
func (c *condition) test(pv *condValue, rv *reqValue, ctx map[string][]string) tri {
	ok := false
	switch c.kind {
	case opString, opStringLike:
		return pv.pat.match(rv.s, ctx)
	case opARN:
		return pv.arn.match(rv.s, ctx)
	case opStringFold:
		want := pv.text
		if pv.pat.vars {
			var resolved bool
			if want, resolved = pv.pat.resolveString(ctx); !resolved {
				return unresolved
			}
		}
		ok = strings.EqualFold(rv.s, want)
	case opNumeric:
		ok = compare(cmpFloat(rv.num, pv.num), c.cmp)
	case opDate:
		ok = compare(rv.t.Compare(pv.t), c.cmp)
	case opBool:
		ok = rv.b == pv.b
	case opBinary:
		ok = rv.s == pv.bin || rv.s == pv.b64
	case opIP:
		ok = pv.pfx.Contains(rv.ip)
	}
	if ok {
		return match
	}
	return noMatch
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, k cmpKind) bool {
	switch k {
	case cmpEQ:
		return c == 0
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	}
	return false
}
