package vtl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// List is a mutable Java List (java.util.ArrayList). Use *List for lists
// that templates may modify with add/set/remove; a plain []any is treated as
// an unmodifiable list.
type List struct {
	// Items are the elements, in order; templates append to and modify it
	// in place.
	Items []any
}

// NewList returns a list holding items (not copied).
func NewList(items ...any) *List { return &List{Items: items} }

// Map is a mutable, insertion-ordered Java Map (java.util.LinkedHashMap).
// Keys are strings, int64, float64, bool or pointers; the zero value is an
// empty map ready to use. A plain map[string]any is also accepted by
// templates and iterated in sorted key order.
type Map struct {
	keys []any
	vals []any
	idx  map[any]int // built lazily once the map grows
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{} }

// Entry is a Java Map.Entry as produced by $map.entrySet().
type Entry struct {
	Key   any // the entry's key, as getKey() returns it
	Value any // the entry's value; setValue changes the entry, not its map
}

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// Keys returns the keys in insertion order. The slice must not be modified.
func (m *Map) Keys() []any { return m.keys }

// Values returns the values in insertion order. The slice must not be modified.
func (m *Map) Values() []any { return m.vals }

func isComparable(k any) bool {
	switch k.(type) {
	case nil, string, int64, float64, bool, int, int32, float32, *List, *Map, *Entry:
		return true
	}
	return false
}

func normKey(k any) any {
	switch n := k.(type) {
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case float32:
		return float64(n)
	}
	return k
}

func (m *Map) find(k any) int {
	k = normKey(k)
	if !isComparable(k) {
		for i, x := range m.keys {
			if javaEquals(x, k) {
				return i
			}
		}
		return -1
	}
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return i
		}
		return -1
	}
	for i, x := range m.keys {
		if isComparable(x) && x == k {
			return i
		}
	}
	return -1
}

// Get returns the value stored under k.
func (m *Map) Get(k any) (any, bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// Put stores v under k, keeping the position of an existing key, and
// returns the previous value (Java's put).
func (m *Map) Put(k, v any) any {
	k = normKey(k)
	if i := m.find(k); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if m.idx != nil {
		if isComparable(k) {
			m.idx[k] = len(m.keys) - 1
		}
	} else if len(m.keys) > 8 {
		m.reindex()
	}
	return nil
}

// Remove deletes k and returns its value.
func (m *Map) Remove(k any) any {
	i := m.find(k)
	if i < 0 {
		return nil
	}
	old := m.vals[i]
	m.keys = slices.Delete(m.keys, i, i+1)
	m.vals = slices.Delete(m.vals, i, i+1)
	if m.idx != nil {
		m.reindex()
	}
	return old
}

func (m *Map) reindex() {
	m.idx = make(map[any]int, len(m.keys))
	for i, k := range m.keys {
		if isComparable(k) {
			m.idx[k] = i
		}
	}
}

// String returns Java's toString of the map.
func (m *Map) String() string { return Stringify(m) }

// String returns Java's toString of the list.
func (l *List) String() string { return Stringify(l) }

// MarshalJSON encodes the map as a JSON object in insertion order.
func (m *Map) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(Stringify(k))
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(m.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON encodes the list as a JSON array.
func (l *List) MarshalJSON() ([]byte, error) {
	if l.Items == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(l.Items)
}

// toMap views v as a *Map (map[string]any is copied in sorted key order).
func toMap(v any) (*Map, bool) {
	switch m := v.(type) {
	case *Map:
		return m, true
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		r := &Map{keys: make([]any, len(keys)), vals: make([]any, len(keys))}
		for i, k := range keys {
			r.keys[i] = k
			r.vals[i] = m[k]
		}
		return r, true
	}
	return nil, false
}

func sortedMapValues(m map[string]any) []any {
	r, _ := toMap(m)
	return r.vals
}

// ParseJSON decodes JSON into template values: objects become *Map (in
// document order), arrays *List, integers int64 (float64 when out of range),
// other numbers float64, strings, bools and nil.
func ParseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("vtl: invalid JSON: trailing data")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("vtl: invalid JSON object key %v", kt)
				}
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				m.Put(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := &List{Items: []any{}}
			for dec.More() {
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("vtl: invalid JSON delimiter %v", t)
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return tok, nil // string, bool, nil
}
