package vtl

import (
	"fmt"
	"math"
	"strconv"
)

// str returns Java's toString() of v.
func (st *state) str(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := st.appendString(nil, v, 0, 0)
	return string(b), err
}

// appendString appends Java's toString() of v to b.
func (st *state) appendString(b []byte, v any, depth int, pos int) ([]byte, error) {
	if depth > st.t.opts.maxDepth {
		return b, st.limitErr(pos, "value nesting exceeds limit %d", st.t.opts.maxDepth)
	}
	if len(b) > st.t.opts.maxOutput+st.base {
		return b, st.limitErr(pos, "output exceeds limit %d bytes", st.t.opts.maxOutput)
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return append(b, x...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return appendJavaDouble(b, x), nil
	case float32:
		return appendJavaDouble(b, float64(x)), nil
	case *List, []any:
		items, _ := asList(x)
		b = append(b, '[')
		for i, it := range items {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if it == v {
				b = append(b, "(this Collection)"...)
				continue
			}
			b, err = st.appendString(b, it, depth+1, pos)
			if err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case *Map, map[string]any:
		m, _ := toMap(x)
		b = append(b, '{')
		for i, k := range m.keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			b, err = st.appendString(b, k, depth+1, pos)
			if err != nil {
				return b, err
			}
			b = append(b, '=')
			if m.vals[i] == v {
				b = append(b, "(this Map)"...)
				continue
			}
			b, err = st.appendString(b, m.vals[i], depth+1, pos)
			if err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case *Entry:
		var err error
		b, err = st.appendString(b, x.Key, depth+1, pos)
		if err != nil {
			return b, err
		}
		b = append(b, '=')
		return st.appendString(b, x.Value, depth+1, pos)
	case *loopState:
		return append(b, "org.apache.velocity.runtime.directive.ForeachScope"...), nil
	case fmt.Stringer:
		return append(b, x.String()...), nil
	}
	return fmt.Appendf(b, "%v", v), nil
}

// Stringify returns Java's toString() of a template value: numbers as Java
// formats them (1.0, 1.0E10), lists as "[a, b]", maps as "{k=v}".
func Stringify(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	st := &state{t: &Template{opts: options{maxDepth: DefaultMaxDepth, maxOutput: DefaultMaxOutputSize}}}
	b, _ := st.appendString(nil, v, 0, 0)
	return string(b)
}

// appendJavaDouble formats f like Java's Double.toString.
func appendJavaDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		for i := start; i < len(b); i++ {
			if b[i] == '.' {
				return b
			}
		}
		return append(b, ".0"...)
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	// s is like -1.2345e+07 or 1e-05
	ei := 0
	for i, c := range s {
		if c == 'e' {
			ei = i
			break
		}
	}
	mant := s[:ei]
	b = append(b, mant...)
	hasDot := false
	for _, c := range mant {
		if c == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	exp := s[ei+1:]
	if exp[0] == '+' {
		exp = exp[1:]
	} else if exp[0] == '-' {
		b = append(b, '-')
		exp = exp[1:]
	}
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(b, exp...)
}
