package rest

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/vtl"
)

// ctxNode is a node of the $context tree: an inner node (identity, error,
// …) or a leaf variable.
type ctxNode struct {
	id   int // index among inner nodes (ctxObject slots of a render)
	v    pipeline.CtxVar
	name string // the variable name as ParseContextVar takes it
	kids map[string]*ctxNode
}

// ctxRoot is $context as a tree built from the variable names, so that
// templates can reach $context.identity.sourceIp as nested objects.
// ctxNodes lists the inner nodes by id (the root is 0).
var ctxRoot, ctxNodes = buildCtxTree()

func buildCtxTree() (*ctxNode, []*ctxNode) {
	root := &ctxNode{kids: map[string]*ctxNode{}}
	nodes := []*ctxNode{root}
	for name, v := range pipeline.ContextVarNames() {
		n := root
		parts := strings.Split(name, ".")
		for i, p := range parts {
			k := n.kids[p]
			if k == nil {
				k = &ctxNode{}
				n.kids[p] = k
			}
			if i == len(parts)-1 {
				k.v, k.name = v, name
			} else if k.kids == nil {
				k.kids, k.id = map[string]*ctxNode{}, len(nodes)
				nodes = append(nodes, k)
			}
			n = k
		}
	}
	return root, nodes
}

// ctxObject is $context (or one of its inner objects) for one render.
type ctxObject struct {
	r *render
	n *ctxNode
}

// Property implements vtl.Object. Known variables without a value are
// null (rendered literally, as Velocity renders null references); names
// API Gateway does not define are undefined.
func (c *ctxObject) Property(name string) (any, bool) {
	x := c.r.x
	if c.n == ctxRoot {
		switch name {
		case "authorizer":
			return &c.r.auth, true
		case "requestOverride":
			return x.overridesMap().request, true
		case "responseOverride":
			return x.overridesMap().response, true
		}
	}
	k := c.n.kids[name]
	if k == nil {
		return nil, false
	}
	if k.kids != nil {
		return &c.r.ctx[k.id], true
	}
	b, ok := x.AppendContextName(nil, k.v, k.name)
	if !ok {
		return nil, true
	}
	return string(b), true
}

// Method implements vtl.Object: $context.get('name') and
// $context['name'].
func (c *ctxObject) Method(name string, args []any) (any, error) {
	if name == "get" && len(args) == 1 {
		if s, ok := args[0].(string); ok {
			v, _ := c.Property(s)
			return v, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("$context.%s: %w", name, vtl.ErrNoSuchMethod)
}

// authObject is $context.authorizer: principalId, claims (a map), latency
// and the Lambda authorizer's context keys.
type authObject struct {
	r      *render
	claims *vtl.Map
}

// Property implements vtl.Object.
func (o *authObject) Property(name string) (any, bool) {
	a := &o.r.x.Auth
	switch name {
	case "principalId":
		if a.PrincipalID == "" {
			return nil, true
		}
		return a.PrincipalID, true
	case "claims":
		if a.Claims == nil {
			return nil, true
		}
		if o.claims == nil {
			o.claims = vtl.NewMap()
			for _, k := range sortedStrings(a.Claims) {
				o.claims.Put(k, a.Claims[k])
			}
		}
		return o.claims, true
	case "latency", "integrationLatency":
		b, ok := o.r.x.AppendContext(nil, pipeline.CtxAuthorizerLatency)
		if !ok {
			return nil, true
		}
		return string(b), true
	}
	v, ok := a.Context[name]
	if !ok {
		return nil, false
	}
	return v, true
}

// Method implements vtl.Object: $context.authorizer['key'] and .get('key').
func (o *authObject) Method(name string, args []any) (any, error) {
	if name == "get" && len(args) == 1 {
		v, _ := o.Property(vtl.Stringify(args[0]))
		return v, nil
	}
	return nil, fmt.Errorf("$context.authorizer.%s: %w", name, vtl.ErrNoSuchMethod)
}

// stageVars is $stageVariables.
type stageVars struct{ x *Exchange }

// Property implements vtl.Object: an undefined stage variable is null.
func (s *stageVars) Property(name string) (any, bool) {
	v, ok := s.x.Variables()[name]
	if !ok {
		return nil, true
	}
	return v, true
}

// Method implements vtl.Object: $stageVariables['name'] and .get('name').
func (s *stageVars) Method(name string, args []any) (any, error) {
	if name == "get" && len(args) == 1 {
		v, _ := s.Property(vtl.Stringify(args[0]))
		return v, nil
	}
	return nil, fmt.Errorf("$stageVariables.%s: %w", name, vtl.ErrNoSuchMethod)
}
