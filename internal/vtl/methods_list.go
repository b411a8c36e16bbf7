package vtl

import (
	"fmt"
	"slices"
)

// listMethod implements java.util.List methods on items. l is the list to
// modify, nil for an immutable []any (modifying methods then fail like
// Java's UnsupportedOperationException).
func (st *state) listMethod(l *List, items []any, name string, args []any) (any, error) {
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return int64(len(items)), nil
		case "isEmpty":
			return len(items) == 0, nil
		case "clear":
			if l == nil {
				return nil, errUnsupported
			}
			l.Items = l.Items[:0]
			return nil, nil
		}
	case 1:
		switch name {
		case "get":
			if _, ok := toIndex(args[0]); !ok {
				return nil, ErrNoSuchMethod
			}
			i, _ := toIndex(args[0])
			if i < 0 || i >= len(items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(items))
			}
			return items[i], nil
		case "contains":
			for _, x := range items {
				if javaEquals(x, args[0]) {
					return true, nil
				}
			}
			return false, nil
		case "indexOf", "lastIndexOf":
			idx := int64(-1)
			for i, x := range items {
				if javaEquals(x, args[0]) {
					idx = int64(i)
					if name == "indexOf" {
						break
					}
				}
			}
			return idx, nil
		case "add":
			if l == nil {
				return nil, errUnsupported
			}
			if err := st.checkColl(len(l.Items) + 1); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, args[0])
			return true, nil
		case "addAll":
			if l == nil {
				return nil, errUnsupported
			}
			other, ok := asList(args[0])
			if !ok {
				return nil, ErrNoSuchMethod
			}
			if err := st.checkColl(len(l.Items) + len(other)); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, other...)
			return len(other) > 0, nil
		case "remove":
			if l == nil {
				return nil, errUnsupported
			}
			if i, ok := toIndex(args[0]); ok {
				if i < 0 || i >= len(l.Items) {
					return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
				}
				old := l.Items[i]
				l.Items = slices.Delete(l.Items, i, i+1)
				return old, nil
			}
			for i, x := range l.Items {
				if javaEquals(x, args[0]) {
					l.Items = slices.Delete(l.Items, i, i+1)
					return true, nil
				}
			}
			return false, nil
		}
	case 2:
		i, ok := toIndex(args[0])
		if !ok {
			break
		}
		switch name {
		case "set":
			if l == nil {
				return nil, errUnsupported
			}
			if i < 0 || i >= len(l.Items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
			}
			old := l.Items[i]
			l.Items[i] = args[1]
			return old, nil
		case "add":
			if l == nil {
				return nil, errUnsupported
			}
			if i < 0 || i > len(l.Items) {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, len(l.Items))
			}
			if err := st.checkColl(len(l.Items) + 1); err != nil {
				return nil, err
			}
			l.Items = append(l.Items, nil)
			copy(l.Items[i+1:], l.Items[i:])
			l.Items[i] = args[1]
			return nil, nil
		case "subList":
			j, ok := toIndex(args[1])
			if !ok {
				break
			}
			if i < 0 || j > len(items) || i > j {
				return nil, fmt.Errorf("java.lang.IndexOutOfBoundsException: fromIndex %d, toIndex %d, size %d", i, j, len(items))
			}
			return &List{Items: append([]any(nil), items[i:j]...)}, nil
		}
	}
	return nil, ErrNoSuchMethod
}
