package wsapi

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/mapping"
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
	byKey    map[string]*vtl.Template
}

// compileTemplates parses a template map; expr is its selection
// expression ("" or "$default": the $default template only).
func compileTemplates(what, expr string, src map[string]string) (*templates, error) {
	if len(src) == 0 {
		return nil, nil
	}
	t := &templates{byKey: map[string]*vtl.Template{}}
	for k, s := range src {
		tpl, err := vtl.Parse(what+" "+k, s)
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
func (t *templates) pick(body []byte, status int) *vtl.Template {
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
			modelv2Deref(ir.TemplateSelectionExpression), ir.ResponseTemplates)
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
	if rs == nil {
		return nil
	}
	s := strconv.Itoa(status)
	for i := range rs.list {
		if rs.list[i].pattern.MatchString(s) {
			return &rs.list[i]
		}
	}
	return rs.def
}

func modelv2Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// render renders tpl for a call with payload as $input.
func (c *call) render(tpl *vtl.Template, payload []byte) ([]byte, error) {
	in := &mapping.Input{}
	in.Reset(payload, nil)
	vars := vtl.Vars{"input": in, "context": c.contextVars(), "util": mapping.Util{},
		"stageVariables": stageVars(c.stage.Variables)}
	return tpl.AppendRender(context.Background(), nil, vars)
}

// contextVars is $context for WebSocket templates [D: "WebSocket API
// mapping template reference"]: authorizer values are strings.
func (c *call) contextVars() *vtl.Map {
	rc := &c.ev.RequestContext
	m := vtl.NewMap()
	for _, kv := range [][2]string{
		{"connectionId", rc.ConnectionID}, {"eventType", rc.EventType}, {"messageId", rc.MessageID},
		{"requestId", rc.RequestID}, {"extendedRequestId", rc.ExtendedRequestID}, {"routeKey", rc.RouteKey},
		{"stage", rc.Stage}, {"apiId", rc.APIID}, {"domainName", rc.DomainName}, {"requestTime", rc.RequestTime},
		{"messageDirection", rc.MessageDirection},
	} {
		m.Put(kv[0], kv[1])
	}
	m.Put("connectedAt", rc.ConnectedAt)
	m.Put("requestTimeEpoch", rc.RequestTimeEpoch)
	id := vtl.NewMap()
	id.Put("sourceIp", rc.Identity.SourceIP)
	id.Put("userAgent", rc.Identity.UserAgent)
	m.Put("identity", id)
	if len(rc.Authorizer) > 0 {
		if doc, err := mapping.ParseJSON(rc.Authorizer); err == nil {
			m.Put("authorizer", doc)
		}
	}
	return m
}

func stageVars(v map[string]string) *vtl.Map {
	m := vtl.NewMap()
	for k, s := range v {
		m.Put(k, s)
	}
	return m
}

// mockStatusRE finds the status code in a rendered MOCK request template
// ({"statusCode": 200}; CDK's unquoted form too) [D][L].
var mockStatusRE = regexp.MustCompile(`"?statusCode"?\s*:\s*"?(\d{3})"?`)
