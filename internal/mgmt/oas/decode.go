package oas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxDepth bounds the nesting of a document (a 6 MB body of "[" must not
// recurse millions of frames deep).
const MaxDepth = 1000

// ErrTooDeep is returned for a document nested deeper than MaxDepth.
var ErrTooDeep = errors.New("document nested too deeply")

// Decode reads a JSON or YAML document into plain values (see the package
// documentation) and returns the warnings reading it gave.
//
// A key given twice in one object keeps its last value, as AWS's importer
// (the Java swagger-parser, on Jackson) does: AWS imports its own
// step-functions sample, whose YAML has two top-level paths: keys [U].
// Each dropped value is reported as a warning, so that failOnWarnings
// refuses such a document.
func Decode(body []byte) (any, []string, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' {
		return decodeJSON(body)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(body, &root); err != nil {
		return nil, nil, fmt.Errorf("read yaml: %w", err)
	}
	var warnings []string
	if err := keepLastYAMLKeys(&root, "", 0, &warnings); err != nil {
		return nil, nil, err
	}
	var raw any
	if err := root.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("read yaml: %w", err)
	}
	return normalize(raw), warnings, nil
}

// keepLastYAMLKeys removes, from every mapping under n, the earlier pairs
// of a key that appears again (yaml.v3 refuses duplicated keys; Jackson
// keeps the last). Aliases are not followed: the nodes they name are
// visited where they are defined.
func keepLastYAMLKeys(n *yaml.Node, path string, depth int, warnings *[]string) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if err := keepLastYAMLKeys(c, path, depth+1, warnings); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		last := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; isPlainKey(k) {
				last[k.Value] = i
			}
		}
		kept := n.Content[:0:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if j, ok := last[k.Value]; ok && j != i && isPlainKey(k) {
				*warnings = append(*warnings, duplicateKeyWarning(joinKey(path, k.Value), k.Line, n.Content[j].Line))
				continue
			}
			if err := keepLastYAMLKeys(v, joinKey(path, k.Value), depth+1, warnings); err != nil {
				return err
			}
			kept = append(kept, k, v)
		}
		n.Content = kept
	}
	return nil
}

// isPlainKey reports whether k is a scalar key other than a merge key
// (<<), which may legitimately repeat.
func isPlainKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge"
}

// duplicateKeyWarning is the warning for a key whose earlier value (at
// line dropped) gave way to a later one (at line kept) [U: AWS's wording].
func duplicateKeyWarning(key string, dropped, kept int) string {
	return fmt.Sprintf("Duplicate key '%s' at line %d: the value at line %d is used", key, dropped, kept)
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonDocument decodes one JSON document token by token, so that repeated
// keys can be reported (encoding/json silently keeps the last one).
type jsonDocument struct {
	body     []byte
	dec      *json.Decoder
	warnings []string
}

func decodeJSON(body []byte) (any, []string, error) {
	d := &jsonDocument{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	d.dec.UseNumber()
	v, err := d.value("", 0)
	if err != nil {
		return nil, nil, fmt.Errorf("read json: %w", err)
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, nil, errors.New("read json: data after the document")
	}
	return v, d.warnings, nil
}

func (d *jsonDocument) value(path string, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, ErrTooDeep
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			list := []any{}
			for d.dec.More() {
				v, err := d.value(path, depth+1)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := d.dec.Token()
			return list, err
		}
		if t != '{' {
			return nil, fmt.Errorf("unexpected %v", t)
		}
		o := Obj{}
		at := map[string]int64{} // where each key was read
		for d.dec.More() {
			kt, err := d.dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			off := d.dec.InputOffset()
			v, err := d.value(joinKey(path, k), depth+1)
			if err != nil {
				return nil, err
			}
			if prev, dup := at[k]; dup {
				d.warnings = append(d.warnings, duplicateKeyWarning(joinKey(path, k), d.line(prev), d.line(off)))
			}
			o[k], at[k] = v, off
		}
		_, err := d.dec.Token()
		return o, err
	case json.Number:
		return normalize(t), nil
	}
	return tok, nil
}

// line is the 1-based line of the byte offset off (counted only for the
// rare warning: counting for every key would make decoding quadratic).
func (d *jsonDocument) line(off int64) int {
	return bytes.Count(d.body[:min(int(off), len(d.body))], []byte{'\n'}) + 1
}

// normalize turns YAML's map[any]any (integer keys such as status codes)
// into string-keyed objects and json.Number into Go numbers.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[any]any:
		out := make(Obj, len(t))
		for k, x := range t {
			key := Str(k)
			if key == "" {
				key = fmt.Sprint(k)
			}
			out[key] = normalize(x)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
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

// JavaDouble renders f as Java's Double.toString does. AWS's importer
// reads an unquoted number where OpenAPI wants text (swagger: 2.0,
// info.version: 1.0, payloadFormatVersion: 2.0) as Jackson's asText() of a
// double: "2.0", "1.0", "1.0E7" [U: inferred from AWS accepting swagger:
// 2.0 unquoted, and AWS's own HTTP API examples writing
// payloadFormatVersion: 1.0 unquoted, "Working with OpenAPI definitions
// for HTTP APIs"].
func JavaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
