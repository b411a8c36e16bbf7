package vtl

// cond evaluates an expression in boolean context (Velocity's evaluate()).
func (st *state) cond(e expr) (bool, error) {
	switch e := e.(type) {
	case *refNode:
		v, err := st.evalRef(e)
		if err != nil {
			return false, err
		}
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return v != nil, nil
	case *litExpr:
		b, ok := e.v.(bool)
		return ok && b, nil
	case *parenExpr:
		return st.cond(e.x)
	case *notExpr:
		b, err := st.cond(e.x)
		return !b, err
	case *binExpr:
		switch e.op {
		case opOr:
			l, err := st.cond(e.l)
			if err != nil || l {
				return l, err
			}
			return st.cond(e.r)
		case opAnd:
			l, err := st.cond(e.l)
			if err != nil || !l {
				return false, err
			}
			return st.cond(e.r)
		case opEq, opNe, opLt, opGt, opLe, opGe:
			v, err := st.eval(e)
			if err != nil {
				return false, err
			}
			b, _ := v.(bool)
			return b, nil
		}
		return false, nil
	}
	return false, nil
}

// eval evaluates an expression to a template value (nil for null).
func (st *state) eval(e expr) (any, error) {
	switch e := e.(type) {
	case *litExpr:
		return e.v, nil
	case *refNode:
		return st.evalRef(e)
	case *parenExpr:
		return st.eval(e.x)
	case *notExpr:
		b, err := st.cond(e.x)
		return !b, err
	case *interpExpr:
		return st.interp(e)
	case *listExpr:
		if len(e.elems) > st.t.opts.maxCollection {
			return nil, st.limitErr(0, "list size exceeds limit %d", st.t.opts.maxCollection)
		}
		l := &List{Items: make([]any, 0, len(e.elems))}
		for _, x := range e.elems {
			v, err := st.eval(x)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case *mapExpr:
		m := NewMap()
		for i := range e.keys {
			k, err := st.eval(e.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := st.eval(e.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(k, v)
		}
		return m, nil
	case *rangeExpr:
		a, err := st.eval(e.from)
		if err != nil {
			return nil, err
		}
		b, err := st.eval(e.to)
		if err != nil {
			return nil, err
		}
		x, ok1 := toIntStrict(a)
		y, ok2 := toIntStrict(b)
		if !ok1 || !ok2 {
			return nil, nil
		}
		n := y - x
		if n < 0 {
			n = -n
		}
		if n >= int64(st.t.opts.maxCollection) {
			return nil, st.limitErr(e.pos, "range size exceeds limit %d", st.t.opts.maxCollection)
		}
		l := &List{Items: make([]any, 0, n+1)}
		step := int64(1)
		if y < x {
			step = -1
		}
		for i := x; ; i += step {
			l.Items = append(l.Items, i)
			if i == y {
				break
			}
		}
		return l, nil
	case *binExpr:
		return st.evalBin(e)
	}
	return nil, nil
}

func (st *state) interp(e *interpExpr) (any, error) {
	saved := st.out
	savedBase := st.base
	st.out = st.scratch[:0]
	st.scratch = nil // a nested interpolation must not reuse this buffer
	st.base = 0
	// #break or #stop inside the string ends the string only.
	_, err := st.renderNodes(e.nodes)
	res := string(st.out)
	st.scratch = st.out[:0]
	st.out = saved
	st.base = savedBase
	if err != nil {
		return nil, err
	}
	return res, nil
}

// evalBin evaluates a binary operation like Velocity 1.7: < > <= >= of
// non-numbers are false; with a null operand + - * / % give null; +
// concatenates when either side is a string; arithmetic on other
// non-numbers gives null.
func (st *state) evalBin(e *binExpr) (any, error) {
	switch e.op {
	case opOr, opAnd:
		return st.cond(e)
	}
	l, err := st.eval(e.l)
	if err != nil {
		return nil, err
	}
	r, err := st.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case opEq:
		return valuesEqual(l, r), nil
	case opNe:
		return !valuesEqual(l, r), nil
	case opLt, opGt, opLe, opGe:
		a, ok1 := toNum(l)
		b, ok2 := toNum(r)
		if !ok1 || !ok2 {
			return false, nil
		}
		c := compareNum(a, b)
		switch e.op {
		case opLt:
			return c < 0, nil
		case opGt:
			return c > 0, nil
		case opLe:
			return c <= 0, nil
		}
		return c >= 0, nil
	}
	if l == nil || r == nil {
		return nil, nil
	}
	if e.op == opAdd {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			b, err := st.appendString(nil, l, 0, e.pos)
			if err != nil {
				return nil, err
			}
			b, err = st.appendString(b, r, 0, e.pos)
			if err != nil {
				return nil, err
			}
			if len(b) > st.t.opts.maxOutput {
				return nil, st.limitErr(e.pos, "string exceeds limit %d bytes", st.t.opts.maxOutput)
			}
			return string(b), nil
		}
	}
	a, ok1 := toNum(l)
	b, ok2 := toNum(r)
	if !ok1 || !ok2 {
		return nil, nil
	}
	return arith(e.op, a, b), nil
}
