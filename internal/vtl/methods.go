package vtl

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// callMethod invokes a method on a value. It returns ErrNoSuchMethod when
// the value has no such method (or the arguments do not fit).
func (st *state) callMethod(v any, name string, args []any) (any, error) {
	switch o := v.(type) {
	case string:
		return st.stringMethod(o, name, args)
	case *List:
		return st.listMethod(o, o.Items, name, args)
	case []any:
		return st.listMethod(nil, o, name, args)
	case *Map:
		return st.mapMethod(o, nil, name, args)
	case map[string]any:
		m, _ := toMap(o)
		return st.mapMethod(m, o, name, args)
	case Object:
		return o.Method(name, args)
	case *Entry:
		switch {
		case name == "getKey" && len(args) == 0:
			return o.Key, nil
		case name == "getValue" && len(args) == 0:
			return o.Value, nil
		case name == "setValue" && len(args) == 1:
			old := o.Value
			o.Value = args[0]
			return old, nil
		}
	case *loopState:
		if len(args) == 0 {
			switch name {
			case "getIndex", "getCount", "getHasNext", "hasNext", "getFirst", "isFirst", "getLast", "isLast", "getParent":
				p := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is"), "has")
				if name == "hasNext" || name == "getHasNext" {
					p = "hasNext"
				} else {
					p = strings.ToLower(p[:1]) + p[1:]
				}
				return st.property(o, p), nil
			}
		}
	case bool:
		switch {
		case name == "booleanValue" && len(args) == 0:
			return o, nil
		}
	case int64, int, int32, float64, float32:
		n, _ := toNum(o)
		if len(args) == 0 {
			switch name {
			case "intValue":
				if n.isF {
					return javaF2I(n.f, 32), nil
				}
				return int64(int32(n.i)), nil
			case "longValue":
				if n.isF {
					return javaF2I(n.f, 64), nil
				}
				return n.i, nil
			case "doubleValue":
				return n.float(), nil
			case "isNaN":
				return n.isF && math.IsNaN(n.f), nil
			}
		}
		if name == "compareTo" && len(args) == 1 {
			m, ok := toNum(args[0])
			if !ok {
				return nil, ErrNoSuchMethod
			}
			return int64(compareNum(n, m)), nil
		}
	}
	// methods of java.lang.Object
	switch {
	case name == "toString" && len(args) == 0:
		return st.str(v)
	case name == "equals" && len(args) == 1:
		return javaEquals(v, args[0]), nil
	}
	return nil, ErrNoSuchMethod
}

var errUnsupported = errors.New("java.lang.UnsupportedOperationException")

// argStr returns args[i] if it is a string.
func argStr(args []any, i int) (string, bool) {
	s, ok := args[i].(string)
	return s, ok
}

// argInt returns args[i] if it is an integer that fits Java's int.
func argInt(args []any, i int) (int, bool) {
	return toIndex(args[i])
}

// checkStrLen fails when a string of n bytes would exceed the output size
// limit.
func (st *state) checkStrLen(n int) error {
	if n > st.t.opts.maxOutput {
		return fmt.Errorf("%w: string of %d bytes exceeds limit %d", ErrLimit, n, st.t.opts.maxOutput)
	}
	return nil
}

// checkColl fails when a collection of n elements would exceed the
// collection size limit.
func (st *state) checkColl(n int) error {
	if n > st.t.opts.maxCollection {
		return fmt.Errorf("%w: collection size %d exceeds limit %d", ErrLimit, n, st.t.opts.maxCollection)
	}
	return nil
}
