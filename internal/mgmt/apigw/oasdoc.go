package apigw

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate/tollgate/internal/awserr"
)

// obj is one JSON/YAML object of an OpenAPI document.
type obj = map[string]any

// errInvalidOpenAPI is AWS's answer to a body it cannot read as OpenAPI [V].
var errInvalidOpenAPI = awserr.BadRequest("Invalid OpenAPI input.")

// parseOpenAPI reads a Swagger 2.0 or OpenAPI 3.0 document, JSON or YAML.
func parseOpenAPI(body []byte) (obj, error) {
	body = bytes.TrimSpace(body)
	var raw any
	if len(body) > 0 && body[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return nil, errInvalidOpenAPI
		}
	} else if err := yaml.Unmarshal(body, &raw); err != nil {
		return nil, errInvalidOpenAPI
	}
	doc, ok := normalizeYAML(raw).(obj)
	if !ok {
		return nil, errInvalidOpenAPI
	}
	sw, oa := str(doc["swagger"]), str(doc["openapi"])
	if sw != "2.0" && !strings.HasPrefix(oa, "3.") {
		return nil, errInvalidOpenAPI
	}
	if _, ok := doc["paths"].(obj); !ok && doc["paths"] != nil {
		return nil, errInvalidOpenAPI
	}
	if _, ok := doc["info"].(obj); !ok {
		return nil, errInvalidOpenAPI
	}
	return doc, nil
}

// normalizeYAML turns YAML's map[any]any (integer keys such as status
// codes) into string-keyed objects and json.Number into Go numbers.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeYAML(x)
		}
		return t
	case map[any]any:
		out := make(obj, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalizeYAML(x)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = normalizeYAML(x)
		}
		return t
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return int(n)
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// str renders a scalar as text ("" for nil and non-scalars).
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// strp is str as an optional value: nil when absent or empty.
func strp(v any) *string { return optional(str(v)) }

// objAt returns the object member key of o, or nil.
func objAt(o obj, key string) obj {
	m, _ := o[key].(obj)
	return m
}

// listAt returns the array member key of o, or nil.
func listAt(o obj, key string) []any {
	l, _ := o[key].([]any)
	return l
}

// intOf reads an integer member given as a number or numeric string.
func intOf(v any) (int64, bool) {
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

// boolOf reads a boolean member given as a bool or "true".
func boolOf(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

// strList reads an array of strings, ignoring other members.
func strList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s := str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// keysOf lists an object's keys in sorted order.
func keysOf(o obj) []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// marshalCompact encodes v as JSON without HTML escaping.
func marshalCompact(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encode openapi value: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// deepCopy copies a decoded document value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case obj:
		out := make(obj, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
