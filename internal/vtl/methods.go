package vtl

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"
)

func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// property resolves $v.name like Velocity's uberspector: map key, host
// object property, or a getName()/isName() getter.
func (st *state) property(v any, name string) any {
	switch o := v.(type) {
	case *Map:
		r, _ := o.Get(name)
		return r
	case map[string]any:
		return o[name]
	case Object:
		r, ok := o.Property(name)
		if !ok {
			return nil
		}
		return r
	case *Entry:
		switch name {
		case "key":
			return o.Key
		case "value":
			return o.Value
		}
		return nil
	case *loopState:
		switch name {
		case "index":
			return int64(o.index)
		case "count":
			return int64(o.index + 1)
		case "hasNext":
			return o.hasNext
		case "first":
			return o.index == 0
		case "last":
			return !o.hasNext
		case "parent":
			if o.parent == nil {
				return nil
			}
			return o.parent
		}
		return nil
	}
	cn := capitalize(name)
	if r, err := st.callMethod(v, "get"+cn, nil); err == nil {
		return r
	}
	if r, err := st.callMethod(v, "is"+cn, nil); err == nil {
		return r
	}
	return nil
}

var errUnsupported = errors.New("java.lang.UnsupportedOperationException")

func argStr(args []any, i int) (string, bool) {
	s, ok := args[i].(string)
	return s, ok
}

func argInt(args []any, i int) (int, bool) {
	return toIndex(args[i])
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jlen returns the Java (UTF-16) length of s.
func jlen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return len(utf16.Encode([]rune(s)))
}

// jsub returns the Java substring [b, e) of s, in UTF-16 units.
func jsub(s string, b, e int) (string, error) {
	n := jlen(s)
	if b < 0 || e > n || b > e {
		return "", fmt.Errorf("java.lang.StringIndexOutOfBoundsException: begin %d, end %d, length %d", b, e, n)
	}
	if isASCII(s) {
		return s[b:e], nil
	}
	u := utf16.Encode([]rune(s))
	return string(utf16.Decode(u[b:e])), nil
}

// jindex converts a byte offset in s to a UTF-16 index.
func jindex(s string, byteOff int) int {
	if byteOff < 0 || isASCII(s[:byteOff]) {
		return byteOff
	}
	return jlen(s[:byteOff])
}

// jbyte converts a UTF-16 index in s to a byte offset (clamped).
func jbyte(s string, idx int) int {
	if idx <= 0 {
		return 0
	}
	if isASCII(s) {
		return min(idx, len(s))
	}
	n := 0
	for i, r := range s {
		if n >= idx {
			return i
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return len(s)
}

func (st *state) checkStrLen(n int) error {
	if n > st.t.opts.maxOutput {
		return fmt.Errorf("%w: string of %d bytes exceeds limit %d", ErrLimit, n, st.t.opts.maxOutput)
	}
	return nil
}

func (st *state) checkColl(n int) error {
	if n > st.t.opts.maxCollection {
		return fmt.Errorf("%w: collection size %d exceeds limit %d", ErrLimit, n, st.t.opts.maxCollection)
	}
	return nil
}

// callMethod invokes a method on a value. It returns ErrNoSuchMethod when
// the value has no such method (or the arguments do not fit).
func (st *state) callMethod(v any, name string, args []any) (any, error) {
	switch o := v.(type) {
	case string:
		return st.stringMethod(o, name, args)
	case *List:
		return st.listMethod(o, o.Items, name, args)
	case []any:
		return st.listMethod(nil, o, name, args)
	case *Map:
		return st.mapMethod(o, nil, name, args)
	case map[string]any:
		m, _ := toMap(o)
		return st.mapMethod(m, o, name, args)
	case Object:
		return o.Method(name, args)
	case *Entry:
		switch {
		case name == "getKey" && len(args) == 0:
			return o.Key, nil
		case name == "getValue" && len(args) == 0:
			return o.Value, nil
		case name == "setValue" && len(args) == 1:
			old := o.Value
			o.Value = args[0]
			return old, nil
		}
	case *loopState:
		if len(args) == 0 {
			switch name {
			case "getIndex", "getCount", "getHasNext", "hasNext", "getFirst", "isFirst", "getLast", "isLast", "getParent":
				p := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is"), "has")
				if name == "hasNext" || name == "getHasNext" {
					p = "hasNext"
				} else {
					p = strings.ToLower(p[:1]) + p[1:]
				}
				return st.property(o, p), nil
			}
		}
	case bool:
		switch {
		case name == "booleanValue" && len(args) == 0:
			return o, nil
		}
	case int64, int, int32, float64, float32:
		n, _ := toNum(o)
		if len(args) == 0 {
			switch name {
			case "intValue":
				if n.isF {
					return javaF2I(n.f, 32), nil
				}
				return int64(int32(n.i)), nil
			case "longValue":
				if n.isF {
					return javaF2I(n.f, 64), nil
				}
				return n.i, nil
			case "doubleValue":
				return n.float(), nil
			case "isNaN":
				return n.isF && math.IsNaN(n.f), nil
			}
		}
		if name == "compareTo" && len(args) == 1 {
			m, ok := toNum(args[0])
			if !ok {
				return nil, ErrNoSuchMethod
			}
			return int64(compareNum(n, m)), nil
		}
	}
	// methods of java.lang.Object
	switch {
	case name == "toString" && len(args) == 0:
		return st.str(v)
	case name == "equals" && len(args) == 1:
		return javaEquals(v, args[0]), nil
	}
	return nil, ErrNoSuchMethod
}

func javaF2I(f float64, bits int) int64 {
	if math.IsNaN(f) {
		return 0
	}
	lo, hi := float64(math.MinInt32), float64(math.MaxInt32)
	if bits == 64 {
		if f >= math.MaxInt64 {
			return math.MaxInt64
		}
		if f <= math.MinInt64 {
			return math.MinInt64
		}
		return int64(f)
	}
	f = math.Max(lo, math.Min(hi, f))
	return int64(f)
}

func (st *state) str(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := st.appendString(nil, v, 0, 0)
	return string(b), err
}

func (st *state) stringMethod(s, name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "length":
			return int64(jlen(s)), nil
		case "isEmpty":
			return s == "", nil
		case "toLowerCase":
			return strings.ToLower(s), nil
		case "toUpperCase":
			return strings.ToUpper(s), nil
		case "trim":
			return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), nil
		case "strip":
			return strings.TrimSpace(s), nil
		case "isBlank":
			return strings.TrimSpace(s) == "", nil
		case "toString", "intern":
			return s, nil
		case "hashCode":
			var h int32
			for _, c := range utf16.Encode([]rune(s)) {
				h = 31*h + int32(c)
			}
			return int64(h), nil
		case "getBytes":
			l := &List{Items: make([]any, len(s))}
			for i := 0; i < len(s); i++ {
				l.Items[i] = int64(int8(s[i]))
			}
			return l, nil
		}
	case 1:
		if i, ok := argInt(args, 0); ok {
			switch name {
			case "substring":
				return jsub(s, i, jlen(s))
			case "charAt":
				n := jlen(s)
				if i < 0 || i >= n {
					return nil, fmt.Errorf("java.lang.StringIndexOutOfBoundsException: index %d, length %d", i, n)
				}
				return jsub(s, i, i+1)
			case "repeat":
				if i < 0 {
					return nil, fmt.Errorf("java.lang.IllegalArgumentException: count is negative: %d", i)
				}
				if err := st.checkStrLen(len(s) * i); err != nil {
					return nil, err
				}
				return strings.Repeat(s, i), nil
			}
		}
		a, ok := argStr(args, 0)
		if !ok {
			if name == "equals" {
				return false, nil
			}
			if name == "contains" || name == "concat" || name == "indexOf" || name == "lastIndexOf" {
				// Java would not find a method for a non-String argument
				return nil, ErrNoSuchMethod
			}
			break
		}
		switch name {
		case "indexOf":
			return int64(jindex(s, strings.Index(s, a))), nil
		case "lastIndexOf":
			return int64(jindex(s, strings.LastIndex(s, a))), nil
		case "contains":
			return strings.Contains(s, a), nil
		case "startsWith":
			return strings.HasPrefix(s, a), nil
		case "endsWith":
			return strings.HasSuffix(s, a), nil
		case "equals", "contentEquals":
			return s == a, nil
		case "equalsIgnoreCase":
			return strings.EqualFold(s, a), nil
		case "concat":
			if err := st.checkStrLen(len(s) + len(a)); err != nil {
				return nil, err
			}
			return s + a, nil
		case "matches":
			re, err := compileJavaRegex(a, true)
			if err != nil {
				return nil, err
			}
			return re.MatchString(s), nil
		case "split":
			return javaSplit(s, a, 0)
		case "compareTo":
			return int64(javaCompare(s, a)), nil
		case "compareToIgnoreCase":
			return int64(javaCompare(strings.ToLower(s), strings.ToLower(a))), nil
		}
	case 2:
		switch name {
		case "substring":
			b, ok1 := argInt(args, 0)
			e, ok2 := argInt(args, 1)
			if ok1 && ok2 {
				return jsub(s, b, e)
			}
		case "indexOf", "lastIndexOf":
			a, ok1 := argStr(args, 0)
			from, ok2 := argInt(args, 1)
			if !ok1 || !ok2 {
				break
			}
			if name == "indexOf" {
				if from < 0 {
					from = 0
				}
				bo := jbyte(s, from)
				if from > jlen(s) {
					return int64(-1), nil
				}
				i := strings.Index(s[bo:], a)
				if i < 0 {
					return int64(-1), nil
				}
				return int64(jindex(s, bo+i)), nil
			}
			if from < 0 {
				return int64(-1), nil
			}
			end := jbyte(s, from) + len(a)
			if end > len(s) {
				end = len(s)
			}
			return int64(jindex(s, strings.LastIndex(s[:end], a))), nil
		case "replace", "replaceAll", "replaceFirst":
			a, ok1 := argStr(args, 0)
			b, ok2 := argStr(args, 1)
			if !ok1 || !ok2 {
				break
			}
			if name == "replace" {
				n := strings.Count(s, a)
				if err := st.checkStrLen(len(s) + n*(len(b)-len(a))); err != nil {
					return nil, err
				}
				return strings.ReplaceAll(s, a, b), nil
			}
			re, err := compileJavaRegex(a, false)
			if err != nil {
				return nil, err
			}
			repl, err := javaReplacement(b, re.NumSubexp())
			if err != nil {
				return nil, err
			}
			if name == "replaceFirst" {
				loc := re.FindStringSubmatchIndex(s)
				if loc == nil {
					return s, nil
				}
				var out []byte
				out = append(out, s[:loc[0]]...)
				out = re.ExpandString(out, repl, s, loc)
				out = append(out, s[loc[1]:]...)
				return string(out), nil
			}
			if len(repl) > 0 && len(s)+(len(s)+1)*len(repl) > st.t.opts.maxOutput {
				n := len(re.FindAllStringIndex(s, -1))
				if err := st.checkStrLen(len(s) + n*len(repl)); err != nil {
					return nil, err
				}
			}
			r := re.ReplaceAllString(s, repl)
			if err := st.checkStrLen(len(r)); err != nil {
				return nil, err
			}
			return r, nil
		case "split":
			a, ok1 := argStr(args, 0)
			lim, ok2 := argInt(args, 1)
			if ok1 && ok2 {
				return javaSplit(s, a, lim)
			}
		case "startsWith":
			a, ok1 := argStr(args, 0)
			off, ok2 := argInt(args, 1)
			if ok1 && ok2 {
				if off < 0 || off > jlen(s) {
					return false, nil
				}
				return strings.HasPrefix(s[jbyte(s, off):], a), nil
			}
		}
	}
	return nil, ErrNoSuchMethod
}

func javaCompare(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

func javaSplit(s, pattern string, limit int) (any, error) {
	re, err := compileJavaRegex(pattern, false)
	if err != nil {
		return nil, err
	}
	if s == "" {
		return &List{Items: []any{""}}, nil
	}
	n := -1
	if limit > 0 {
		n = limit
	}
	locs := re.FindAllStringIndex(s, n)
	var parts []string
	last := 0
	for _, loc := range locs {
		if limit > 0 && len(parts) == limit-1 {
			break
		}
		if loc[1] == 0 { // zero-width match at the beginning: no leading empty string
			continue
		}
		if loc[0] == loc[1] && loc[0] == len(s) {
			continue
		}
		parts = append(parts, s[last:loc[0]])
		last = loc[1]
	}
	parts = append(parts, s[last:])
	if limit == 0 {
		for len(parts) > 1 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if len(parts) == 1 && parts[0] == "" && len(locs) > 0 {
			parts = parts[:0]
		}
	}
	l := &List{Items: make([]any, len(parts))}
	for i, p := range parts {
		l.Items[i] = p
	}
	return l, nil
}

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

func (st *state) listMethod(l *List, items []any, name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(len(items)), nil
		case "isEmpty":
			return len(items) == 0, nil
		case "clear":
			if l == nil {
				return nil, errUnsupported
			}
			l.Items = l.Items[:0]
			return nil, nil
		}
	case 1:
		switch name {
		case "get":
			if _, ok := toIndex(args[0]); !ok {
				return nil, ErrNoSuchMethod
			}
			i, _ := toIndex(args[0])
			if i < 0 || i >= len(items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(items))
			}
			return items[i], nil
		case "contains":
			for _, x := range items {
				if javaEquals(x, args[0]) {
					return true, nil
				}
			}
			return false, nil
		case "indexOf", "lastIndexOf":
			idx := int64(-1)
			for i, x := range items {
				if javaEquals(x, args[0]) {
					idx = int64(i)
					if name == "indexOf" {
						break
					}
				}
			}
			return idx, nil
		case "add":
			if l == nil {
				return nil, errUnsupported
			}
			if err := st.checkColl(len(l.Items) + 1); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, args[0])
			return true, nil
		case "addAll":
			if l == nil {
				return nil, errUnsupported
			}
			other, ok := asList(args[0])
			if !ok {
				return nil, ErrNoSuchMethod
			}
			if err := st.checkColl(len(l.Items) + len(other)); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, other...)
			return len(other) > 0, nil
		case "remove":
			if l == nil {
				return nil, errUnsupported
			}
			if i, ok := toIndex(args[0]); ok {
				if i < 0 || i >= len(l.Items) {
					return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
				}
				old := l.Items[i]
				l.Items = slices_delete(l.Items, i)
				return old, nil
			}
			for i, x := range l.Items {
				if javaEquals(x, args[0]) {
					l.Items = slices_delete(l.Items, i)
					return true, nil
				}
			}
			return false, nil
		}
	case 2:
		i, ok := toIndex(args[0])
		if !ok {
			break
		}
		switch name {
		case "set":
			if l == nil {
				return nil, errUnsupported
			}
			if i < 0 || i >= len(l.Items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
			}
			old := l.Items[i]
			l.Items[i] = args[1]
			return old, nil
		case "add":
			if l == nil {
				return nil, errUnsupported
			}
			if i < 0 || i > len(l.Items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, len(l.Items))
			}
			if err := st.checkColl(len(l.Items) + 1); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, nil)
			copy(l.Items[i+1:], l.Items[i:])
			l.Items[i] = args[1]
			return nil, nil
		case "subList":
			j, ok := toIndex(args[1])
			if !ok {
				break
			}
			if i < 0 || j > len(items) || i > j {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: fromIndex %d, toIndex %d, size %d", i, j, len(items))
			}
			return &List{Items: append([]any(nil), items[i:j]...)}, nil
		}
	}
	return nil, ErrNoSuchMethod
}

func slices_delete(s []any, i int) []any {
	copy(s[i:], s[i+1:])
	s[len(s)-1] = nil
	return s[:len(s)-1]
}

// mapMethod implements java.util.Map methods; gm is set when the map is a
// plain map[string]any (m is then a sorted copy).
func (st *state) mapMethod(m *Map, gm map[string]any, name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(m.Len()), nil
		case "isEmpty":
			return m.Len() == 0, nil
		case "keySet":
			return &List{Items: append([]any(nil), m.keys...)}, nil
		case "values":
			return &List{Items: append([]any(nil), m.vals...)}, nil
		case "entrySet":
			l := &List{Items: make([]any, len(m.keys))}
			for i, k := range m.keys {
				l.Items[i] = &Entry{Key: k, Value: m.vals[i]}
			}
			return l, nil
		case "clear":
			if gm != nil {
				clear(gm)
			} else {
				*m = Map{}
			}
			return nil, nil
		}
	case 1:
		switch name {
		case "get":
			r, _ := m.Get(args[0])
			return r, nil
		case "containsKey":
			_, ok := m.Get(args[0])
			return ok, nil
		case "containsValue":
			for _, v := range m.vals {
				if javaEquals(v, args[0]) {
					return true, nil
				}
			}
			return false, nil
		case "remove":
			if gm != nil {
				k, ok := args[0].(string)
				if !ok {
					return nil, nil
				}
				old := gm[k]
				delete(gm, k)
				return old, nil
			}
			return m.Remove(args[0]), nil
		case "putAll":
			other, ok := toMap(args[0])
			if !ok {
				return nil, ErrNoSuchMethod
			}
			for i, k := range other.keys {
				if _, err := st.mapMethod(m, gm, "put", []any{k, other.vals[i]}); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}
	case 2:
		switch name {
		case "put", "putIfAbsent":
			old, exists := m.Get(args[0])
			if name == "putIfAbsent" && old != nil {
				return old, nil
			}
			if !exists {
				if err := st.checkColl(m.Len() + 1); err != nil {
					return nil, err
				}
			}
			if gm != nil {
				k, ok := args[0].(string)
				if !ok {
					return nil, errUnsupported
				}
				gm[k] = args[1]
				return old, nil
			}
			return m.Put(args[0], args[1]), nil
		case "getOrDefault":
			if r, ok := m.Get(args[0]); ok {
				return r, nil
			}
			return args[1], nil
		}
	}
	return nil, ErrNoSuchMethod
}
