package oas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Obj is one JSON/YAML object of a decoded document.
type Obj = map[string]any

// Str renders a scalar as text ("" for nil and non-scalars); a float is
// rendered as Java does (see [JavaDouble]).
func Str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return JavaDouble(t)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// OptStr is Str as an optional value: nil when absent or empty.
func OptStr(v any) *string {
	s := Str(v)
	if s == "" {
		return nil
	}
	return &s
}

// ObjAt returns the object member key of o, or nil.
func ObjAt(o Obj, key string) Obj {
	m, _ := o[key].(Obj)
	return m
}

// ListAt returns the array member key of o, or nil.
func ListAt(o Obj, key string) []any {
	l, _ := o[key].([]any)
	return l
}

// IntOf reads an integer given as a number or a numeric string.
func IntOf(v any) (int64, bool) {
	switch t := v.(type) {
	case int:
		return int64(t), true
	case int64:
		return t, true
	case float64:
		return int64(t), t == float64(int64(t))
	case string:
		n, err := strconv.ParseInt(t, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// BoolOf reads a boolean given as a bool or as "true" (any case).
func BoolOf(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

// StrList reads an array of scalars as text, leaving out other members
// and empty ones.
func StrList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s := Str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// SortedKeys lists an object's keys in sorted order.
func SortedKeys(o Obj) []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MarshalCompact encodes v as one line of JSON without HTML escaping.
func MarshalCompact(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encode openapi value: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// DeepCopy copies a decoded document value.
func DeepCopy(v any) any {
	switch t := v.(type) {
	case Obj:
		out := make(Obj, len(t))
		for k, x := range t {
			out[k] = DeepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = DeepCopy(x)
		}
		return out
	}
	return v
}

// SetOpt sets member k of o to *v when v is not nil (an optional member of
// a stored resource, written into an export).
func SetOpt[T any](o Obj, k string, v *T) {
	if v != nil {
		o[k] = *v
	}
}
