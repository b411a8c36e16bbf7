package rest

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/vtl"
)

// GatewayResponses are a deployment's compiled gateway responses, one per
// type, customisations and DEFAULT_4XX/5XX inheritance already applied.
type GatewayResponses struct {
	byType [pipeline.NumResponseTypes]*gatewayResponse
}

type gatewayResponse struct {
	status    int
	headers   []mappedHeader
	templates []ctTemplate // in a stable order; application/json first if present
}

type mappedHeader struct {
	name string
	src  Source
}

type ctTemplate struct {
	contentType string
	t           *pipeline.Template // variable substitution: the fallback
	v           *vtl.Template      // VTL; nil when the template does not parse
}

// defaultStatus is each type's status when nothing sets one.
var defaultStatus = map[pipeline.ResponseType]int{pipeline.Default4XX: 400, pipeline.Default5XX: 500}

// CompileGatewayResponses compiles an API's customised gateway responses.
// Mappings that do not compile are skipped (the management API validates
// them; a deployment never fails because of one).
func CompileGatewayResponses(custom []model.GatewayResponse) *GatewayResponses {
	byName := map[string]*model.GatewayResponse{}
	for i := range custom {
		byName[custom[i].ResponseType] = &custom[i]
	}
	out := &GatewayResponses{}
	for t := pipeline.ResponseType(1); t < pipeline.NumResponseTypes; t++ {
		eff := model.EffectiveGatewayResponse(t.String(), byName)
		gr := &gatewayResponse{status: defaultStatus[t]}
		if eff.StatusCode != nil {
			if n, err := strconv.Atoi(*eff.StatusCode); err == nil {
				gr.status = n
			}
		}
		for _, k := range sortedStrings(eff.ResponseParameters) {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			if !ok {
				continue // querystring/path targets have no effect on a response
			}
			src, err := ParseRequestSource(eff.ResponseParameters[k])
			if err != nil {
				continue
			}
			gr.headers = append(gr.headers, mappedHeader{name: name, src: src})
		}
		cts := sortedStrings(eff.ResponseTemplates)
		for i, ct := range cts {
			if ct == "application/json" {
				cts[0], cts[i] = cts[i], cts[0]
			}
		}
		for _, ct := range cts {
			src := eff.ResponseTemplates[ct]
			if eff.DefaultResponse && src == model.DefaultGatewayResponseTemplate {
				switch {
				case isServerError(t):
					src = defaultServerErrorTemplate
				case t == pipeline.AccessDenied:
					src = defaultAccessDeniedTemplate
				}
			}
			v, _ := vtl.Parse("gatewayresponse", src)
			gr.templates = append(gr.templates, ctTemplate{contentType: ct, t: pipeline.ParseTemplate(src), v: v})
		}
		out.byType[t] = gr
	}
	return out
}

// defaultServerErrorTemplate renders AWS's default 5XX bodies, which
// carry a space after the colon: `{"message": "Internal server error"}`,
// `{"message": "Endpoint request timed out"}`, `{"message": null}`
// (reference §2.4), unlike the 4XX ones (`{"message":"Forbidden"}`).
// GetGatewayResponse still reports the shared default template.
const defaultServerErrorTemplate = `{"message": $context.error.messageString}`

// defaultAccessDeniedTemplate renders ACCESS_DENIED bodies with AWS's
// capital-M member, {"Message":"User is not authorized to access this
// resource"} (reference §2.4, §4.3, §8.2); GetGatewayResponse still reports
// the shared default template [C].
const defaultAccessDeniedTemplate = `{"Message":$context.error.messageString}`

// isServerError reports whether t belongs to the DEFAULT_5XX class.
func isServerError(t pipeline.ResponseType) bool {
	return t == pipeline.Default5XX || model.GatewayResponseClass(t.String()) == "DEFAULT_5XX"
}

// defaultGatewayResponses serves requests that reach no API (unknown API or
// stage): AWS's defaults.
var defaultGatewayResponses = CompileGatewayResponses(nil)

// gatewayResponses returns the gateway responses serving x.
func (x *Exchange) gatewayResponses() *GatewayResponses {
	if x.Deployment != nil && x.Deployment.GatewayResponses != nil {
		return x.Deployment.GatewayResponses
	}
	return defaultGatewayResponses
}

// status is the status of t's response (override, when non-zero, wins).
func (g *GatewayResponses) status(t pipeline.ResponseType, override int) int {
	if override != 0 {
		return override
	}
	return g.byType[t].status
}

// write renders the gateway response for x's failure.
func (g *GatewayResponses) write(x *Exchange, t pipeline.ResponseType, status int) {
	gr := g.byType[t]
	resp := x.Resp
	resp.SetStatus(g.status(t, status))
	resp.SetHeader("x-amzn-ErrorType", t.ErrorType())
	for _, h := range gr.headers {
		if v, ok := h.src.Resolve(x); ok {
			resp.SetHeader(h.name, v)
		}
	}
	if len(gr.templates) == 0 {
		resp.SetBody(nil)
		return
	}
	tpl := pickTemplate(gr.templates, x.Req.Header("Accept"))
	resp.SetHeader("Content-Type", tpl.contentType)
	resp.SetBody(tpl.render(x))
}

// render renders a gateway response template with VTL ($input has no
// payload); a template VTL cannot parse or render falls back to plain
// $context/$stageVariables substitution.
func (c ctTemplate) render(x *Exchange) []byte {
	if c.v != nil {
		if out, err := (vtlTemplate{c.v}).Render(x, nil); err == nil {
			return out
		}
	}
	return c.t.Append(make([]byte, 0, 128), &x.Exchange, "")
}

// pickTemplate chooses the template for the first media type of Accept,
// falling back to application/json, then the first template.
func pickTemplate(ts []ctTemplate, accept string) ctTemplate {
	if accept != "" {
		first, _, _ := strings.Cut(accept, ",")
		first, _, _ = strings.Cut(first, ";")
		first = strings.TrimSpace(first)
		for _, t := range ts {
			if strings.EqualFold(t.contentType, first) {
				return t
			}
		}
	}
	return ts[0]
}

func sortedStrings[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
