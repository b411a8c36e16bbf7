package proxyevent

import (
	"errors"
	"fmt"

	"github.com/valyala/fastjson"

	"github.com/tollgate/tollgate/internal/jsonw"
)

// Context is a Lambda authorizer's context: the members of a JSON object
// with their values kept as compact JSON text, so that they reach a 2.0
// integration with their types ("numbers stay numbers") and can be read
// as text for $context.authorizer.<key>. Immutable once built; safe for
// concurrent use (authorizer results are cached and shared).
type Context struct {
	keys []string
	vals [][]byte
}

// ErrContext is wrapped by errors of [NewContext].
var ErrContext = errors.New("invalid authorizer context")

// NewContext builds a Context from a JSON object's text (for tests and for
// callers that hold a context document).
func NewContext(object []byte) (*Context, error) {
	var p fastjson.Parser
	v, err := p.ParseBytes(object)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContext, err)
	}
	return contextOf(v)
}

// contextOf copies a parsed JSON object (or null) into a Context.
func contextOf(v *fastjson.Value) (*Context, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return nil, nil
	}
	o, err := v.Object()
	if err != nil {
		return nil, fmt.Errorf("%w: context is not a JSON object", ErrContext)
	}
	c := &Context{keys: make([]string, 0, o.Len()), vals: make([][]byte, 0, o.Len())}
	o.Visit(func(k []byte, v *fastjson.Value) {
		c.keys = append(c.keys, string(k))
		c.vals = append(c.vals, v.MarshalTo(nil))
	})
	return c, nil
}

// Len returns the number of members.
func (c *Context) Len() int {
	if c == nil {
		return 0
	}
	return len(c.keys)
}

// At returns the i-th member: its key and its value as JSON text.
func (c *Context) At(i int) (key string, value []byte) { return c.keys[i], c.vals[i] }

// Lookup returns a member's value as JSON text.
func (c *Context) Lookup(key string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	for i, k := range c.keys {
		if k == key {
			return c.vals[i], true
		}
	}
	return nil, false
}

// Text returns a member's value as text: a string's contents, or the JSON
// text of any other value ("1", "true", "null", `{"a":1}`).
func (c *Context) Text(key string) (string, bool) {
	v, ok := c.Lookup(key)
	if !ok {
		return "", false
	}
	if len(v) > 0 && v[0] == '"' {
		var p fastjson.Parser
		if pv, err := p.ParseBytes(v); err == nil {
			b, _ := pv.StringBytes()
			return string(b), true
		}
	}
	return string(v), true
}

// AppendJSON appends the context as a JSON object, or null for a nil
// Context.
func (c *Context) AppendJSON(dst []byte) []byte {
	if c == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range c.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonw.Key(dst, k)
		dst = append(dst, c.vals[i]...)
	}
	return append(dst, '}')
}
