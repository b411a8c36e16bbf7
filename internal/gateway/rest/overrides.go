package rest

import (
	"strconv"

	"github.com/tollgate/tollgate/internal/vtl"
)

// overrides hold what mapping templates set with
// #set($context.requestOverride.header.X = …) and
// #set($context.responseOverride.status = …) (reference §6.2).
type overrides struct {
	request  *vtl.Map // {"header": {}, "querystring": {}, "path": {}}
	response *vtl.Map // {"header": {}} and "status" once set
}

// overridesMap returns x's overrides, creating them on first use.
func (x *Exchange) overridesMap() *overrides {
	if x.overrides == nil {
		o := &overrides{request: vtl.NewMap(), response: vtl.NewMap()}
		o.request.Put("header", vtl.NewMap())
		o.request.Put("querystring", vtl.NewMap())
		o.request.Put("path", vtl.NewMap())
		o.response.Put("header", vtl.NewMap())
		x.overrides = o
	}
	return x.overrides
}

// RequestOverrides calls fn for every integration request override a
// request template set; kind is "header", "querystring" or "path".
func (x *Exchange) RequestOverrides(kind string, fn func(name, value string)) {
	if x.overrides == nil {
		return
	}
	visitMap(x.overrides.request, kind, fn)
}

func visitMap(m *vtl.Map, kind string, fn func(name, value string)) {
	v, _ := m.Get(kind)
	sub, ok := v.(*vtl.Map)
	if !ok {
		return
	}
	for i, k := range sub.Keys() {
		val := sub.Values()[i]
		if val == nil {
			continue
		}
		fn(vtl.Stringify(k), vtl.Stringify(val))
	}
}

// ApplyResponseOverrides sets the method response status and headers that
// templates set in $context.responseOverride. A status that is not an
// integer in 100–599 is ignored [L].
func (x *Exchange) ApplyResponseOverrides() {
	if x.overrides == nil {
		return
	}
	if v, ok := x.overrides.response.Get("status"); ok && v != nil {
		var n int64 = -1
		switch t := v.(type) {
		case int64:
			n = t
		case int:
			n = int64(t)
		case string:
			if i, err := strconv.ParseInt(t, 10, 32); err == nil {
				n = i
			}
		}
		if n >= 100 && n <= 599 {
			x.Resp.SetStatus(int(n))
		}
	}
	visitMap(x.overrides.response, "header", x.Resp.SetHeader)
}
