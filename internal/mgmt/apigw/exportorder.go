package apigw

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ordered is a JSON object that keeps its members in a fixed order: the
// export writes its members in the order AWS does [V: recorded exports].
type ordered struct {
	keys []string
	vals map[string]any
}

func newOrdered() *ordered { return &ordered{vals: map[string]any{}} }

func (o *ordered) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// exportKeyOrder lists, per kind of object, the members in AWS's order;
// other members follow, sorted.
var exportKeyOrder = map[string][]string{
	"root": {"openapi", "swagger", "info", "host", "basePath", "schemes", "servers", "paths",
		"components", "definitions", "securityDefinitions", "security"},
	"info/swagger": {"description", "version", "title"},
	"info/oas30":   {"title", "description", "version"},
	"server":       {"url", "variables"},
	"pathItem": {"get", "put", "post", "delete", "options", "head", "patch",
		"x-amazon-apigateway-any-method"},
	"op": {"operationId", "consumes", "produces", "parameters", "requestBody", "responses", "security",
		"x-amazon-apigateway-request-validator", "x-amazon-apigateway-integration"},
	"param":       {"name", "in", "required", "type", "schema"},
	"param/body":  {"in", "name", "required", "schema"},
	"requestBody": {"content", "required"},
	"response":    {"description", "schema", "headers", "content"},
	"integration": {"type", "httpMethod", "uri", "credentials", "connectionType", "connectionId",
		"responses", "requestParameters", "requestTemplates", "passthroughBehavior", "cacheNamespace",
		"cacheKeyParameters", "contentHandling", "timeoutInMillis", "responseTransferMode", "tlsConfig"},
	"intResponse": {"statusCode", "responseParameters", "responseTemplates", "contentHandling"},
	"components":  {"schemas", "securitySchemes"},
	"scheme":      {"type", "name", "in", "x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer"},
	"authorizer": {"type", "authorizerUri", "authorizerCredentials", "identitySource",
		"identityValidationExpression", "authorizerResultTtlInSeconds", "providerARNs"},
}

// childKind is the kind of the member k of an object of the given kind
// ("" when its members are simply sorted).
func childKind(kind, k string) string {
	switch kind {
	case "root":
		switch k {
		case "info", "servers", "paths", "components":
			return map[string]string{"info": "info", "servers": "server", "paths": "paths", "components": "components"}[k]
		case "securityDefinitions":
			return "schemes"
		}
	case "paths":
		return "pathItem"
	case "pathItem":
		return "op"
	case "op":
		switch k {
		case "parameters":
			return "param"
		case "requestBody":
			return "requestBody"
		case "responses":
			return "responses"
		case "x-amazon-apigateway-integration":
			return "integration"
		}
	case "responses":
		return "response"
	case "integration":
		if k == "responses" {
			return "intResponses"
		}
	case "intResponses":
		return "intResponse"
	case "components":
		if k == "securitySchemes" {
			return "schemes"
		}
	case "schemes":
		return "scheme"
	case "scheme":
		if k == "x-amazon-apigateway-authorizer" {
			return "authorizer"
		}
	}
	return ""
}

// orderExport turns the export's maps into ordered objects.
func orderExport(v any, kind string, oas3 bool) any {
	switch t := v.(type) {
	case map[string]any:
		list := exportKeyOrder[kind]
		switch kind {
		case "info":
			list = exportKeyOrder["info/swagger"]
			if oas3 {
				list = exportKeyOrder["info/oas30"]
			}
		case "param":
			if t["in"] == "body" {
				list = exportKeyOrder["param/body"]
			}
		}
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
		o := newOrdered()
		for _, k := range keys {
			o.set(k, orderExport(t[k], childKind(kind, k), oas3))
		}
		return o
	case *ordered:
		for _, k := range t.keys {
			t.vals[k] = orderExport(t.vals[k], childKind(kind, k), oas3)
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = orderExport(x, kind, oas3)
		}
		return out
	}
	return v
}

// decodeOrdered parses JSON keeping the members' order (model schemas are
// exported as they were written) and numbers as written.
func decodeOrdered(s string) (any, error) {
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
			o := newOrdered()
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
				o.set(k, v)
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

// exportJSON writes the ordered document as indented JSON.
func exportJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case *ordered:
		buf.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeJSON(buf, t.vals[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case []any:
		buf.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, x); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// exportYAML writes the ordered document as YAML.
func exportYAML(v any) ([]byte, error) {
	n, err := yamlNode(v)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

func yamlNode(v any) (*yaml.Node, error) {
	switch t := v.(type) {
	case *ordered:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range t.keys {
			val, err := yamlNode(t.vals[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, val)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, x := range t {
			val, err := yamlNode(x)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, val)
		}
		return n, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return n, nil
}
