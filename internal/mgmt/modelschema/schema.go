// Package modelschema is what the models of REST APIs (apigateway) and
// WebSocket APIs (apigatewayv2) share: the checks a model's schema, a
// JSON Schema draft 4 document, passes when it is stored; the inlining of
// $ref references to other models of the same API (GetModel?flatten=true,
// GetModelTemplate); and the mapping template GetModelTemplate derives
// from a schema.
package modelschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tollgate/tollgate/internal/awserr"
)

// ErrEmpty is AWS's message for a schema without properties or items [V].
const ErrEmpty = "Model schema must have at least 1 property or array items defined"

// errInvalid is AWS's message for a schema that is not one [C:
// awslabs/aws-apigateway-importer#75].
const errInvalid = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"

// Check requires a schema that is a non-empty JSON object [V].
func Check(schema *string) error {
	if schema == nil || strings.TrimSpace(*schema) == "" {
		return awserr.BadRequest(ErrEmpty)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(*schema), &doc); err != nil {
		return awserr.BadRequest(errInvalid)
	}
	if len(doc) == 0 {
		return awserr.BadRequest(ErrEmpty)
	}
	return nil
}

// CheckDraft4 is Check, then requires a schema that compiles as JSON
// Schema draft 4 (references to other models resolve to any value: they
// are checked when a request is validated) and uses only draft 4's
// keywords: AWS refuses others ("$id" of later drafts, "dependentRequired"),
// naming them [C: aws/aws-cdk#14585, clouddrove/terraform-aws-api-gateway#30].
func CheckDraft4(schema *string) error {
	if err := Check(schema); err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(*schema)))
	if err != nil {
		return awserr.BadRequest(errInvalid)
	}
	if bad := unsupported(doc, nil); len(bad) > 0 {
		sort.Strings(bad)
		quoted, _ := json.Marshal(bad)
		return awserr.BadRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): %s]", quoted)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(anyLoader{})
	const self = "https://tollgate.invalid/model.json"
	if err := c.AddResource(self, doc); err != nil {
		return awserr.BadRequest(errInvalid)
	}
	if _, err := c.Compile(self); err != nil {
		return awserr.BadRequest(errInvalid)
	}
	return nil
}

// anyLoader resolves every external reference to the empty schema: a
// model's references name other models, which need not exist yet.
type anyLoader struct{}

func (anyLoader) Load(string) (any, error) { return map[string]any{}, nil }

// draft4 are the keywords of JSON Schema draft 4 (core and validation).
var draft4 = map[string]bool{
	"$schema": true, "id": true, "$ref": true, "title": true, "description": true, "default": true,
	"multipleOf": true, "maximum": true, "exclusiveMaximum": true, "minimum": true, "exclusiveMinimum": true,
	"maxLength": true, "minLength": true, "pattern": true, "additionalItems": true, "items": true,
	"maxItems": true, "minItems": true, "uniqueItems": true, "maxProperties": true, "minProperties": true,
	"required": true, "additionalProperties": true, "definitions": true, "properties": true,
	"patternProperties": true, "dependencies": true, "enum": true, "type": true, "allOf": true,
	"anyOf": true, "oneOf": true, "not": true, "format": true,
}

// unsupported collects the keywords of a schema and of its subschemas
// that draft 4 does not have.
func unsupported(v any, out []string) []string {
	s, ok := v.(map[string]any)
	if !ok {
		return out
	}
	for k, sub := range s {
		if !draft4[k] {
			if !contains(out, k) {
				out = append(out, k)
			}
			continue
		}
		switch k {
		case "items", "additionalItems", "additionalProperties", "not":
			if list, ok := sub.([]any); ok {
				for _, x := range list {
					out = unsupported(x, out)
				}
			} else {
				out = unsupported(sub, out)
			}
		case "allOf", "anyOf", "oneOf":
			list, _ := sub.([]any)
			for _, x := range list {
				out = unsupported(x, out)
			}
		case "properties", "patternProperties", "definitions", "dependencies":
			m, _ := sub.(map[string]any)
			for _, x := range m {
				out = unsupported(x, out)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// refRE matches a $ref to another model of the same API, by name [D].
var refRE = regexp.MustCompile(`^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([A-Za-z0-9]+)$`)

// Flatten inlines the $ref references of schema to other models of the
// same API, whose schemas lookup returns by name (false: unknown, the
// reference is kept). References nest at most 16 deep; a schema that is
// not JSON comes back unchanged.
func Flatten(schema string, lookup func(name string) (string, bool)) (string, error) {
	var doc any
	if err := json.Unmarshal([]byte(schema), &doc); err != nil {
		return schema, nil
	}
	var inline func(v any, depth int) any
	inline = func(v any, depth int) any {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok && len(t) == 1 {
				m := refRE.FindStringSubmatch(ref)
				if m == nil || depth > 16 {
					return t
				}
				other, ok := lookup(m[1])
				if !ok {
					return t
				}
				var sub any
				if json.Unmarshal([]byte(other), &sub) != nil {
					return t
				}
				return inline(sub, depth+1)
			}
			for k, x := range t {
				t[k] = inline(x, depth)
			}
		case []any:
			for i, x := range t {
				t[i] = inline(x, depth)
			}
		}
		return v
	}
	b, err := json.Marshal(inline(doc, 0))
	if err != nil {
		return "", fmt.Errorf("flatten schema: %w", err)
	}
	return string(b), nil
}

// ModelURL is the canonical address by which a schema refers to another
// model of the same API [D].
func ModelURL(apiID, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/" + name
}

// References lists the $ref values of a schema that leave the document
// (those not starting with "#"), each once, in the order of a walk by
// member name; a schema that is not JSON has none.
func References(schema string) []string {
	var doc any
	if json.Unmarshal([]byte(schema), &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok && !strings.HasPrefix(ref, "#") && !contains(out, ref) {
				out = append(out, ref)
			}
			for _, k := range sortedKeys(t) {
				walk(t[k])
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
