package mapping

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/vtl"
)

// ErrJSONPath is wrapped by every JSONPath syntax error.
var ErrJSONPath = errors.New("invalid JSONPath")

type stepKind uint8

const (
	stepChild    stepKind = iota // .name or ['name']
	stepIndex                    // [n] (negative counts from the end)
	stepWild                     // .* or [*]
	stepDeep                     // ..name (deep scan)
	stepDeepWild                 // ..* or ..[*]
)

type step struct {
	kind stepKind
	name string
	idx  int
}

// parsePath parses the JSONPath subset API Gateway templates use: $,
// .name, ['name'], ["name"], [n], [*], .*, ..name. Steps are appended to
// dst.
func parsePath(p string, dst []step) ([]step, error) {
	s := strings.TrimSpace(p)
	if s == "" || s[0] != '$' {
		return nil, fmt.Errorf("%w %q: must start with $", ErrJSONPath, p)
	}
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			deep := i+1 < len(s) && s[i+1] == '.'
			if deep {
				i++
			}
			i++
			if i < len(s) && s[i] == '[' && deep {
				// ..[*] or ..['x']: handled by the bracket case below.
				st, n, err := parseBracket(s[i:], p)
				if err != nil {
					return nil, err
				}
				dst = append(dst, deepen(st))
				i += n
				continue
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			name := s[i:j]
			if name == "" {
				return nil, fmt.Errorf("%w %q: empty name at %d", ErrJSONPath, p, i)
			}
			st := step{kind: stepChild, name: name}
			if name == "*" {
				st = step{kind: stepWild}
			}
			if deep {
				st = deepen(st)
			}
			dst = append(dst, st)
			i = j
		case '[':
			st, n, err := parseBracket(s[i:], p)
			if err != nil {
				return nil, err
			}
			dst = append(dst, st)
			i += n
		default:
			return nil, fmt.Errorf("%w %q: unexpected %q at %d", ErrJSONPath, p, s[i], i)
		}
	}
	return dst, nil
}

func deepen(st step) step {
	if st.kind == stepWild {
		return step{kind: stepDeepWild}
	}
	return step{kind: stepDeep, name: st.name}
}

// parseBracket parses "[...]" at the start of s and returns the step and
// the bytes consumed.
func parseBracket(s, p string) (step, int, error) {
	end := -1
	if len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
		q := s[1]
		k := strings.IndexByte(s[2:], q)
		if k >= 0 && 2+k+1 < len(s) && s[2+k+1] == ']' {
			return step{kind: stepChild, name: s[2 : 2+k]}, 2 + k + 2, nil
		}
		return step{}, 0, fmt.Errorf("%w %q: unterminated quoted name", ErrJSONPath, p)
	}
	end = strings.IndexByte(s, ']')
	if end < 0 {
		return step{}, 0, fmt.Errorf("%w %q: missing ]", ErrJSONPath, p)
	}
	in := strings.TrimSpace(s[1:end])
	if in == "*" {
		return step{kind: stepWild}, end + 1, nil
	}
	n, err := strconv.Atoi(in)
	if err != nil {
		return step{}, 0, fmt.Errorf("%w %q: unsupported subscript [%s]", ErrJSONPath, p, in)
	}
	return step{kind: stepIndex, idx: n}, end + 1, nil
}

// definite reports whether steps select at most one value (no wildcard,
// no deep scan): such paths return the value itself, others a list.
func definite(steps []step) bool {
	for _, st := range steps {
		if st.kind >= stepWild {
			return false
		}
	}
	return true
}

// EvalPath evaluates a JSONPath against a document of template values (as
// vtl.ParseJSON returns). A definite path returns the value or nil when
// absent; a path with wildcards or deep scans returns a *vtl.List of every
// match, as Jayway JsonPath does.
func EvalPath(doc any, path string) (any, error) {
	var buf [8]step
	steps, err := parsePath(path, buf[:0])
	if err != nil {
		return nil, err
	}
	if definite(steps) {
		v := doc
		for _, st := range steps {
			var ok bool
			if v, ok = apply(v, st); !ok {
				return nil, nil
			}
		}
		return v, nil
	}
	out := walk(doc, steps, nil)
	return vtl.NewList(out...), nil
}

// apply takes one definite step.
func apply(v any, st step) (any, bool) {
	switch st.kind {
	case stepChild:
		if m, ok := v.(*vtl.Map); ok {
			return m.Get(st.name)
		}
	case stepIndex:
		if l, ok := v.(*vtl.List); ok {
			i := st.idx
			if i < 0 {
				i += len(l.Items)
			}
			if i >= 0 && i < len(l.Items) {
				return l.Items[i], true
			}
		}
	}
	return nil, false
}

// walk collects every match of steps under v.
func walk(v any, steps []step, out []any) []any {
	if len(steps) == 0 {
		return append(out, v)
	}
	st, rest := steps[0], steps[1:]
	switch st.kind {
	case stepChild, stepIndex:
		if c, ok := apply(v, st); ok {
			out = walk(c, rest, out)
		}
	case stepWild:
		for _, c := range children(v) {
			out = walk(c, rest, out)
		}
	case stepDeep, stepDeepWild:
		out = deepScan(v, st, rest, out)
	}
	return out
}

// deepScan applies st to v and to every descendant of v, in document
// order.
func deepScan(v any, st step, rest []step, out []any) []any {
	if st.kind == stepDeepWild {
		for _, c := range children(v) {
			out = walk(c, rest, out)
		}
	} else if c, ok := apply(v, step{kind: stepChild, name: st.name}); ok {
		out = walk(c, rest, out)
	}
	for _, c := range children(v) {
		out = deepScan(c, st, rest, out)
	}
	return out
}

// children returns the members of a map or list.
func children(v any) []any {
	switch t := v.(type) {
	case *vtl.Map:
		return t.Values()
	case *vtl.List:
		return t.Items
	}
	return nil
}
