package vtl

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
