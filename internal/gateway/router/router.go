// Package router is the data plane's compiled resource tree. A Tree is
// built once per deployment and then only read, concurrently and without
// allocating: Lookup matches a request path segment by segment with API
// Gateway's precedence (literal > {param} > {greedy+}, falling back to a less
// specific resource when the most specific one lacks the method).
package router

import (
	"errors"
	"fmt"
	"strings"
)

// Verb indexes the methods of a resource.
type Verb uint8

// The verbs a REST API method may use.
const (
	GET Verb = iota
	PUT
	POST
	DELETE
	PATCH
	OPTIONS
	HEAD
	ANY
	numVerbs
)

var verbNames = [numVerbs]string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

func (v Verb) String() string {
	if v < numVerbs {
		return verbNames[v]
	}
	return "?"
}

// ParseVerb maps a method name to its Verb; ok is false for anything a
// REST API method cannot be defined for (ANY included only as a name).
func ParseVerb(s string) (Verb, bool) {
	switch s {
	case "GET":
		return GET, true
	case "PUT":
		return PUT, true
	case "POST":
		return POST, true
	case "DELETE":
		return DELETE, true
	case "PATCH":
		return PATCH, true
	case "OPTIONS":
		return OPTIONS, true
	case "HEAD":
		return HEAD, true
	case "ANY":
		return ANY, true
	}
	return 0, false
}

// MaxParams bounds path parameters per route (a resource path of more
// variable segments is rejected at compile time).
const MaxParams = 16

// Params are a match's path parameters. Values are substrings of the
// request path, not URL-decoded (as AWS passes them).
type Params struct {
	n      int
	names  [MaxParams]string
	values [MaxParams]string
}

// Len returns the number of parameters.
func (p *Params) Len() int { return p.n }

// At returns the i-th parameter.
func (p *Params) At(i int) (name, value string) { return p.names[i], p.values[i] }

// Get returns the value of a parameter.
func (p *Params) Get(name string) (string, bool) {
	for i := 0; i < p.n; i++ {
		if p.names[i] == name {
			return p.values[i], true
		}
	}
	return "", false
}

func (p *Params) push(name, value string) { p.names[p.n], p.values[p.n] = name, value; p.n++ }

// Tree maps resource paths to per-verb routes of type T.
type Tree[T any] struct {
	root node[T]
}

type node[T any] struct {
	literal    map[string]*node[T]
	param      *node[T]
	paramName  string
	greedy     *node[T]
	greedyName string
	methods    [numVerbs]*T
	path       string
}

// Add registers route for verb on a resource path ("/", "/pets/{id}",
// "/files/{proxy+}").
func (t *Tree[T]) Add(path string, verb Verb, route *T) error {
	if verb >= numVerbs {
		return fmt.Errorf("route %s: bad verb", path)
	}
	n := &t.root
	n.path = "/"
	params := 0
	if path != "/" {
		if !strings.HasPrefix(path, "/") {
			return fmt.Errorf("route %q: must start with /", path)
		}
		segs := strings.Split(path[1:], "/")
		for i, seg := range segs {
			switch {
			case seg == "":
				return fmt.Errorf("route %q: empty segment", path)
			case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}"):
				if i != len(segs)-1 {
					return fmt.Errorf("route %q: greedy segment must be last", path)
				}
				name := seg[1 : len(seg)-2]
				if n.greedy == nil {
					n.greedy, n.greedyName = &node[T]{}, name
				} else if n.greedyName != name {
					return fmt.Errorf("route %q: conflicting greedy names %q and %q", path, n.greedyName, name)
				}
				n = n.greedy
				params++
			case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
				name := seg[1 : len(seg)-1]
				if n.param == nil {
					n.param, n.paramName = &node[T]{}, name
				} else if n.paramName != name {
					return fmt.Errorf("route %q: conflicting parameter names %q and %q", path, n.paramName, name)
				}
				n = n.param
				params++
			default:
				if n.literal == nil {
					n.literal = map[string]*node[T]{}
				}
				child := n.literal[seg]
				if child == nil {
					child = &node[T]{}
					n.literal[seg] = child
				}
				n = child
			}
		}
		n.path = path
	}
	if params > MaxParams {
		return fmt.Errorf("route %q: more than %d path parameters", path, MaxParams)
	}
	if n.methods[verb] != nil {
		return errors.New("route " + path + " " + verb.String() + ": duplicate")
	}
	n.methods[verb] = route
	return nil
}

// Match is the result of a Lookup.
type Match[T any] struct {
	Route *T
	// Resource is the matched resource path template ("/pets/{id}").
	Resource string
	Params   Params
}

// Lookup finds the route for verb and a request path relative to the stage
// ("" or "/" for the root, "/pets/12", "/pets/" with a trailing slash). It
// reports false when no resource with the verb (or ANY) matches. m is
// filled in place so that callers can keep it on their stack.
func (t *Tree[T]) Lookup(verb Verb, path string, m *Match[T]) bool {
	m.Params.n = 0
	// A trailing slash still matches ("/pets/" → "/pets") [V].
	if len(path) > 1 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	if path == "" || path == "/" {
		return t.root.pick(verb, m)
	}
	return t.root.match(verb, path[1:], m)
}

// pick selects this node's route for verb: the exact verb beats ANY.
func (n *node[T]) pick(verb Verb, m *Match[T]) bool {
	r := n.methods[verb]
	if r == nil {
		r = n.methods[ANY]
	}
	if r == nil {
		return false
	}
	m.Route, m.Resource = r, n.path
	return true
}

// match matches rest (the path after this node, without a leading slash)
// depth-first: literal child, then {param}, then {greedy+}; a branch that
// ends on a resource without the verb backtracks to the next option.
func (n *node[T]) match(verb Verb, rest string, m *Match[T]) bool {
	seg, tail, more := strings.Cut(rest, "/")
	if child := n.literal[seg]; child != nil {
		if more {
			if child.match(verb, tail, m) {
				return true
			}
		} else if child.pick(verb, m) {
			return true
		}
	}
	if n.param != nil && seg != "" {
		mark := m.Params.n
		m.Params.push(n.paramName, seg)
		if more {
			if n.param.match(verb, tail, m) {
				return true
			}
		} else if n.param.pick(verb, m) {
			return true
		}
		m.Params.n = mark
	}
	if n.greedy != nil && rest != "" {
		mark := m.Params.n
		m.Params.push(n.greedyName, rest)
		if n.greedy.pick(verb, m) {
			return true
		}
		m.Params.n = mark
	}
	return false
}

// VerbNames lists the verb names in Verb order.
func VerbNames() []string { return verbNames[:] }
