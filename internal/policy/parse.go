package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

const (
	// Version2012 is the current policy language version; it enables
	// policy variables.
	Version2012 = "2012-10-17"
	// Version2008 is the legacy policy language version, assumed when a
	// document has no Version element; "${...}" is literal text in it.
	Version2008 = "2008-10-17"
)

var topLevelElements = map[string]bool{"Version": true, "Id": true, "Statement": true}

var statementElements = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true,
	"Condition": true,
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Parse compiles a policy document (JSON). Errors wrap [ErrInvalid] and say
// what is wrong: malformed JSON, an unknown or misspelt element, a bad
// Effect, a missing Action or Resource, an unknown condition operator, an
// unparsable CIDR, date, number, boolean or base64 value in a condition, ...
func Parse(doc []byte) (*Policy, error) {
	top, err := objectMap(doc)
	if err != nil {
		return nil, invalid("%v", err)
	}
	for k := range top {
		if !topLevelElements[k] {
			return nil, invalid("unknown top-level element %q", k)
		}
	}
	p := &Policy{version: Version2008}
	if raw, ok := top["Version"]; ok {
		v, err := jsonString(raw)
		if err != nil {
			return nil, invalid("Version: %v", err)
		}
		if v != Version2012 && v != Version2008 {
			return nil, invalid("unsupported Version %q (want %q or %q)", v, Version2012, Version2008)
		}
		p.version = v
	}
	if raw, ok := top["Id"]; ok {
		if p.id, err = jsonString(raw); err != nil {
			return nil, invalid("Id: %v", err)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, invalid("missing Statement")
	}
	var raws []json.RawMessage
	switch firstByte(raw) {
	case '[':
		if err := json.Unmarshal(raw, &raws); err != nil {
			return nil, invalid("Statement: %v", err)
		}
	case '{':
		raws = []json.RawMessage{raw}
	default:
		return nil, invalid("Statement must be an object or an array of objects")
	}
	vars := p.version == Version2012
	p.stmts = make([]statement, 0, len(raws))
	for i, r := range raws {
		st, err := parseStatement(r, vars)
		if err != nil {
			where := fmt.Sprintf("statement %d", i)
			if st.sid != "" {
				where += fmt.Sprintf(" (Sid %q)", st.sid)
			}
			return nil, invalid("%s: %v", where, err)
		}
		p.stmts = append(p.stmts, st)
	}
	return p, nil
}

func parseStatement(raw json.RawMessage, vars bool) (st statement, err error) {
	m, err := objectMap(raw)
	if err != nil {
		return st, err
	}
	if r, ok := m["Sid"]; ok {
		if st.sid, err = jsonString(r); err != nil {
			return st, fmt.Errorf("Sid: %v", err)
		}
	}
	for _, k := range sortedKeys(m) {
		if !statementElements[k] {
			return st, fmt.Errorf("unknown element %q", k)
		}
	}

	r, ok := m["Effect"]
	if !ok {
		return st, fmt.Errorf("missing Effect")
	}
	effect, err := jsonString(r)
	if err != nil {
		return st, fmt.Errorf("Effect: %v", err)
	}
	switch effect {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		return st, fmt.Errorf("bad Effect %q (want \"Allow\" or \"Deny\")", effect)
	}

	name, r, err := either(m, "Principal", "NotPrincipal", false)
	if err != nil {
		return st, err
	}
	if r != nil {
		if st.principal, err = parsePrincipal(r); err != nil {
			return st, fmt.Errorf("%s: %v", name, err)
		}
		st.notPrincipal = name == "NotPrincipal"
	}

	name, r, err = either(m, "Action", "NotAction", true)
	if err != nil {
		return st, err
	}
	actions, err := stringList(r)
	if err != nil {
		return st, fmt.Errorf("%s: %v", name, err)
	}
	st.notAction = name == "NotAction"
	for _, a := range actions {
		if a != "*" && !strings.Contains(a, ":") {
			return st, fmt.Errorf("%s: %q is not of the form service:action", name, a)
		}
		st.actions = append(st.actions, compilePattern(a, true, false, true))
	}

	name, r, err = either(m, "Resource", "NotResource", true)
	if err != nil {
		return st, err
	}
	resources, err := stringList(r)
	if err != nil {
		return st, fmt.Errorf("%s: %v", name, err)
	}
	st.notResource = name == "NotResource"
	for _, res := range resources {
		if res == "" {
			return st, fmt.Errorf("%s: empty resource", name)
		}
		st.resources = append(st.resources, compilePattern(res, true, vars, false))
	}

	if r, ok := m["Condition"]; ok {
		if st.conds, err = parseConditions(r, vars); err != nil {
			return st, fmt.Errorf("Condition: %v", err)
		}
	}
	return st, nil
}

// either returns whichever of the elements a and b is present; exactly one
// must be present when required, at most one otherwise.
func either(m map[string]json.RawMessage, a, b string, required bool) (string, json.RawMessage, error) {
	ra, okA := m[a]
	rb, okB := m[b]
	switch {
	case okA && okB:
		return "", nil, fmt.Errorf("both %s and %s", a, b)
	case okA:
		return a, ra, nil
	case okB:
		return b, rb, nil
	case required:
		return "", nil, fmt.Errorf("missing %s (or %s)", a, b)
	}
	return "", nil, nil
}

func parsePrincipal(raw json.RawMessage) (*principalSet, error) {
	ps := &principalSet{}
	switch firstByte(raw) {
	case '"':
		s, err := jsonString(raw)
		if err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\", got %q", s)
		}
		ps.any = true
		return ps, nil
	case '{':
	default:
		return nil, fmt.Errorf("must be \"*\" or an object")
	}
	m, err := objectMap(raw)
	if err != nil {
		return nil, err
	}
	for _, typ := range sortedKeys(m) {
		vals, err := stringList(m[typ])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", typ, err)
		}
		switch typ {
		case "AWS":
			for _, v := range vals {
				if err := ps.addAWS(v); err != nil {
					return nil, err
				}
			}
		case "Service", "Federated", "CanonicalUser":
			// Parsed but never matched: API Gateway callers are AWS
			// principals or anonymous.
		default:
			return nil, fmt.Errorf("unknown principal type %q", typ)
		}
	}
	return ps, nil
}

func parseConditions(raw json.RawMessage, vars bool) ([]condition, error) {
	ops, err := objectMap(raw)
	if err != nil {
		return nil, err
	}
	var conds []condition
	for _, opName := range sortedKeys(ops) {
		info, qual, ifExists, err := parseOperator(opName)
		if err != nil {
			return nil, err
		}
		keys, err := objectMap(ops[opName])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", opName, err)
		}
		for _, key := range sortedKeys(keys) {
			if key == "" {
				return nil, fmt.Errorf("%s: empty condition key", opName)
			}
			vals, err := scalarList(keys[key])
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", opName, key, err)
			}
			c := condition{opInfo: info, qual: qual, ifExists: ifExists, key: newKey(key)}
			for _, v := range vals {
				cv, err := compileValue(info.kind, v, vars)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %v", opName, key, err)
				}
				c.vals = append(c.vals, cv)
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

// objectMap decodes a JSON object into its members.
func objectMap(raw []byte) (map[string]json.RawMessage, error) {
	if firstByte(raw) != '{' {
		if !json.Valid(raw) {
			return nil, fmt.Errorf("malformed JSON")
		}
		return nil, fmt.Errorf("expected a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	return m, nil
}

func jsonString(raw json.RawMessage) (string, error) {
	if firstByte(raw) != '"' {
		return "", fmt.Errorf("expected a string, got %s", abbreviate(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// stringList decodes a string or a non-empty array of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	return oneOrMany(raw, jsonString, false)
}

// scalarList decodes a condition value: a string, number or boolean, or an
// array of them. Numbers keep their literal text; booleans become "true" or
// "false".
func scalarList(raw json.RawMessage) ([]string, error) {
	return oneOrMany(raw, scalar, true)
}

// oneOrMany decodes one value, or an array of values, with decode.
func oneOrMany(raw json.RawMessage, decode func(json.RawMessage) (string, error), allowEmpty bool) ([]string, error) {
	if firstByte(raw) != '[' {
		s, err := decode(raw)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	if len(elems) == 0 && !allowEmpty {
		return nil, fmt.Errorf("empty list")
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, err := decode(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch c := firstByte(raw); {
	case c == '"':
		return jsonString(raw)
	case c == 't' || c == 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", err
		}
		if b {
			return "true", nil
		}
		return "false", nil
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
	return "", fmt.Errorf("condition values must be strings, numbers or booleans, got %s", abbreviate(raw))
}

func firstByte(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func abbreviate(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 40 {
		return string(raw[:37]) + "..."
	}
	return string(raw)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
