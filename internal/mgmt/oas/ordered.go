package oas

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Ordered is a JSON object that keeps its members in a fixed order: an
// export writes its members in the order AWS does [V: recorded exports].
type Ordered struct {
	keys []string
	vals map[string]any
}

// NewOrdered returns an empty object.
func NewOrdered() *Ordered { return &Ordered{vals: map[string]any{}} }

// Set sets member k, appending it when new.
func (o *Ordered) Set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// Len is the number of members.
func (o *Ordered) Len() int { return len(o.keys) }

// Keys lists the members' names in order (the caller must not change the
// slice).
func (o *Ordered) Keys() []string { return o.keys }

// Get returns member k.
func (o *Ordered) Get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// Layout says in which order an export writes the members of its objects.
// Objects are of kinds the layout names ("root", "operation", ...).
type Layout interface {
	// Order lists the members of an object of the given kind that come
	// first, in this order; the others follow, sorted.
	Order(kind string, o Obj) []string
	// Kind is the kind of member key of an object of the given kind: ""
	// when its members are simply sorted.
	Kind(kind, key string) string
}

// Arrange turns the objects of v, of the given kind, into Ordered objects
// laid out by l. Ordered objects already in v keep their order; their
// members are arranged.
func Arrange(v any, kind string, l Layout) any {
	switch t := v.(type) {
	case Obj:
		list := l.Order(kind, t)
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		rank := func(k string) int {
			if i := slices.Index(list, k); i >= 0 {
				return i
			}
			return len(list)
		}
		sort.Slice(keys, func(i, j int) bool {
			ri, rj := rank(keys[i]), rank(keys[j])
			if ri != rj {
				return ri < rj
			}
			return keys[i] < keys[j]
		})
		o := NewOrdered()
		for _, k := range keys {
			o.Set(k, Arrange(t[k], l.Kind(kind, k), l))
		}
		return o
	case *Ordered:
		for _, k := range t.keys {
			t.vals[k] = Arrange(t.vals[k], l.Kind(kind, k), l)
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = Arrange(x, kind, l)
		}
		return out
	}
	return v
}

// DecodeOrdered parses JSON keeping the members' order (schemas are
// exported as they were written) and numbers as written.
func DecodeOrdered(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeOrderedValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeOrderedValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch d := tok.(type) {
	case json.Delim:
		switch d {
		case '{':
			o := NewOrdered()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, fmt.Errorf("unexpected %v", d)
	}
	return tok, nil
}
