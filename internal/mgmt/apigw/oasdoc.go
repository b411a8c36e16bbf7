package apigw

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
)

// obj is one JSON/YAML object of an OpenAPI document.
type obj = map[string]any

// errInvalidOpenAPI is AWS's answer to a body it cannot read as OpenAPI [V].
var errInvalidOpenAPI = awserr.BadRequest("Invalid OpenAPI input.")

// parseOpenAPI reads a Swagger 2.0 or OpenAPI 3.0 document, JSON or YAML,
// and returns it with the warnings reading it gave (repeated keys).
func parseOpenAPI(body []byte) (obj, []string, error) {
	raw, warnings, err := decodeDocument(body)
	if err != nil {
		return nil, nil, errInvalidOpenAPI
	}
	doc, ok := raw.(obj)
	if !ok {
		return nil, nil, errInvalidOpenAPI
	}
	// An unquoted swagger: 2.0 is a number; str renders it "2.0" and AWS
	// accepts it: SAM templates write DefinitionBody with swagger: 2.0
	// unquoted, which reaches the import as the JSON number 2.0 [C].
	sw, oa := str(doc["swagger"]), str(doc["openapi"])
	if sw != "2.0" && !strings.HasPrefix(oa, "3.") {
		return nil, nil, errInvalidOpenAPI
	}
	if _, ok := doc["paths"].(obj); !ok && doc["paths"] != nil {
		return nil, nil, errInvalidOpenAPI
	}
	// info (and its title) may be missing: the API is then named after
	// the time of the import (see importRestApi).
	if _, ok := doc["info"].(obj); !ok && doc["info"] != nil {
		return nil, nil, errInvalidOpenAPI
	}
	return doc, warnings, nil
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
			key := str(k)
			if key == "" {
				key = fmt.Sprint(k)
			}
			out[key] = normalizeYAML(x)
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
		return javaDouble(t)
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
