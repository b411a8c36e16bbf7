package integration

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/model"
)

// Responses are an integration's compiled integration responses.
type Responses struct {
	patterned []*response // responses with a selection pattern, by status code
	def       *response   // the response without one
}

type response struct {
	status    int
	pattern   *regexp.Regexp
	headers   []responseHeader
	templates map[string]rest.MappingTemplate
	ctOrder   []string
	// contentHandling is CONVERT_TO_TEXT, CONVERT_TO_BINARY or "".
	contentHandling string
}

type responseHeader struct {
	name string
	src  responseSource
}

// responseSource is where a method response header comes from.
type responseSource struct {
	kind    uint8 // 0 literal, 1 header, 2 multiheader, 3 body, 4 request-side
	name    string
	literal string
	req     rest.Source
}

// NewResponses compiles integration responses.
func NewResponses(irs map[string]*model.IntegrationResponse) (*Responses, error) {
	out := &Responses{}
	codes := make([]string, 0, len(irs))
	for c := range irs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		ir := irs[code]
		status, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("integration response %q: %w", code, err)
		}
		r := &response{status: status, templates: map[string]rest.MappingTemplate{},
			contentHandling: model.Deref(ir.ContentHandling)}
		for _, k := range sortedKeys(ir.ResponseParameters) {
			name, ok := strings.CutPrefix(k, "method.response.header.")
			if !ok {
				return nil, fmt.Errorf("integration response %s: bad target %q", code, k)
			}
			src, err := parseResponseSource(ir.ResponseParameters[k])
			if err != nil {
				return nil, fmt.Errorf("integration response %s: %w", code, err)
			}
			r.headers = append(r.headers, responseHeader{name: name, src: src})
		}
		for _, ct := range sortedKeys(ir.ResponseTemplates) {
			t, err := rest.CompileMappingTemplate(model.Deref(ir.ResponseTemplates[ct]))
			if err != nil {
				return nil, fmt.Errorf("integration response %s template %s: %w", code, ct, err)
			}
			r.templates[strings.ToLower(ct)] = t
			r.ctOrder = append(r.ctOrder, strings.ToLower(ct))
		}
		if p := model.Deref(ir.SelectionPattern); p != "" {
			// selectionPattern is a Java regular expression matched against
			// the whole value (String.matches); "." does not match newlines.
			re, err := regexp.Compile("^(?:" + p + ")$")
			if err != nil {
				return nil, fmt.Errorf("integration response %s: selection pattern: %w", code, err)
			}
			r.pattern = re
			out.patterned = append(out.patterned, r)
		} else if out.def == nil {
			out.def = r
		}
	}
	return out, nil
}

func parseResponseSource(expr string) (responseSource, error) {
	switch {
	case strings.HasPrefix(expr, "integration.response.header."):
		return responseSource{kind: 1, name: strings.TrimPrefix(expr, "integration.response.header.")}, nil
	case strings.HasPrefix(expr, "integration.response.multivalueheader."):
		return responseSource{kind: 2, name: strings.TrimPrefix(expr, "integration.response.multivalueheader.")}, nil
	case expr == "integration.response.body" || strings.HasPrefix(expr, "integration.response.body."):
		return responseSource{kind: 3, name: strings.TrimPrefix(strings.TrimPrefix(expr, "integration.response.body"), ".")}, nil
	}
	src, err := rest.ParseRequestSource(expr)
	if err != nil {
		return responseSource{}, err
	}
	return responseSource{kind: 4, req: src}, nil
}

// Select chooses the integration response for value (the backend status
// code, or a Lambda errorMessage): the first pattern that matches, else
// the default. No match and no default is API_CONFIGURATION_ERROR.
func (rs *Responses) Select(value string) (*response, error) {
	for _, r := range rs.patterned {
		if r.pattern.MatchString(value) {
			return r, nil
		}
	}
	if rs.def != nil {
		return rs.def, nil
	}
	return nil, pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("no integration response matches %q", value))
}

// backendResult is what a non-proxy backend returned.
type backendResult struct {
	header func(name string) []string
	body   []byte
}

// write sends the method response: status, mapped headers and the body
// from the response template chosen by the request's Accept header (the
// body passes through when there is no template).
func (r *response) write(x *rest.Exchange, b backendResult) error {
	resp := x.Resp
	resp.SetStatus(r.status)
	for _, h := range r.headers {
		if v, ok := r.resolve(x, h.src, b); ok {
			resp.SetHeader(h.name, v)
		}
	}
	ct, t := r.pickTemplate(x.Req.Header("Accept"))
	body, err := r.convert(x, t, b)
	if err != nil {
		return err
	}
	if ct == "" {
		ct = "application/json"
	}
	if !hasHeader(r.headers, "Content-Type") {
		resp.SetHeader("Content-Type", ct)
	}
	// $context.responseOverride.* (set by the request or the response
	// template) win over the integration response (reference §6.2).
	x.ApplyResponseOverrides()
	resp.SetBody(body)
	return nil
}

// convert renders the response template over the backend body, applying
// contentHandling: CONVERT_TO_TEXT base64-encodes a binary body before
// the template sees it; CONVERT_TO_BINARY base64-decodes the (rendered)
// text. Failures are API_CONFIGURATION_ERROR (500).
func (r *response) convert(x *rest.Exchange, t rest.MappingTemplate, b backendResult) ([]byte, error) {
	body := b.body
	binary := false
	if x.Deployment != nil {
		if cts := b.header("Content-Type"); len(cts) > 0 {
			binary = isBinary(x, cts[len(cts)-1])
		}
	}
	if r.contentHandling == "CONVERT_TO_TEXT" && binary {
		body = base64.StdEncoding.AppendEncode(nil, body)
	}
	if t != nil {
		out, err := t.Render(x, body)
		if err != nil {
			return nil, pipeline.Fail(pipeline.APIConfigurationError, err)
		}
		body = out
	}
	if r.contentHandling == "CONVERT_TO_BINARY" && (!binary || t != nil) {
		out, err := base64.StdEncoding.AppendDecode(nil, body)
		if err != nil {
			return nil, pipeline.Fail(pipeline.APIConfigurationError, fmt.Errorf("%w: %w", errBase64, err))
		}
		body = out
	}
	return body, nil
}

func hasHeader(hs []responseHeader, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.name, name) {
			return true
		}
	}
	return false
}

// pickTemplate: the first media type of Accept, else application/json,
// else the first template [D].
func (r *response) pickTemplate(accept string) (string, rest.MappingTemplate) {
	if len(r.ctOrder) == 0 {
		return "", nil
	}
	if accept != "" {
		first, _, _ := strings.Cut(accept, ",")
		if mt := mediaType(first); mt != "" {
			if t, ok := r.templates[mt]; ok {
				return mt, t
			}
		}
	}
	if t, ok := r.templates["application/json"]; ok {
		return "application/json", t
	}
	return r.ctOrder[0], r.templates[r.ctOrder[0]]
}

func (r *response) resolve(x *rest.Exchange, s responseSource, b backendResult) (string, bool) {
	switch s.kind {
	case 1:
		vals := b.header(s.name)
		if len(vals) == 0 {
			return "", false
		}
		return vals[len(vals)-1], true
	case 2:
		vals := b.header(s.name)
		return strings.Join(vals, ","), len(vals) > 0
	case 3:
		if s.name == "" {
			return string(b.body), true
		}
		return jsonPath(b.body, s.name)
	case 4:
		return s.req.Resolve(x)
	}
	return "", false
}

// jsonPath resolves a dotted path ("a.b.0.c") in a JSON body; objects and
// arrays are returned as JSON text.
func jsonPath(body []byte, path string) (string, bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	for _, p := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[p]; !ok {
				return "", false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(t) {
				return "", false
			}
			v = t[i]
		default:
			return "", false
		}
	}
	switch t := v.(type) {
	case string:
		return t, true
	case nil:
		return "", false
	default:
		b, _ := json.Marshal(t)
		return string(b), true
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
