package integration

import (
	"mime"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/model"
)

// RequestTemplates are an integration's request templates by content type
// and its passthrough behaviour (reference §6.1).
type RequestTemplates struct {
	byType      map[string]gateway.MappingTemplate
	passthrough string
}

// NewRequestTemplates compiles templates (a nil template maps the content
// type to an empty body).
func NewRequestTemplates(templates map[string]*string, passthrough string) (*RequestTemplates, error) {
	rt := &RequestTemplates{byType: map[string]gateway.MappingTemplate{}, passthrough: passthrough}
	if rt.passthrough == "" {
		rt.passthrough = "WHEN_NO_MATCH"
	}
	for ct, src := range templates {
		t, err := gateway.CompileMappingTemplate(model.Deref(src))
		if err != nil {
			return nil, err
		}
		rt.byType[strings.ToLower(ct)] = t
	}
	return rt, nil
}

// Select returns the template for the request's content type, or nil with
// passthrough true when the body is to be passed through, or an
// UNSUPPORTED_MEDIA_TYPE failure.
func (rt *RequestTemplates) Select(x *gateway.Exchange) (gateway.MappingTemplate, bool, error) {
	ct := mediaType(x.Req.Header("Content-Type"))
	if ct == "" {
		ct = "application/json"
	}
	if t, ok := rt.byType[ct]; ok {
		return t, false, nil
	}
	switch {
	case rt.passthrough == "WHEN_NO_MATCH":
		return nil, true, nil
	case rt.passthrough == "WHEN_NO_TEMPLATES" && len(rt.byType) == 0:
		return nil, true, nil
	}
	return nil, false, gateway.Fail(gateway.UnsupportedMediaType, nil)
}

// mediaType strips parameters and lower-cases a Content-Type [U: AWS
// ignores "; charset=…" when matching].
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	ct, _, _ = strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(ct))
}
