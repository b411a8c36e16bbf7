package vtl

import (
	"math"
)

// num is a normalized number: integer (isF=false) or double.
type num struct {
	i   int64
	f   float64
	isF bool
}

// toNum converts a Go number to a num; false for other values.
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

// float returns n as a double.
func (n num) float() float64 {
	if n.isF {
		return n.f
	}
	return float64(n.i)
}

// arith applies an arithmetic operator like Velocity 1.7: in doubles when
// either operand is a double; an integer overflow gives a double (Java gives
// a BigInteger); division or modulo by zero gives null.
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

// compareNum returns -1, 0 or 1 as a is less than, equal to or greater
// than b, in doubles when either is a double.
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

// toIndex converts an integer value to an index; false for other values
// and for values outside Java's int range.
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

// toIntStrict converts a number to int64, truncating a double (range
// bounds); false for other values.
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

// javaF2I converts a double like Java's narrowing conversion to int
// (bits 32) or long (bits 64): NaN is 0 and values out of range saturate.
func javaF2I(f float64, bits int) int64 {
	if math.IsNaN(f) {
		return 0
	}
	lo, hi := float64(math.MinInt32), float64(math.MaxInt32)
	if bits == 64 {
		if f >= math.MaxInt64 {
			return math.MaxInt64
		}
		if f <= math.MinInt64 {
			return math.MinInt64
		}
		return int64(f)
	}
	f = math.Max(lo, math.Min(hi, f))
	return int64(f)
}
