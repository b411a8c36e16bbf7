package rest

import (
	"net/url"
	"sort"
	"sync"

	"github.com/tollgate/tollgate/internal/gateway/mapping"
	"github.com/tollgate/tollgate/internal/vtl"
)

// render is the state of one mapping-template render: the objects bound to
// $input, $context, $util and $stageVariables. Renders are pooled; the
// variable map points into the render and is built once.
type render struct {
	x      *Exchange
	vars   vtl.Vars
	input  mapping.Input
	params params
	stage  stageVars
	ctx    []ctxObject // $context and its inner objects, by ctxNode.id
	auth   authObject
}

var renderPool = sync.Pool{New: func() any {
	r := &render{ctx: make([]ctxObject, len(ctxNodes))}
	r.auth.r = r
	for i, n := range ctxNodes {
		r.ctx[i] = ctxObject{r: r, n: n}
	}
	r.vars = vtl.Vars{
		"input":          &r.input,
		"context":        &r.ctx[0],
		"util":           mapping.Util{},
		"stageVariables": &r.stage,
	}
	return r
}}

// newRender prepares a render for x with body as $input's payload.
func newRender(x *Exchange, body []byte) *render {
	r := renderPool.Get().(*render)
	r.x = x
	r.params.x = x
	r.stage.x = x
	r.input.Reset(body, &r.params)
	return r
}

func (r *render) release() {
	r.x, r.params.x, r.stage.x, r.auth.claims = nil, nil, nil, nil
	r.input.Reset(nil, nil)
	renderPool.Put(r)
}

// params implements mapping.Params over the method request.
type params struct{ x *Exchange }

// Param looks name up in the path parameters, the query string (last
// value) and the headers, in that order.
func (p *params) Param(name string) (string, bool) {
	x := p.x
	if v, ok := x.Match.Params.Get(name); ok {
		return unescapePath(v), true
	}
	if vs := x.Query()[name]; len(vs) > 0 {
		return vs[len(vs)-1], true
	}
	if v := x.Req.Header(name); v != "" {
		return v, true
	}
	return "", false
}

// All returns {"path": {...}, "querystring": {...}, "header": {...}}:
// path parameters in route order, query parameters sorted by name (last
// value), headers in request order (first value, the client's casing).
func (p *params) All() *vtl.Map {
	x := p.x
	path := vtl.NewMap()
	for i := 0; i < x.Match.Params.Len(); i++ {
		k, v := x.Match.Params.At(i)
		path.Put(k, unescapePath(v))
	}
	query := vtl.NewMap()
	q := x.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if vs := q[k]; len(vs) > 0 {
			query.Put(k, vs[len(vs)-1])
		}
	}
	header := vtl.NewMap()
	x.Req.VisitHeaders(func(k, v []byte) {
		if _, ok := header.Get(string(k)); !ok {
			header.Put(string(k), string(v))
		}
	})
	all := vtl.NewMap()
	all.Put("path", path)
	all.Put("querystring", query)
	all.Put("header", header)
	return all
}

// unescapePath decodes a raw path parameter (kept raw when malformed).
func unescapePath(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}
