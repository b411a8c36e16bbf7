package audit

import "strings"

// Redacted replaces a secret member's value, as CloudTrail does
// ("stageVariables": "***" in AWS's apigatewayv2 records [C]).
const Redacted = "***"

// redact replaces the family's secret members of a decoded request body
// or response (m is changed in place). A path is dotted member names;
// "*" stands for any member or list element, and a leading "**" for any
// depth. Patch operations whose path addresses a secret have their value
// replaced too (UpdateStage's "/variables/{name}").
func (f *family) redact(m map[string]any) {
	if m == nil {
		return
	}
	for _, p := range f.secrets {
		redactPath(m, strings.Split(p, "."))
	}
	if f.patchSecret == nil {
		return
	}
	ops, _ := m["patchOperations"].([]any)
	for _, o := range ops {
		op, ok := o.(map[string]any)
		if !ok {
			continue
		}
		path, _ := op["path"].(string)
		from, _ := op["from"].(string)
		if _, has := op["value"]; has && (f.patchSecret(path) || f.patchSecret(from)) {
			op["value"] = Redacted
		}
	}
}

// redactPath replaces what segs addresses under v.
func redactPath(v any, segs []string) {
	if len(segs) == 0 {
		return
	}
	if segs[0] == "**" {
		redactPath(v, segs[1:])
		forChildren(v, func(c any) { redactPath(c, segs) })
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if segs[0] != "*" && segs[0] != k {
				continue
			}
			if len(segs) == 1 {
				if c != nil {
					t[k] = Redacted
				}
				continue
			}
			redactPath(c, segs[1:])
		}
	case []any:
		if segs[0] == "*" {
			for _, c := range t {
				redactPath(c, segs[1:])
			}
		}
	}
}

// forChildren calls fn on every member or element of v.
func forChildren(v any, fn func(any)) {
	switch t := v.(type) {
	case map[string]any:
		for _, c := range t {
			fn(c)
		}
	case []any:
		for _, c := range t {
			fn(c)
		}
	}
}
