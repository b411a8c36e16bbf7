// Package mapping holds the API Gateway objects that mapping templates see
// besides $context: $input (the payload and the method request's
// parameters), $util, and the JSONPath subset $input.path and $input.json
// evaluate (reference §6.2). It depends on the VTL engine only; the
// gateway builds $context and wires these objects into renders.
package mapping

import (
	"fmt"

	"github.com/tollgate/tollgate/internal/vtl"
)

// Params are the method request's parameters as $input.params sees them.
type Params interface {
	// Param returns the parameter name from the path, else the query
	// string, else the headers; ok is false when none has it.
	Param(name string) (value string, ok bool)
	// All returns the parameters as
	// {"path": {...}, "querystring": {...}, "header": {...}}.
	All() *vtl.Map
}

// Input is $input for one render: the payload (the request body in
// request templates, the integration's answer in response templates) and
// the method request's parameters. Its zero value has an empty body and
// no parameters. An Input is used by one render at a time.
type Input struct {
	body    []byte
	params  Params
	bodyStr string
	doc     any
	state   uint8 // bit 0: bodyStr set, bit 1: doc parsed
	all     *vtl.Map
}

// Reset prepares in for a render of body with params.
func (in *Input) Reset(body []byte, params Params) {
	*in = Input{body: body, params: params}
}

// Property implements vtl.Object: $input.body.
func (in *Input) Property(name string) (any, bool) {
	if name == "body" {
		return in.Body(), true
	}
	return nil, false
}

// Body returns the payload as a string.
func (in *Input) Body() string {
	if in.state&1 == 0 {
		in.bodyStr, in.state = string(in.body), in.state|1
	}
	return in.bodyStr
}

// Doc returns the payload parsed as JSON: an empty payload is {}, a
// payload that is not JSON is nil (JSONPath then finds nothing).
func (in *Input) Doc() any {
	if in.state&2 == 0 {
		in.state |= 2
		if len(trimSpace(in.body)) == 0 {
			in.doc = vtl.NewMap()
		} else if d, err := ParseJSON(in.body); err == nil {
			in.doc = d
		}
	}
	return in.doc
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// Method implements vtl.Object: $input.path(p), $input.json(p),
// $input.params() and $input.params(name).
func (in *Input) Method(name string, args []any) (any, error) {
	switch name {
	case "path", "json":
		if len(args) != 1 {
			break
		}
		p, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("$input.%s: JSONPath must be a string, not %T", name, args[0])
		}
		doc := in.Doc()
		if doc == nil {
			if name == "json" {
				return "", nil
			}
			return nil, nil
		}
		v, err := EvalPath(doc, p)
		if err != nil {
			return nil, fmt.Errorf("$input.%s: %w", name, err)
		}
		if name == "path" {
			return v, nil
		}
		if v == nil {
			return "", nil
		}
		return string(AppendJSON(nil, v)), nil
	case "params":
		switch len(args) {
		case 0:
			if in.all == nil {
				if in.params == nil {
					in.all = emptyParams()
				} else {
					in.all = in.params.All()
				}
			}
			return in.all, nil
		case 1:
			if in.params == nil {
				return "", nil
			}
			v, _ := in.params.Param(vtl.Stringify(args[0]))
			return v, nil
		}
	case "getBody":
		if len(args) == 0 {
			return in.Body(), nil
		}
	}
	return nil, fmt.Errorf("$input.%s: %w", name, vtl.ErrNoSuchMethod)
}

func emptyParams() *vtl.Map {
	m := vtl.NewMap()
	m.Put("path", vtl.NewMap())
	m.Put("querystring", vtl.NewMap())
	m.Put("header", vtl.NewMap())
	return m
}
