package mapping

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/vtl"
)

// AppendJSON appends v (a template value) as compact JSON, maps in their
// insertion order. Strings are escaped as JSON requires and no more
// (no HTML escaping), as API Gateway's $input.json does.
func AppendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, t)
	case bool:
		return strconv.AppendBool(b, t)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, t, 'g', -1, 64)
	case *vtl.Map:
		b = append(b, '{')
		for i, k := range t.Keys() {
			if i > 0 {
				b = append(b, ',')
			}
			ks, ok := k.(string)
			if !ok {
				ks = vtl.Stringify(k)
			}
			b = appendJSONString(b, ks)
			b = append(b, ':')
			b = AppendJSON(b, t.Values()[i])
		}
		return append(b, '}')
	case *vtl.List:
		return appendJSONList(b, t.Items)
	case []any:
		return appendJSONList(b, t)
	}
	return appendJSONString(b, vtl.Stringify(v))
}

func appendJSONList(b []byte, items []any) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSON(b, it)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			if c >= utf8.RuneSelf {
				b = append(b, "\\ufffd"...)
			} else {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
