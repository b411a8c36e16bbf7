package vtl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
)

type ctl int

const (
	ctlNone ctl = iota
	ctlBreak
	ctlStop
)

// loopState is the value of $foreach inside a #foreach body.
type loopState struct {
	index   int
	hasNext bool
	parent  *loopState
}

type state struct {
	t       *Template
	ctx     context.Context
	vars    Vars
	scope   map[string]any
	out     []byte
	base    int
	loop    *loopState
	iter    int
	depth   int
	scratch []byte
	args    []any
}

func (st *state) reset() {
	st.t = nil
	st.ctx = nil
	st.vars = nil
	st.out = nil
	st.loop = nil
	st.iter = 0
	st.depth = 0
	if len(st.scope) > 64 {
		st.scope = nil
	} else {
		clear(st.scope)
	}
	if cap(st.scratch) > 1<<16 {
		st.scratch = nil
	}
}

func (st *state) errAt(pos int, err error, format string, args ...any) error {
	return st.t.errAt(pos, err, format, args...)
}

func (st *state) limitErr(pos int, format string, args ...any) error {
	return st.t.errAt(pos, ErrLimit, format, args...)
}

func (st *state) lookup(name string) (any, bool) {
	if st.loop != nil {
		switch name {
		case "foreach":
			return st.loop, true
		case "velocityCount":
			return int64(st.loop.index + 1), true
		case "velocityHasNext":
			return st.loop.hasNext, true
		}
	}
	if v, ok := st.scope[name]; ok {
		return v, true
	}
	v, ok := st.vars[name]
	if ok && v == nil {
		return nil, false
	}
	return v, ok
}

func (st *state) setVar(name string, v any) {
	if st.scope == nil {
		st.scope = make(map[string]any, 8)
	}
	st.scope[name] = v
}

func (st *state) checkOut(pos int) error {
	if len(st.out)-st.base > st.t.opts.maxOutput {
		return st.limitErr(pos, "output exceeds limit %d bytes", st.t.opts.maxOutput)
	}
	return nil
}

func (st *state) renderNodes(nodes []node) (ctl, error) {
	for _, n := range nodes {
		switch n := n.(type) {
		case *textNode:
			st.out = append(st.out, n.text...)
			if err := st.checkOut(0); err != nil {
				return ctlStop, err
			}
		case *refNode:
			if err := st.renderRef(n); err != nil {
				return ctlStop, err
			}
		case *setNode:
			if err := st.execSet(n); err != nil {
				return ctlStop, err
			}
		case *ifNode:
			body := n.els
			for i, c := range n.conds {
				ok, err := st.cond(c)
				if err != nil {
					return ctlStop, err
				}
				if ok {
					body = n.bodies[i]
					break
				}
			}
			if body != nil {
				if c, err := st.renderNodes(body); c != ctlNone || err != nil {
					return c, err
				}
			}
		case *foreachNode:
			c, err := st.execForeach(n)
			if c == ctlStop || err != nil {
				return ctlStop, err
			}
		case *ctlNode:
			if n.stop || st.loop == nil {
				return ctlStop, nil
			}
			return ctlBreak, nil
		}
	}
	return ctlNone, nil
}

func (st *state) renderRef(n *refNode) error {
	v, err := st.evalRef(n)
	if err != nil {
		return err
	}
	if n.esc > 0 {
		if v == nil {
			k := n.esc
			if k%2 == 1 {
				k = k/2 + 1
			}
			for i := 0; i < k; i++ {
				st.out = append(st.out, '\\')
			}
			if n.esc%2 == 1 || !n.silent {
				st.out = append(st.out, n.lit...)
			}
			return st.checkOut(n.pos)
		}
		for i := 0; i < n.esc/2; i++ {
			st.out = append(st.out, '\\')
		}
		if n.esc%2 == 1 {
			st.out = append(st.out, n.lit...)
			return st.checkOut(n.pos)
		}
	}
	if v == nil {
		if !n.silent {
			st.out = append(st.out, n.lit...)
		}
		return st.checkOut(n.pos)
	}
	st.out, err = st.appendString(st.out, v, 0, n.pos)
	if err != nil {
		return err
	}
	return st.checkOut(n.pos)
}

func (st *state) execSet(n *setNode) error {
	v, err := st.eval(n.value)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // Velocity 1.7: a null value leaves the target unchanged
	}
	t := n.target
	if len(t.chain) == 0 {
		st.setVar(t.name, v)
		return nil
	}
	root, _ := st.lookup(t.name)
	obj, err := st.applyChain(root, t.chain[:len(t.chain)-1])
	if err != nil || obj == nil {
		return err
	}
	last := t.chain[len(t.chain)-1]
	var key any
	if last.kind == accProp {
		key = last.name
	} else {
		key, err = st.eval(last.index)
		if err != nil {
			return err
		}
	}
	switch o := obj.(type) {
	case *Map:
		if o.Len() >= st.t.opts.maxCollection {
			if _, exists := o.Get(key); !exists {
				return st.limitErr(n.pos, "map size exceeds limit %d", st.t.opts.maxCollection)
			}
		}
		o.Put(key, v)
	case map[string]any:
		if k, ok := key.(string); ok {
			o[k] = v
		}
	case *List:
		if i, ok := toIndex(key); ok && i >= 0 && i < len(o.Items) {
			o.Items[i] = v
		}
	case Object:
		if last.kind == accProp {
			_, err := o.Method("set"+capitalize(last.name), []any{v})
			if err != nil && !errors.Is(err, ErrNoSuchMethod) {
				return st.errAt(last.pos, err, "%s: %v", t.lit, err)
			}
		}
	}
	return nil
}

func (st *state) execForeach(n *foreachNode) (ctl, error) {
	coll, err := st.eval(n.iter)
	if err != nil {
		return ctlStop, err
	}
	var items []any
	switch c := coll.(type) {
	case *List:
		items = c.Items
	case []any:
		items = c
	case *Map:
		items = c.vals
	case map[string]any:
		items = sortedMapValues(c)
	case []string:
		items = make([]any, len(c))
		for i, s := range c {
			items[i] = s
		}
	default:
		return ctlNone, nil
	}
	if len(items) == 0 {
		return ctlNone, nil
	}
	old, hadOld := st.scope[n.varName]
	ls := &loopState{parent: st.loop}
	st.loop = ls
	defer func() {
		st.loop = ls.parent
		if hadOld {
			st.scope[n.varName] = old
		} else {
			delete(st.scope, n.varName)
		}
	}()
	// Iterate over a snapshot of the length, re-reading items so that
	// modifications of a *List during iteration stay memory-safe.
	for i := 0; ; i++ {
		if l, ok := coll.(*List); ok {
			items = l.Items
		}
		if i >= len(items) {
			break
		}
		if i >= st.t.opts.maxLoopIter {
			return ctlStop, st.limitErr(n.pos, "#foreach exceeds %d iterations", st.t.opts.maxLoopIter)
		}
		st.iter++
		if st.iter > st.t.opts.maxTotalIter {
			return ctlStop, st.limitErr(n.pos, "#foreach iterations of the render exceed %d", st.t.opts.maxTotalIter)
		}
		if st.iter&255 == 0 && st.ctx != nil {
			if err := st.ctx.Err(); err != nil {
				return ctlStop, err
			}
		}
		ls.index = i
		ls.hasNext = i+1 < len(items)
		st.setVar(n.varName, items[i])
		c, err := st.renderNodes(n.body)
		if err != nil || c == ctlStop {
			return ctlStop, err
		}
		if c == ctlBreak {
			break
		}
	}
	return ctlNone, nil
}

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
	c, err := st.renderNodes(e.nodes)
	res := string(st.out)
	st.scratch = st.out[:0]
	st.out = saved
	st.base = savedBase
	if err != nil {
		return nil, err
	}
	_ = c
	return res, nil
}

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

func toIndex(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		if n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	case int:
		return n, true
	case int32:
		return int(n), true
	}
	return 0, false
}

func toIntStrict(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// numbers

// num is a normalized number: integer (isF=false) or double.
type num struct {
	i   int64
	f   float64
	isF bool
}

func toNum(v any) (num, bool) {
	switch n := v.(type) {
	case int64:
		return num{i: n}, true
	case int:
		return num{i: int64(n)}, true
	case int32:
		return num{i: int64(n)}, true
	case float64:
		return num{f: n, isF: true}, true
	case float32:
		return num{f: float64(n), isF: true}, true
	}
	return num{}, false
}

func (n num) float() float64 {
	if n.isF {
		return n.f
	}
	return float64(n.i)
}

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

func arith(op int, a, b num) any {
	if a.isF || b.isF {
		x, y := a.float(), b.float()
		switch op {
		case opAdd:
			return x + y
		case opSub:
			return x - y
		case opMul:
			return x * y
		case opDiv:
			if y == 0 {
				return nil
			}
			return x / y
		case opMod:
			if y == 0 {
				return nil
			}
			return math.Mod(x, y)
		}
		return nil
	}
	x, y := a.i, b.i
	switch op {
	case opAdd:
		r := x + y
		if (r^x) < 0 && (r^y) < 0 {
			return float64(x) + float64(y) // BigInteger in Java; approximate
		}
		return r
	case opSub:
		r := x - y
		if (x^y) < 0 && (r^x) < 0 {
			return float64(x) - float64(y)
		}
		return r
	case opMul:
		if x != 0 && y != 0 {
			r := x * y
			if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return float64(x) * float64(y)
			}
			return r
		}
		return int64(0)
	case opDiv:
		if y == 0 {
			return nil
		}
		if x == math.MinInt64 && y == -1 {
			return -float64(x)
		}
		return x / y
	case opMod:
		if y == 0 {
			return nil
		}
		if y == -1 {
			return int64(0)
		}
		return x % y
	}
	return nil
}

func compareNum(a, b num) int {
	if !a.isF && !b.isF {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	x, y := a.float(), b.float()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

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

// strings

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
