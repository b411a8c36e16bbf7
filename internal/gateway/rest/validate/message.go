package validate

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders the messages of keywords AWS's validator does not have.
var printer = message.NewPrinter(language.English)

// Message renders a validation failure as AWS's validationErrorString:
// the messages of its JSON Schema validator (java-json-tools), comma
// separated in brackets, e.g. `[object has missing required properties
// (["name"])]`. The required wording is AWS's [C]; the others follow the
// same validator's texts [U].
func Message(err *jsonschema.ValidationError, doc any) string {
	var msgs []string
	collect(err, doc, &msgs)
	return "[" + strings.Join(msgs, ", ") + "]"
}

// collect appends the leaf messages of err: groups, references and allOf
// are transparent; every other keyword is one message.
func collect(err *jsonschema.ValidationError, doc any, out *[]string) {
	switch err.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range err.Causes {
			collect(c, doc, out)
		}
		return
	}
	*out = append(*out, describe(err, doc))
}

// describe is one keyword's message.
func describe(err *jsonschema.ValidationError, doc any) string {
	switch k := err.ErrorKind.(type) {
	case *kind.Required:
		return "object has missing required properties (" + jsonList(k.Missing) + ")"
	case *kind.Type:
		return "instance type (" + typeName(k.Got, instanceAt(doc, err.InstanceLocation)) + ") does not match any allowed primitive type (allowed: " + jsonList(k.Want) + ")"
	case *kind.Enum:
		return "instance value (" + jsonText(k.Got) + ") not found in enum (possible values: " + jsonText(k.Want) + ")"
	case *kind.MinLength:
		return "string " + jsonText(instanceAt(doc, err.InstanceLocation)) + " is too short (length: " + itoa(k.Got) + ", required minimum: " + itoa(k.Want) + ")"
	case *kind.MaxLength:
		return "string " + jsonText(instanceAt(doc, err.InstanceLocation)) + " is too long (length: " + itoa(k.Got) + ", maximum allowed: " + itoa(k.Want) + ")"
	case *kind.Pattern:
		return "ECMA 262 regex " + jsonText(k.Want) + " does not match input string " + jsonText(k.Got)
	case *kind.Minimum:
		return "numeric instance is lower than the required minimum (minimum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.ExclusiveMinimum:
		return "numeric instance is not strictly greater than the required minimum (minimum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.Maximum:
		return "numeric instance is greater than the required maximum (maximum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.ExclusiveMaximum:
		return "numeric instance is not strictly lower than the required maximum (maximum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.MultipleOf:
		return "remainder of division is not zero (" + num(k.Got) + " / " + num(k.Want) + ")"
	case *kind.MinItems:
		return "array is too short: must have at least " + itoa(k.Want) + " elements but instance has " + itoa(k.Got) + " elements"
	case *kind.MaxItems:
		return "array is too long: must have at most " + itoa(k.Want) + " elements but instance has " + itoa(k.Got) + " elements"
	case *kind.UniqueItems:
		return "array must not contain duplicate elements"
	case *kind.AdditionalItems:
		return "array instance has too many elements, and no additional items are allowed"
	case *kind.MinProperties:
		return "object has too few properties (found " + itoa(k.Got) + " but schema requires at least " + itoa(k.Want) + ")"
	case *kind.MaxProperties:
		return "object has too many properties (found " + itoa(k.Got) + " but schema requires at most " + itoa(k.Want) + ")"
	case *kind.AdditionalProperties:
		return "object instance has properties which are not allowed by the schema: " + jsonList(k.Properties)
	case *kind.Dependency:
		return "property " + jsonText(k.Prop) + " of object has missing property dependencies (missing: " + jsonList(k.Missing) + ")"
	case *kind.OneOf:
		total := max(len(err.Causes), len(k.Subschemas))
		return "instance failed to match exactly one schema (matched " + itoa(len(k.Subschemas)) + " out of " + itoa(total) + ")"
	case *kind.AnyOf:
		return "instance failed to match at least one required schema among " + itoa(len(err.Causes))
	case *kind.Not:
		return "instance matched a schema which it should not have"
	case *kind.Format:
		return "string " + jsonText(k.Got) + " is invalid against requested format " + jsonText(k.Want)
	}
	return err.ErrorKind.LocalizedString(printer)
}

// typeName is the JSON type of an instance as AWS's validator names it: an
// integer literal is "integer", any other number "number".
func typeName(got string, v any) string {
	if n, ok := v.(json.Number); ok {
		if strings.ContainsAny(n.String(), ".eE") {
			return "number"
		}
		return "integer"
	}
	return got
}

func itoa(n int) string { return strconv.Itoa(n) }

// num prints a number as the JSON text it came from: 3, 2.5.
func num(r *big.Rat) string {
	if r == nil {
		return "null"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// instanceAt is the value at a location of the validated document.
func instanceAt(doc any, loc []string) any {
	for _, tok := range loc {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			doc = v[i]
		default:
			return nil
		}
	}
	return doc
}

// jsonText is v as compact JSON.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	return jsonText(v)
}
