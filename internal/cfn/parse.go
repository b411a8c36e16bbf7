// Package cfn reads AWS CloudFormation and AWS SAM templates: YAML (with
// the short-form tags) or JSON, parameters, conditions, mappings, the
// intrinsic functions and pseudo parameters, and the SAM transform
// (AWS::Serverless-2016-10-31), which it expands into the CloudFormation
// resources SAM's translator would write. What a template means for
// Tollgate's gateway (creating APIs and functions) is the stack package's
// business; this package only evaluates.
//
// Values are JSON-shaped: map[string]any, []any, string, bool,
// json.Number and nil. Numbers keep their written form (1.0 stays "1.0").
package cfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrFormat marks template format errors (the template cannot be read).
var ErrFormat = errors.New("Template format error")

// MaxTemplateBytes bounds a template (or included document). CloudFormation
// takes 1 MB from S3 [D: "CloudFormation quotas"]; SAM templates grow when
// expanded, so locally ten times that [U].
const MaxTemplateBytes = 10 << 20

// Parse reads a template (or any document the template points at) in
// JSON or YAML. JSON is tried first when the text starts with '{'.
func Parse(b []byte) (map[string]any, error) {
	if len(b) > MaxTemplateBytes {
		return nil, fmt.Errorf("%w: the template is larger than %d bytes", ErrFormat, MaxTemplateBytes)
	}
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		v, err := parseJSON(t)
		if err == nil {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: JSON not well-formed.", ErrFormat)
			}
			return m, nil
		}
		// JSON is YAML too, but a JSON error is the better message when the
		// YAML reading fails as well.
		if m, yerr := parseYAML(b); yerr == nil {
			return m, nil
		}
		return nil, fmt.Errorf("%w: JSON not well-formed. (%v)", ErrFormat, err)
	}
	return parseYAML(b)
}

func parseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("data after the document")
	}
	return v, nil
}

func parseYAML(b []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%w: YAML not well-formed. (%s)", ErrFormat, yamlErrText(err))
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%w: At least one Resources member must be defined.", ErrFormat)
	}
	v, err := fromNode(doc.Content[0], 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: YAML not well-formed. (line %d, column %d: the template is not a map)", ErrFormat, doc.Content[0].Line, doc.Content[0].Column)
	}
	return m, nil
}

func yamlErrText(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// maxDepth bounds nesting (and alias expansion) of a template.
const maxDepth = 200

// shortForms maps a YAML short-form tag to the function it stands for
// (AWS docs, "Intrinsic function reference" [D]).
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And",
	"!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs",
	"!ImportValue": "Fn::ImportValue", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
	"!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString", "!Contains": "Fn::Contains",
	"!EachMemberEquals": "Fn::EachMemberEquals", "!EachMemberIn": "Fn::EachMemberIn",
	"!ValueOf": "Fn::ValueOf", "!ValueOfAll": "Fn::ValueOfAll", "!RefAll": "Fn::RefAll",
}

func fromNode(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: YAML not well-formed. (line %d, column %d: nested too deeply)", ErrFormat, n.Line, n.Column)
	}
	if fn, ok := shortForms[n.Tag]; ok {
		return shortForm(n, fn, depth)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("%w: YAML not well-formed. (line %d, column %d: unknown tag %s)", ErrFormat, n.Line, n.Column, n.Tag)
	}
	switch n.Kind {
	case yaml.AliasNode:
		// CloudFormation reads YAML without anchors and aliases [D:
		// "Template formats"]; refusing them also rules out alias bombs.
		return nil, fmt.Errorf("%w: YAML not well-formed. (line %d, column %d: anchors and aliases are not supported)", ErrFormat, n.Line, n.Column)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				return nil, fmt.Errorf("%w: YAML not well-formed. (line %d, column %d: merge keys are not allowed)", ErrFormat, k.Line, k.Column)
			}
			val, err := fromNode(v, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromNode(c, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

// shortForm turns `!Fn value` into {"Fn::X": value}. !GetAtt A.B splits
// at the first dot.
func shortForm(n *yaml.Node, fn string, depth int) (any, error) {
	c := *n
	c.Tag = ""
	if n.Kind == yaml.ScalarNode {
		c.Tag = "!!str"
	}
	v, err := fromNode(&c, depth+1)
	if err != nil {
		return nil, err
	}
	if fn == "Fn::GetAtt" {
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
	}
	if n.Kind == yaml.ScalarNode && n.Value == "" && (fn == "Fn::GetAZs") {
		v = ""
	}
	return map[string]any{fn: v}, nil
}

// scalar converts a plain scalar the YAML 1.1 way CloudFormation reads it:
// yes/no/on/off are booleans, dates stay strings [D "Template formats"].
func scalar(n *yaml.Node) any {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 ||
		n.Style&yaml.TaggedStyle != 0 && n.Tag == "!!str" {
		return n.Value
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		return strings.EqualFold(n.Value, "true")
	case "!!int", "!!float":
		if isJSONNumber(n.Value) {
			return json.Number(n.Value)
		}
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil && !strings.ContainsAny(n.Value, "xXoO_") {
			// 1e3, .5, 5. — valid numbers in YAML, normalized for JSON.
			f, _ := strconv.ParseFloat(n.Value, 64)
			return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		}
		return n.Value
	}
	switch n.Value {
	case "yes", "Yes", "YES", "on", "On", "ON":
		return true
	case "no", "No", "NO", "off", "Off", "OFF":
		return false
	}
	return n.Value
}

func isJSONNumber(s string) bool {
	if s == "" {
		return false
	}
	var v json.Number
	return json.Unmarshal([]byte(s), &v) == nil
}
