package vtl

// valuesEqual implements Velocity 1.7's == operator.
func valuesEqual(l, r any) bool {
	if a, ok := toNum(l); ok {
		if b, ok := toNum(r); ok {
			return compareNum(a, b) == 0
		}
	}
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	switch a := l.(type) {
	case string:
		if b, ok := r.(string); ok {
			return a == b
		}
	case bool:
		if b, ok := r.(bool); ok {
			return a == b
		}
	}
	if sameKind(l, r) {
		return javaEquals(l, r)
	}
	return Stringify(l) == Stringify(r)
}

// sameKind reports whether l and r are both lists or both maps.
func sameKind(l, r any) bool {
	_, ll := asList(l)
	_, rl := asList(r)
	if ll || rl {
		return ll && rl
	}
	_, lm := l.(*Map)
	_, lm2 := l.(map[string]any)
	_, rm := r.(*Map)
	_, rm2 := r.(map[string]any)
	if lm || lm2 || rm || rm2 {
		return (lm || lm2) && (rm || rm2)
	}
	return false
}

// asList returns the elements of a list value.
func asList(v any) ([]any, bool) {
	switch c := v.(type) {
	case *List:
		return c.Items, true
	case []any:
		return c, true
	}
	return nil, false
}

// javaEquals approximates Java's Object.equals.
func javaEquals(l, r any) bool {
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	switch a := l.(type) {
	case string:
		b, ok := r.(string)
		return ok && a == b
	case bool:
		b, ok := r.(bool)
		return ok && a == b
	case int64, int, int32:
		x, _ := toNum(l)
		y, ok := toNum(r)
		return ok && !y.isF && x.i == y.i
	case float64, float32:
		x, _ := toNum(l)
		y, ok := toNum(r)
		return ok && y.isF && x.f == y.f
	}
	if la, ok := asList(l); ok {
		ra, ok := asList(r)
		if !ok || len(la) != len(ra) {
			return false
		}
		for i := range la {
			if !javaEquals(la[i], ra[i]) {
				return false
			}
		}
		return true
	}
	lm, lok := toMap(l)
	rm, rok := toMap(r)
	if lok || rok {
		if !lok || !rok || lm.Len() != rm.Len() {
			return false
		}
		for i, k := range lm.keys {
			v, ok := rm.Get(k)
			if !ok || !javaEquals(lm.vals[i], v) {
				return false
			}
		}
		return true
	}
	if e1, ok := l.(*Entry); ok {
		e2, ok := r.(*Entry)
		return ok && javaEquals(e1.Key, e2.Key) && javaEquals(e1.Value, e2.Value)
	}
	return isComparable(l) && isComparable(r) && l == r
}
