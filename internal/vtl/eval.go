package vtl

import (
	"context"
	"errors"
)

// ctl tells a caller of renderNodes how rendering ended: normally, at a
// #break, or at a #stop (or an error), which ends the whole render.
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

// state is the state of one render; it is pooled and reused after reset.
type state struct {
	t       *Template
	ctx     context.Context
	vars    Vars
	scope   map[string]any // #set and #foreach variables, over vars
	out     []byte
	base    int // len(out) when the render (or string interpolation) began
	loop    *loopState
	iter    int    // #foreach iterations so far, for maxTotalIter
	scratch []byte // spare buffer for string interpolation
	args    []any  // stack of method arguments being evaluated
}

// reset clears st for reuse by another render, dropping buffers that grew
// too large to keep.
func (st *state) reset() {
	st.t = nil
	st.ctx = nil
	st.vars = nil
	st.out = nil
	st.loop = nil
	st.iter = 0
	if len(st.scope) > 64 {
		st.scope = nil
	} else {
		clear(st.scope)
	}
	if cap(st.scratch) > 1<<16 {
		st.scratch = nil
	}
}

// errAt returns an *Error located at pos, wrapping err (which may be nil).
func (st *state) errAt(pos int, err error, format string, args ...any) error {
	return st.t.errAt(pos, err, format, args...)
}

// limitErr returns an *Error wrapping ErrLimit located at pos.
func (st *state) limitErr(pos int, format string, args ...any) error {
	return st.t.errAt(pos, ErrLimit, format, args...)
}

// lookup resolves a top-level reference: the loop variables ($foreach,
// $velocityCount, $velocityHasNext) inside a #foreach, then #set and
// #foreach variables, then Vars. A nil in Vars is undefined.
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

// setVar assigns a #set or #foreach variable.
func (st *state) setVar(name string, v any) {
	if st.scope == nil {
		st.scope = make(map[string]any, 8)
	}
	st.scope[name] = v
}

// checkOut fails when the output exceeds the output size limit.
func (st *state) checkOut(pos int) error {
	if len(st.out)-st.base > st.t.opts.maxOutput {
		return st.limitErr(pos, "output exceeds limit %d bytes", st.t.opts.maxOutput)
	}
	return nil
}

// renderNodes renders nodes to st.out and reports how rendering ended.
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

// renderRef renders a reference: its value, or its source text when the
// value is null (nothing for $!), with Velocity 1.7's handling of
// backslashes before it.
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

// execSet runs #set. A null value leaves the target unchanged; a target
// with a chain sets a map key, a list element or, through setName, a
// property of an Object.
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

// execForeach runs #foreach over a list, the values of a map or a
// []string (any other value iterates zero times), enforcing the iteration
// limits and checking the context every 256 iterations.
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
