package mapping

import (
	"math"
	"strconv"

	"github.com/tollgate/tollgate/internal/jsonw"
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
		return jsonw.String(b, t)
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
			b = jsonw.String(b, ks)
			b = append(b, ':')
			b = AppendJSON(b, t.Values()[i])
		}
		return append(b, '}')
	case *vtl.List:
		return appendJSONList(b, t.Items)
	case []any:
		return appendJSONList(b, t)
	}
	return jsonw.String(b, vtl.Stringify(v))
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
