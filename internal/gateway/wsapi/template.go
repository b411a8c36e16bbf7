package wsapi

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/mapping"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/vtl"
)

// Non-proxy integrations (MOCK) transform with VTL templates, chosen by
// selection expressions rather than content types [D: "Setting up data
// transformations for WebSocket APIs"]:
//
//   - the integration's requestTemplates by its
//     templateSelectionExpression (${request.body.x}, static text), with
//     "$default" as the catch-all;
//   - its integration responses by their key, a "/regex/" matched against
//     the integrationResponseSelectionExpression's value (the status
//     code), with "$default" as the catch-all;
//   - an integration response's responseTemplates by its own
//     templateSelectionExpression, "$default" the catch-all.

// templates is a set of templates with the expression selecting among
// them.
type templates struct {
	selection *Selection // nil: "$default" only (or byStatus)
	// byStatus: the expression is ${integration.response.statuscode}.
	byStatus bool
	byKey    map[string]*template
}

// template is a compiled template; one without references or directives
// (no "$", no "#") is its own output, rendered once here.
type template struct {
	vtl *vtl.Template
	// static is the output of a template that reads nothing; isStatic
	// marks it (an empty template is static too).
	static   []byte
	isStatic bool
	// status is a static MOCK request template's statusCode (0: none).
	status int
}

func compileTemplate(name, src string) (*template, error) {
	tpl, err := vtl.Parse(name, src)
	if err != nil {
		return nil, err
	}
	t := &template{vtl: tpl}
	if !strings.ContainsAny(src, "$#") {
		t.static, t.isStatic = []byte(src), true
		if mt := mockStatusRE.FindStringSubmatch(src); mt != nil {
			t.status, _ = strconv.Atoi(mt[1])
		}
	}
	return t, nil
}

// render renders t for a call with payload as $input.
func (t *template) render(c *call, payload []byte) ([]byte, error) {
	if t.isStatic {
		return t.static, nil
	}
	return c.render(t.vtl, payload)
}

// compileTemplates parses a template map; expr is its selection
// expression ("" or "$default": the $default template only).
func compileTemplates(what, expr string, src map[string]string) (*templates, error) {
	if len(src) == 0 {
		return nil, nil
	}
	t := &templates{byKey: map[string]*template{}}
	for k, s := range src {
		tpl, err := compileTemplate(what+" "+k, s)
		if err != nil {
			return nil, err
		}
		t.byKey[k] = tpl
	}
	switch e := strings.TrimSpace(expr); e {
	case "", defaultKey:
	case "${integration.response.statuscode}", "$integration.response.statuscode":
		t.byStatus = true
	default:
		sel, err := CompileSelection(e)
		if err != nil {
			return nil, err
		}
		t.selection = sel
	}
	return t, nil
}

// pick returns the template for a payload: the selected key's, else
// $default's (nil: none).
func (t *templates) pick(body []byte, status int) *template {
	if t == nil {
		return nil
	}
	key, ok := "", false
	switch {
	case t.byStatus:
		key, ok = strconv.Itoa(status), true
	case t.selection != nil:
		key, ok = t.selection.Eval(body)
	}
	if ok {
		if tpl := t.byKey[key]; tpl != nil {
			return tpl
		}
	}
	return t.byKey[defaultKey]
}

// integrationResponse is a compiled integration response.
type integrationResponse struct {
	pattern   *regexp.Regexp // nil: $default
	templates *templates
}

// integrationResponses are an integration's responses, matched in order,
// $default last.
type integrationResponses struct {
	list []integrationResponse
	def  *integrationResponse
}

func compileIntegrationResponses(src []modelv2.IntegrationResponse) (*integrationResponses, error) {
	if len(src) == 0 {
		return nil, nil
	}
	out := &integrationResponses{}
	for i := range src {
		ir := &src[i]
		tpls, err := compileTemplates("integration response "+ir.IntegrationResponseKey,
			model.Deref(ir.TemplateSelectionExpression), ir.ResponseTemplates)
		if err != nil {
			return nil, err
		}
		r := integrationResponse{templates: tpls}
		if p, ok := modelv2.IntegrationResponsePattern(ir.IntegrationResponseKey); ok {
			re, err := regexp.Compile("^(?:" + p + ")$")
			if err != nil {
				return nil, fmt.Errorf("integration response key %q: %w", ir.IntegrationResponseKey, err)
			}
			r.pattern = re
			out.list = append(out.list, r)
			continue
		}
		d := r
		out.def = &d
	}
	return out, nil
}

// match returns the integration response for a status (nil: none).
func (rs *integrationResponses) match(status int) *integrationResponse {
	return rs.matchKey(strconv.Itoa(status))
}

// matchKey returns the integration response whose pattern matches key,
// else $default's (nil: none).
func (rs *integrationResponses) matchKey(key string) *integrationResponse {
	if rs == nil {
		return nil
	}
	for i := range rs.list {
		if rs.list[i].pattern.MatchString(key) {
			return &rs.list[i]
		}
	}
	return rs.def
}

// render renders tpl for a call with payload as $input.
func (c *call) render(tpl *vtl.Template, payload []byte) ([]byte, error) {
	in := &mapping.Input{}
	in.Reset(payload, nil)
	vars := vtl.Vars{"input": in, "context": contextObject{c}, "util": mapping.Util{},
		"stageVariables": stageObject(c.stage.Variables)}
	return tpl.AppendRender(context.Background(), nil, vars)
}

// contextObject is $context for WebSocket templates [D: "WebSocket API
// mapping template reference"], read from the call without building a
// map; authorizer values are strings.
type contextObject struct{ c *call }

// Property implements vtl.Object.
func (o contextObject) Property(name string) (any, bool) {
	c := o.c
	rc := &c.event().RequestContext
	switch name {
	case "connectionId":
		return rc.ConnectionID, true
	case "eventType":
		return rc.EventType, true
	case "messageId":
		return rc.MessageID, true
	case "requestId":
		return rc.RequestID, true
	case "extendedRequestId":
		return rc.ExtendedRequestID, true
	case "routeKey":
		return rc.RouteKey, true
	case "stage":
		return rc.Stage, true
	case "apiId":
		return rc.APIID, true
	case "domainName":
		return rc.DomainName, true
	case "requestTime":
		return rc.RequestTime, true
	case "messageDirection":
		return rc.MessageDirection, true
	case "connectedAt":
		return rc.ConnectedAt, true
	case "requestTimeEpoch":
		return rc.RequestTimeEpoch, true
	case "identity":
		id := vtl.NewMap()
		id.Put("sourceIp", rc.Identity.SourceIP)
		id.Put("userAgent", rc.Identity.UserAgent)
		return id, true
	case "authorizer":
		if len(rc.Authorizer) > 0 {
			if doc, err := mapping.ParseJSON(rc.Authorizer); err == nil {
				return doc, true
			}
		}
		return vtl.NewMap(), true
	}
	return nil, false
}

// Method implements vtl.Object ($context has no methods).
func (contextObject) Method(name string, _ []any) (any, error) {
	return nil, fmt.Errorf("$context.%s: %w", name, vtl.ErrNoSuchMethod)
}

// stageObject is $stageVariables: read-only (the stage's map is shared by
// every render).
type stageObject map[string]string

// Property implements vtl.Object.
func (s stageObject) Property(name string) (any, bool) {
	v, ok := s[name]
	return v, ok
}

// Method implements vtl.Object: get, containsKey, isEmpty, size.
func (s stageObject) Method(name string, args []any) (any, error) {
	switch {
	case name == "get" && len(args) == 1:
		if v, ok := s[vtl.Stringify(args[0])]; ok {
			return v, nil
		}
		return nil, nil
	case name == "containsKey" && len(args) == 1:
		_, ok := s[vtl.Stringify(args[0])]
		return ok, nil
	case name == "isEmpty" && len(args) == 0:
		return len(s) == 0, nil
	case name == "size" && len(args) == 0:
		return int64(len(s)), nil
	}
	return nil, fmt.Errorf("$stageVariables.%s: %w", name, vtl.ErrNoSuchMethod)
}

// mockStatusRE finds the status code in a rendered MOCK request template
// ({"statusCode": 200}; CDK's unquoted form too) [D][L].
var mockStatusRE = regexp.MustCompile(`"?statusCode"?\s*:\s*"?(\d{3})"?`)
