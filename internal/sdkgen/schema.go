package sdkgen

import (
	"encoding/json"
	"sort"
	"strings"
)

// Kind is the shape of a schema as the typed SDKs render it.
type Kind uint8

// Kinds of schemas.
const (
	KindUnknown Kind = iota
	KindObject
	KindArray
	KindString
	KindNumber
	KindInteger
	KindBoolean
	KindRef // another model
)

// Schema is the part of a JSON Schema (draft 4) the typed SDKs use:
// object → struct/interface, required → non-optional, enum → string
// union / constants, array → slice, $ref to a model → its named type,
// anything else → unknown / json.RawMessage (reference §3).
type Schema struct {
	Kind Kind
	// Props are an object's properties, sorted by name.
	Props []Prop
	// Items is an array's element.
	Items *Schema
	// Ref is the model a $ref names.
	Ref string
	// Enum are a string schema's values.
	Enum []string
}

// Prop is one property of an object.
type Prop struct {
	Name     string
	Required bool
	Schema   *Schema
}

// ParseSchema reads a model's schema; what it cannot read is unknown.
func ParseSchema(doc string) *Schema {
	var raw map[string]any
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return &Schema{}
	}
	return parse(raw, 0)
}

func parse(v map[string]any, depth int) *Schema {
	if depth > 32 {
		return &Schema{}
	}
	if ref, ok := v["$ref"].(string); ok {
		if i := strings.LastIndex(ref, "/models/"); i >= 0 {
			return &Schema{Kind: KindRef, Ref: ref[i+len("/models/"):]}
		}
		return &Schema{}
	}
	typ, _ := v["type"].(string)
	if list, ok := v["type"].([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	if typ == "" {
		if _, ok := v["properties"]; ok {
			typ = "object"
		}
	}
	switch typ {
	case "object":
		s := &Schema{Kind: KindObject}
		req := map[string]bool{}
		if list, ok := v["required"].([]any); ok {
			for _, r := range list {
				if n, ok := r.(string); ok {
					req[n] = true
				}
			}
		}
		props, _ := v["properties"].(map[string]any)
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, n := range names {
			ps, _ := props[n].(map[string]any)
			s.Props = append(s.Props, Prop{Name: n, Required: req[n], Schema: parse(ps, depth+1)})
		}
		return s
	case "array":
		items, _ := v["items"].(map[string]any)
		return &Schema{Kind: KindArray, Items: parse(items, depth+1)}
	case "string":
		s := &Schema{Kind: KindString}
		if list, ok := v["enum"].([]any); ok {
			for _, e := range list {
				if str, ok := e.(string); ok {
					s.Enum = append(s.Enum, str)
				}
			}
		}
		return s
	case "number":
		return &Schema{Kind: KindNumber}
	case "integer":
		return &Schema{Kind: KindInteger}
	case "boolean":
		return &Schema{Kind: KindBoolean}
	}
	return &Schema{}
}
