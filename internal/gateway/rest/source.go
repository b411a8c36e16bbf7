package rest

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

// SourceKind is where a mapped value comes from.
type SourceKind uint8

// Mapping sources (reference §1.5 "Parameter mapping syntax").
const (
	SrcLiteral SourceKind = iota
	SrcHeader
	SrcMultiHeader
	SrcQuery
	SrcMultiQuery
	SrcPath
	SrcStageVar
	SrcContext
	SrcBody
)

// Source is a compiled mapping expression such as
// "method.request.header.Accept", "'literal'" or "stageVariables.x".
type Source struct {
	Kind    SourceKind
	Name    string
	Literal string
	Ctx     pipeline.CtxVar
}

// ParseRequestSource compiles a value of a request-side mapping
// (integration request parameters, gateway response parameters).
func ParseRequestSource(expr string) (Source, error) {
	if s, ok := parseCommonSource(expr); ok {
		return s, nil
	}
	for _, p := range []struct {
		prefix string
		kind   SourceKind
	}{
		{"method.request.header.", SrcHeader},
		{"method.request.multivalueheader.", SrcMultiHeader},
		{"method.request.querystring.", SrcQuery},
		{"method.request.multivaluequerystring.", SrcMultiQuery},
		{"method.request.path.", SrcPath},
	} {
		if name, ok := strings.CutPrefix(expr, p.prefix); ok && name != "" {
			return Source{Kind: p.kind, Name: name}, nil
		}
	}
	if expr == "method.request.body" || strings.HasPrefix(expr, "method.request.body.") {
		return Source{Kind: SrcBody, Name: strings.TrimPrefix(strings.TrimPrefix(expr, "method.request.body"), ".")}, nil
	}
	return Source{}, fmt.Errorf("invalid mapping expression %q", expr)
}

func parseCommonSource(expr string) (Source, bool) {
	if len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'' {
		return Source{Kind: SrcLiteral, Literal: expr[1 : len(expr)-1]}, true
	}
	if name, ok := strings.CutPrefix(expr, "stageVariables."); ok && name != "" {
		return Source{Kind: SrcStageVar, Name: name}, true
	}
	if name, ok := strings.CutPrefix(expr, "context."); ok && name != "" {
		return Source{Kind: SrcContext, Ctx: pipeline.ParseContextVar(name), Name: name}, true
	}
	return Source{}, false
}

// Resolve evaluates a request-side source for x.
func (s Source) Resolve(x *Exchange) (string, bool) {
	switch s.Kind {
	case SrcLiteral:
		return s.Literal, true
	case SrcHeader:
		v := x.Req.Header(s.Name)
		return v, v != ""
	case SrcMultiHeader:
		var vals []string
		x.Req.VisitHeaders(func(k, v []byte) {
			if strings.EqualFold(string(k), s.Name) {
				vals = append(vals, string(v))
			}
		})
		return strings.Join(vals, ","), len(vals) > 0
	case SrcQuery:
		vals, ok := x.Query()[s.Name]
		if !ok || len(vals) == 0 {
			return "", false
		}
		return vals[len(vals)-1], true
	case SrcMultiQuery:
		vals, ok := x.Query()[s.Name]
		return strings.Join(vals, ","), ok
	case SrcPath:
		return x.Match.Params.Get(s.Name)
	case SrcStageVar:
		v, ok := x.Variables()[s.Name]
		return v, ok
	case SrcContext:
		if v, ok := x.testContext[s.Name]; ok { // TestInvokeAuthorizer's additionalContext
			return v, true
		}
		b, ok := x.AppendContextName(nil, s.Ctx, s.Name)
		return string(b), ok
	}
	return "", false
}
