package integration

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// RequestTemplates are an integration's request templates by content type
// and its passthrough behaviour (reference §6.1).
type RequestTemplates struct {
	byType      map[string]rest.MappingTemplate
	passthrough string
	// contentHandling is the integration's CONVERT_TO_TEXT or
	// CONVERT_TO_BINARY, "" to pass payloads as they are.
	contentHandling string
}

// NewRequestTemplates compiles an integration's request templates (a nil
// template maps the content type to an empty body), passthrough
// behaviour and content handling.
func NewRequestTemplates(in *model.Integration) (*RequestTemplates, error) {
	templates, passthrough := in.RequestTemplates, model.Deref(in.PassthroughBehavior)
	rt := &RequestTemplates{byType: map[string]rest.MappingTemplate{}, passthrough: passthrough,
		contentHandling: model.Deref(in.ContentHandling)}
	if rt.passthrough == "" {
		rt.passthrough = "WHEN_NO_MATCH"
	}
	for ct, src := range templates {
		t, err := rest.CompileMappingTemplate(model.Deref(src))
		if err != nil {
			return nil, fmt.Errorf("request template %s: %w", ct, err)
		}
		rt.byType[strings.ToLower(ct)] = t
	}
	return rt, nil
}

// Select returns the template for the request's content type, or nil with
// passthrough true when the body is to be passed through, or an
// UNSUPPORTED_MEDIA_TYPE failure.
func (rt *RequestTemplates) Select(x *rest.Exchange) (rest.MappingTemplate, bool, error) {
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
	return nil, false, pipeline.Fail(pipeline.UnsupportedMediaType, nil)
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

// errBase64 is a CONVERT_TO_BINARY payload that is not base64.
var errBase64 = errors.New("unable to base64-decode the payload for CONVERT_TO_BINARY")

// Transform builds the integration request body: it selects the template
// by content type (or passes the body through, or fails with 415), applies
// contentHandling and renders the template. t is the template used (nil
// when the body passed through). Template failures are
// API_CONFIGURATION_ERROR (500 Internal server error).
func (rt *RequestTemplates) Transform(x *rest.Exchange) (out []byte, t rest.MappingTemplate, err error) {
	t, passthrough, err := rt.Select(x)
	if err != nil {
		return nil, nil, err
	}
	body, err := x.ReadBody()
	if err != nil {
		return nil, nil, err
	}
	binary := isBinaryRequest(x)
	if rt.contentHandling == "CONVERT_TO_TEXT" && binary {
		body = base64.StdEncoding.AppendEncode(nil, body)
	}
	switch {
	case t != nil:
		if out, err = t.Render(x, body); err != nil {
			return nil, nil, pipeline.Fail(pipeline.APIConfigurationError, err)
		}
	case passthrough:
		out = body
	}
	if rt.contentHandling == "CONVERT_TO_BINARY" && (!binary || t != nil) {
		if out, err = base64.StdEncoding.AppendDecode(nil, out); err != nil {
			return nil, nil, pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("%w: %w", errBase64, err))
		}
	}
	return out, t, nil
}

// isBinaryRequest reports whether the request's Content-Type is one of
// the API's binary media types.
func isBinaryRequest(x *rest.Exchange) bool {
	return x.Deployment != nil && isBinary(x, x.Req.Header("Content-Type"))
}
