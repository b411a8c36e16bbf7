package waf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tollgate/tollgate/internal/waf/transform"
	"github.com/tollgate/tollgate/internal/wafmodel"
)

// fieldKind is the component a FieldToMatch names.
type fieldKind uint8

const (
	fSingleHeader fieldKind = iota + 1
	fSingleQueryArg
	fAllQueryArgs
	fURIPath
	fQueryString
	fBody
	fMethod
	fJSONBody
	fHeaders
	fCookies
)

// Oversize handling and match scopes [M].
const (
	oversizeContinue uint8 = iota
	oversizeMatch
	oversizeNoMatch

	scopeAll uint8 = iota
	scopeKey
	scopeValue
)

// field is a compiled FieldToMatch with the statement's transformations.
type field struct {
	kind fieldKind
	// name is SingleHeader's or SingleQueryArgument's name, lower case.
	name     string
	oversize uint8
	scope    uint8
	// include and exclude filter Headers (lower case) and Cookies
	// (exact); allNames when neither.
	include, exclude []string
	// JsonBody: paths are the IncludedPaths (nil: All); fallback is
	// InvalidFallbackBehavior ("" none).
	paths    []string
	fallback string
	tf       []transform.Func
}

func compileField(f *wafmodel.FieldToMatch, ts []wafmodel.TextTransformation) (*field, error) {
	out := &field{}
	var err error
	if out.tf, err = compileTransforms(ts); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, fmt.Errorf("no field to match")
	}
	switch {
	case f.SingleHeader != nil:
		out.kind, out.name = fSingleHeader, strings.ToLower(f.SingleHeader.Name)
	case f.SingleQueryArgument != nil:
		out.kind, out.name = fSingleQueryArg, strings.ToLower(f.SingleQueryArgument.Name)
	case f.AllQueryArguments != nil:
		out.kind = fAllQueryArgs
	case f.UriPath != nil:
		out.kind = fURIPath
	case f.QueryString != nil:
		out.kind = fQueryString
	case f.Method != nil:
		out.kind = fMethod
	case f.Body != nil:
		out.kind, out.oversize = fBody, oversizeOf(f.Body.OversizeHandling)
	case f.JsonBody != nil:
		j := f.JsonBody
		out.kind, out.oversize, out.scope, out.fallback = fJSONBody, oversizeOf(j.OversizeHandling), scopeOf(j.MatchScope), j.InvalidFallbackBehavior
		if j.MatchPattern != nil && j.MatchPattern.All == nil {
			out.paths = j.MatchPattern.IncludedPaths
		}
	case f.Headers != nil:
		out.kind, out.oversize, out.scope = fHeaders, oversizeOf(f.Headers.OversizeHandling), scopeOf(f.Headers.MatchScope)
		if p := f.Headers.MatchPattern; p != nil {
			out.include, out.exclude = lower(p.IncludedHeaders), lower(p.ExcludedHeaders)
		}
	case f.Cookies != nil:
		out.kind, out.oversize, out.scope = fCookies, oversizeOf(f.Cookies.OversizeHandling), scopeOf(f.Cookies.MatchScope)
		if p := f.Cookies.MatchPattern; p != nil {
			out.include, out.exclude = p.IncludedCookies, p.ExcludedCookies
		}
	default:
		return nil, fmt.Errorf("unsupported field to match")
	}
	return out, nil
}

func compileTransforms(ts []wafmodel.TextTransformation) ([]transform.Func, error) {
	sorted := append([]wafmodel.TextTransformation(nil), ts...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && prio(sorted[j]) < prio(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var out []transform.Func
	for _, t := range sorted {
		if t.Type == "NONE" {
			continue
		}
		f := transform.ByName[t.Type]
		if f == nil {
			return nil, fmt.Errorf("unknown text transformation %q", t.Type)
		}
		out = append(out, f)
	}
	return out, nil
}

func prio(t wafmodel.TextTransformation) int64 {
	if t.Priority == nil {
		return 0
	}
	return *t.Priority
}

func lower(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

func oversizeOf(s string) uint8 {
	switch s {
	case "MATCH":
		return oversizeMatch
	case "NO_MATCH":
		return oversizeNoMatch
	}
	return oversizeContinue
}

func scopeOf(s string) uint8 {
	switch s {
	case "KEY":
		return scopeKey
	case "VALUE":
		return scopeValue
	}
	return scopeAll
}

// match reports whether test accepts a value of the component, after the
// transformations. A component the request lacks matches nothing [D].
func (f *field) match(e *eval, test func(v []byte) bool) bool {
	try := func(v []byte) bool { return test(transform.Chain(f.tf, &e.bufs, v)) }
	switch f.kind {
	case fSingleHeader:
		v, ok := e.header(f.name)
		return ok && try(v)
	case fSingleQueryArg:
		for _, a := range e.queryArgs() {
			if argNameEqual(a.name, f.name) && try(a.value) {
				return true
			}
		}
		return false
	case fAllQueryArgs:
		for _, a := range e.queryArgs() {
			if try(a.value) {
				return true
			}
		}
		return false
	case fURIPath:
		return try([]byte(e.req.URI()))
	case fQueryString:
		return try([]byte(e.req.RawQuery()))
	case fMethod:
		return try([]byte(e.req.Method()))
	case fBody:
		body, over := e.requestBody()
		switch {
		case over && f.oversize == oversizeMatch:
			return true
		case over && f.oversize == oversizeNoMatch:
			return false
		}
		return try(body)
	case fHeaders:
		return f.matchMap(e, e.headerList(), e.headerOversize, true, try)
	case fCookies:
		return f.matchMap(e, e.cookieList(), e.cookieOversize, false, try)
	case fJSONBody:
		return f.matchJSON(e, try)
	}
	return false
}

// matchMap inspects headers or cookies by the match pattern and scope.
func (f *field) matchMap(_ *eval, list []kv, over, fold bool, try func([]byte) bool) bool {
	switch {
	case over && f.oversize == oversizeMatch:
		return true
	case over && f.oversize == oversizeNoMatch:
		return false
	}
	for _, p := range list {
		if !f.wanted(p.name, fold) {
			continue
		}
		if f.scope != scopeValue && try(p.name) {
			return true
		}
		if f.scope != scopeKey && try(p.value) {
			return true
		}
	}
	return false
}

// wanted applies IncludedHeaders/ExcludedHeaders (case-insensitive) or
// IncludedCookies/ExcludedCookies (exact) [D].
func (f *field) wanted(name []byte, fold bool) bool {
	eq := func(s string) bool {
		if fold {
			return bytes.EqualFold(name, []byte(s))
		}
		return string(name) == s
	}
	if f.include != nil {
		for _, s := range f.include {
			if eq(s) {
				return true
			}
		}
		return false
	}
	for _, s := range f.exclude {
		if eq(s) {
			return false
		}
	}
	return true
}

// matchJSON inspects the parsed JSON body: keys and/or values (by
// MatchScope) under the included paths (JSON Pointers) or all. Invalid
// JSON is evaluated up to the first error unless InvalidFallbackBehavior
// says otherwise [M doc].
func (f *field) matchJSON(e *eval, try func([]byte) bool) bool {
	body, over := e.requestBody()
	switch {
	case over && f.oversize == oversizeMatch:
		return true
	case over && f.oversize == oversizeNoMatch:
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return false
	}
	matched, valid := walkJSON(body, func(path string, key bool, v []byte) bool {
		if key && f.scope == scopeValue || !key && f.scope == scopeKey {
			return false
		}
		if f.paths != nil && !underPaths(path, f.paths) {
			return false
		}
		return try(v)
	})
	if matched {
		return true
	}
	if !valid {
		switch f.fallback {
		case "MATCH":
			return true
		case "EVALUATE_AS_STRING":
			return try(body)
		}
	}
	return false
}

// underPaths reports whether the JSON Pointer path is one of paths or
// below one.
func underPaths(path string, paths []string) bool {
	for _, p := range paths {
		if p == "/" || path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// walkJSON calls fn for every key and scalar value of doc with its JSON
// Pointer, until fn returns true (matched) or the document ends or is
// found invalid (valid false).
func walkJSON(doc []byte, fn func(path string, key bool, v []byte) bool) (matched, valid bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		path  string
		array bool
		index int
		key   bool // the next string token is a key
	}
	var stack []frame
	cur := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1].path
	}
	pending := "" // path of the value that follows a key
	for {
		tok, err := dec.Token()
		if err != nil {
			return false, errors.Is(err, io.EOF) && len(stack) == 0
		}
		var at string
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.array {
				at = top.path + "/" + fmt.Sprint(top.index)
			} else {
				at = pending
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) > 0 && stack[len(stack)-1].array {
					stack[len(stack)-1].index++
				}
				stack = append(stack, frame{path: at, array: t == '[', key: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && !stack[len(stack)-1].array {
					stack[len(stack)-1].key = true
				}
			}
			continue
		case string:
			if top := len(stack) - 1; top >= 0 && !stack[top].array && stack[top].key {
				stack[top].key = false
				pending = cur() + "/" + escapePointer(t)
				if fn(pending, true, []byte(t)) {
					return true, true
				}
				continue
			}
			if fn(at, false, []byte(t)) {
				return true, true
			}
		case nil:
			if fn(at, false, []byte("null")) {
				return true, true
			}
		default:
			if fn(at, false, []byte(fmt.Sprint(t))) {
				return true, true
			}
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.array {
				top.index++
			} else {
				top.key = true
			}
		}
	}
}

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
