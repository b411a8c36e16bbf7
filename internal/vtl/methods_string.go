package vtl

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// stringMethod implements java.lang.String methods. It returns
// ErrNoSuchMethod for other names and for arguments Java would not accept.
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

// javaSplit is Java's String.split(pattern, limit): a zero-width match at
// the start gives no leading empty string, a positive limit caps the number
// of parts, and limit 0 drops trailing empty strings.
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

// javaCompare is Java's String.compareTo: the difference of the first
// differing UTF-16 units, or else of the lengths.
func javaCompare(a, b string) int {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}
