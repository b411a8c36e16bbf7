// Package patch parses apigateway PATCH requests ({"patchOperations": [...]})
// and produces the error messages AWS gives for them. Applying operations is
// each resource's own business: AWS accepts a different set of paths and ops
// per resource.
package patch

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
)

// Operation is one patch operation. Value is always a string on the wire.
type Operation struct {
	// Op is one of Ops; an unknown op is a validation error (see Validate).
	Op string `json:"op"`
	// Path is a JSON-Pointer-like path into the resource ("/description",
	// "/binaryMediaTypes/image~1png"): "~1" stands for '/' and "~0" for '~'
	// within a segment.
	Path string `json:"path"`
	// Value is the new value for add, replace and test; nil when absent.
	Value *string `json:"value"`
	// From is the source path of move and copy; nil when absent.
	From *string `json:"from"`
}

// Request is the body of every Update* operation.
type Request struct {
	// PatchOperations are applied in order; a failing one fails the whole
	// request, which then changes nothing.
	PatchOperations []Operation `json:"patchOperations"`
}

// Ops in the order AWS prints them.
var Ops = []string{"add", "remove", "move", "test", "replace", "copy"}

// Validate records a model violation for every unknown op; input is the
// operation's input shape name (e.g. "updateRestApiInput").
func Validate(ops []Operation, input string, v *awserr.Validation) {
	for i, o := range ops {
		if !isOp(o.Op) {
			v.Enum(o.Op, fmt.Sprintf("%s.patchOperations.%d.member.op", input, i+1), Ops)
		}
	}
}

func isOp(s string) bool {
	for _, o := range Ops {
		if o == s {
			return true
		}
	}
	return false
}

// Str returns the operation's value, or "" if absent.
func (o Operation) Str() string {
	if o.Value == nil {
		return ""
	}
	return *o.Value
}

// Segments splits a JSON-pointer path into unescaped segments: "/a/b~1c"
// → ["a", "b/c"]. The leading "/" is required: a path without it ("name")
// is no pointer and, like "" and "/", gives no segments, which no
// resource accepts (each answers with its own invalid-path error).
func Segments(path string) []string {
	if !strings.HasPrefix(path, "/") || path == "/" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, p := range parts {
		parts[i] = Unescape(p)
	}
	return parts
}

// Unescape decodes one JSON-pointer segment (~1 → /, ~0 → ~).
func Unescape(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

// InvalidPathFor: the path is not one of allowed for op.
func InvalidPathFor(o Operation, allowed ...string) error {
	return awserr.BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]", o.Path, o.Op, strings.Join(allowed, ", "))
}

// UnsupportedOp: the path exists but not for this op.
func UnsupportedOp(o Operation) error {
	return awserr.BadRequest("Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", o.Path, o.Op)
}

// InvalidPath: the path is not a patchable path at all.
func InvalidPath(o Operation) error {
	return awserr.BadRequest("Invalid patch path %s", o.Path)
}

// InvalidOp: the op is not allowed for this resource.
func InvalidOp(allowed ...string) error {
	return awserr.BadRequest("Invalid patch operation specified. Must be one of: [%s]", strings.Join(allowed, ", "))
}

// OpNotAllowed is AWS's other style for a disallowed op: "Must be 'add'|'remove'|'replace'".
func OpNotAllowed(o Operation, allowed ...string) error {
	q := make([]string, len(allowed))
	for i, a := range allowed {
		q[i] = "'" + a + "'"
	}
	return awserr.BadRequest("Invalid patch operation specified. Must be %s", strings.Join(q, "|"))
}
