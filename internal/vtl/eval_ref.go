package vtl

import (
	"errors"
	"fmt"
)

// evalRef returns the value of a reference, nil when it is undefined.
func (st *state) evalRef(n *refNode) (any, error) {
	v, ok := st.lookup(n.name)
	if !ok {
		return nil, nil
	}
	if len(n.chain) == 0 {
		return v, nil
	}
	return st.applyChain(v, n.chain)
}

// applyChain applies accessors to v. A null value ends the chain with null,
// as does a method v does not have; any other method error aborts the
// render.
func (st *state) applyChain(v any, chain []accessor) (any, error) {
	for i := range chain {
		if v == nil {
			return nil, nil
		}
		a := &chain[i]
		switch a.kind {
		case accProp:
			v = st.property(v, a.name)
		case accMethod:
			// Arguments live on a per-render stack; callees must not retain them.
			mark := len(st.args)
			for _, x := range a.args {
				av, err := st.eval(x)
				if err != nil {
					st.args = st.args[:mark]
					return nil, err
				}
				st.args = append(st.args, av)
			}
			r, err := st.callMethod(v, a.name, st.args[mark:len(st.args):len(st.args)])
			clear(st.args[mark:])
			st.args = st.args[:mark]
			if err != nil {
				if errors.Is(err, ErrNoSuchMethod) {
					return nil, nil
				}
				var le *Error
				if errors.As(err, &le) {
					return nil, err
				}
				return nil, st.errAt(a.pos, err, "invocation of method %q failed: %v", a.name, err)
			}
			v = r
		case accIndex:
			ix, err := st.eval(a.index)
			if err != nil {
				return nil, err
			}
			r, err := st.index(v, ix)
			if err != nil {
				return nil, st.errAt(a.pos, err, "%v", err)
			}
			v = r
		}
	}
	return v, nil
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

// capitalize upper-cases the first letter of an ASCII name (for getName,
// isName, setName).
func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// index returns v[ix]: an element of a list (negative indexes count from
// the end), a map value, or Object.Method("get", ix).
func (st *state) index(v, ix any) (any, error) {
	switch c := v.(type) {
	case *List:
		return listIndex(c.Items, ix)
	case []any:
		return listIndex(c, ix)
	case *Map:
		r, _ := c.Get(ix)
		return r, nil
	case map[string]any:
		if k, ok := ix.(string); ok {
			return c[k], nil
		}
		return nil, nil
	case Object:
		r, err := c.Method("get", []any{ix})
		if errors.Is(err, ErrNoSuchMethod) {
			return nil, nil
		}
		return r, err
	}
	return nil, nil
}

// listIndex returns items[ix], counting a negative ix from the end; null
// for a non-integer ix and an error when ix is out of bounds.
func listIndex(items []any, ix any) (any, error) {
	i, ok := toIndex(ix)
	if !ok {
		return nil, nil
	}
	if i < 0 {
		i += len(items)
	}
	if i < 0 || i >= len(items) {
		return nil, fmt.Errorf("index %d out of bounds for length %d", i, len(items))
	}
	return items[i], nil
}
