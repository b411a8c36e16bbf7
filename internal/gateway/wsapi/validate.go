package wsapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway/rest/validate"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// Routes validate what reaches them [D: "Request validation for WebSocket
// APIs"]:
//
//   - a message, against the model the route's modelSelectionExpression
//     picks from its requestModels ("$default" the catch-all): one that
//     does not validate gets the Bad request body frame and reaches no
//     integration;
//   - $connect, for the request parameters marked required
//     (route.request.header.X, route.request.querystring.X): a handshake
//     without one is refused with 400 [U: the status].

// messageModels is a route's request models.
type messageModels struct {
	selection *Selection // nil: $default only
	byKey     map[string]*validate.Schema
}

// compileModels compiles a route's request models with the deployment's
// models (JSON Schema draft 4, "$ref" to the API's other models).
func compileModels(ms *validate.Models, rt *modelv2.Route) (*messageModels, error) {
	if len(rt.RequestModels) == 0 {
		return nil, nil
	}
	out := &messageModels{byKey: map[string]*validate.Schema{}}
	for key, name := range rt.RequestModels {
		s, err := ms.Schema(name)
		if err != nil {
			return nil, fmt.Errorf("route %q: model %q: %w", rt.RouteKey, name, err)
		}
		out.byKey[key] = s
	}
	if e := strings.TrimSpace(model.Deref(rt.ModelSelectionExpression)); e != "" && e != defaultKey {
		sel, err := CompileSelection(e)
		if err != nil {
			return nil, fmt.Errorf("route %q: model selection expression: %w", rt.RouteKey, err)
		}
		out.selection = sel
	}
	return out, nil
}

// check validates a message: "" when valid (or no model applies), else
// why not.
func (m *messageModels) check(msg []byte) string {
	if m == nil {
		return ""
	}
	s := m.byKey[defaultKey]
	if m.selection != nil {
		if key, ok := m.selection.Eval(msg); ok {
			if k := m.byKey[key]; k != nil {
				s = k
			}
		}
	}
	if s == nil {
		return ""
	}
	return s.Check(msg)
}

// newModels registers a snapshot's models.
func newModels(snap *modelv2.Snapshot) *validate.Models {
	list := make([]model.Model, len(snap.Models))
	for i, m := range snap.Models {
		list[i] = model.Model{ID: m.ModelID, Name: m.Name, Schema: m.Schema, ContentType: model.Deref(m.ContentType)}
	}
	return validate.NewModels(snap.API.ApiID, list)
}

// requiredParams are $connect's required request parameters.
type requiredParams struct {
	headers, query []string
}

func compileRequired(params map[string]modelv2.ParameterConstraints) *requiredParams {
	var out requiredParams
	for k, c := range params {
		if !c.Required {
			continue
		}
		if n, ok := strings.CutPrefix(k, "route.request.header."); ok {
			out.headers = append(out.headers, n)
		} else if n, ok := strings.CutPrefix(k, "route.request.querystring."); ok {
			out.query = append(out.query, n)
		}
	}
	if len(out.headers)+len(out.query) == 0 {
		return nil
	}
	sort.Strings(out.headers)
	sort.Strings(out.query)
	return &out
}

// check refuses a handshake that lacks a required parameter.
func (p *requiredParams) check(h *handshake) error {
	if p == nil {
		return nil
	}
	var missing []string
	for _, n := range p.headers {
		if h.req.Header(n) == "" {
			missing = append(missing, n)
		}
	}
	for _, n := range p.query {
		if !h.query().Has(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		// REST's text for the same check [U for WebSocket APIs].
		return refuse(400, "Missing required request parameters: ["+strings.Join(missing, ", ")+"]", nil)
	}
	return nil
}

// badBodyFrame is the frame a message that fails validation gets, as the
// documentation prints it [D][U: the spacing].
func badBodyFrame(connectionID, messageID string) []byte {
	b := append([]byte(`{"message" : "Bad request body", "connectionId": `), quoted(connectionID)...)
	b = append(b, `, "messageId": `...)
	b = append(b, quoted(messageID)...)
	return append(b, '}')
}

func quoted(s string) []byte { return appendJSONString(nil, s) }
