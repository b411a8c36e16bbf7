package stack

import (
	"encoding/json"
	"strings"

	"github.com/tollgate/tollgate/internal/cfn"
)

// verbatim are the properties whose map keys are data (parameter names,
// content types, variable names), copied as they are.
var verbatim = map[string]bool{
	"RequestParameters": true, "ResponseParameters": true, "RequestTemplates": true, "ResponseTemplates": true,
	"RequestModels": true, "ResponseModels": true, "Variables": true, "StageVariables": true, "Tags": true,
}

// camel converts CloudFormation's PascalCase members to the management
// API's camelCase ones, the management API's names being CloudFormation's
// with a lower-case first letter [M].
func camel(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			key := lowerFirst(k)
			switch {
			case verbatim[k]:
				out[key] = x
			case k == "RouteSettings":
				rs := map[string]any{}
				if m, ok := x.(map[string]any); ok {
					for rk, rv := range m {
						rs[rk] = camel(rv)
					}
				}
				out[key] = rs
			default:
				out[key] = camel(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = camel(x)
		}
		return out
	}
	return v
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// pick copies the named properties, camel-cased.
func pick(p map[string]any, names ...string) map[string]any {
	out := map[string]any{}
	for _, n := range names {
		if v, ok := p[n]; ok {
			out[lowerFirst(n)] = camel(v)
		}
	}
	return out
}

// typed converts CloudFormation's string scalars to JSON booleans and
// numbers where the management API wants them (CloudFormation accepts
// "true" and 30 alike).
func boolOf(v any) bool { return cfn.String(v) == "true" }

// numberOf is v as a JSON number (CloudFormation accepts "30" and 30).
func numberOf(v any) any {
	s := cfn.String(v)
	if s == "" {
		return v
	}
	return json.Number(s)
}

// stringMap is a map of strings.
func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = cfn.String(x)
	}
	return out
}

// jsonText is a JSON document as text (properties typed "Json" take a map
// or a string).
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
