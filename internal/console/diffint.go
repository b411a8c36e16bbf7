package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Integration diffs: a deployment's integrations are read from the export
// of a stage that serves it (GetExport with extensions=integrations; a
// deployment no stage serves has none to read), the working copy's from
// its resources.

// integrationSig describes an integration for comparison: type, method,
// URI and templates.
type integrationSig struct {
	Type          string                       `json:"type"`
	HTTPMethod    string                       `json:"httpMethod,omitempty"`
	URI           string                       `json:"uri,omitempty"`
	Request       map[string]string            `json:"requestTemplates,omitempty"`
	Responses     map[string]map[string]string `json:"responseTemplates,omitempty"`
	RequestParams map[string]string            `json:"requestParameters,omitempty"`
}

func (s integrationSig) String() string {
	d := describeIntegration(&integration{Type: s.Type, HTTPMethod: s.HTTPMethod, URI: s.URI})
	if len(s.Request) > 0 || len(s.Responses) > 0 || len(s.RequestParams) > 0 {
		b, _ := json.Marshal(struct {
			P map[string]string            `json:"requestParameters,omitempty"`
			R map[string]string            `json:"requestTemplates,omitempty"`
			S map[string]map[string]string `json:"responseTemplates,omitempty"`
		}{s.RequestParams, s.Request, s.Responses})
		d += " " + string(b)
	}
	if len(d) > 400 {
		d = d[:400] + "…"
	}
	return d
}

type integrationMap map[string]map[string]integrationSig

// integrationsOf reads the integrations of dep (a deployment id or
// workingCopy); ok is false when they cannot be read.
func (c *Console) integrationsOf(ctx context.Context, cl *mgmtClient, apiID, dep string) (integrationMap, bool) {
	out := integrationMap{}
	put := func(path, verb string, s integrationSig) {
		if out[path] == nil {
			out[path] = map[string]integrationSig{}
		}
		s.Type = strings.ToUpper(s.Type)
		out[path][verb] = s
	}
	if dep == workingCopy {
		var res struct {
			Item []struct {
				Path    string `json:"path"`
				Methods map[string]struct {
					Integration *struct {
						integrationSig
						IntegrationResponses map[string]struct {
							ResponseTemplates map[string]string `json:"responseTemplates"`
						} `json:"integrationResponses"`
					} `json:"methodIntegration"`
				} `json:"resourceMethods"`
			} `json:"item"`
		}
		if cl.getJSON(ctx, "/restapis/"+url.PathEscape(apiID)+"/resources?embed=methods&limit=500", &res) != nil {
			return nil, false
		}
		for _, r := range res.Item {
			for verb, m := range r.Methods {
				if m.Integration == nil {
					continue
				}
				s := m.Integration.integrationSig
				for status, ir := range m.Integration.IntegrationResponses {
					if len(ir.ResponseTemplates) > 0 {
						if s.Responses == nil {
							s.Responses = map[string]map[string]string{}
						}
						s.Responses[status] = ir.ResponseTemplates
					}
				}
				put(r.Path, verb, s)
			}
		}
		return out, true
	}
	stages, err := c.restStages(ctx, cl, apiID)
	if err != nil {
		return nil, false
	}
	stage := ""
	for _, s := range stages {
		if s.DeploymentID == dep {
			stage = s.Name
		}
	}
	if stage == "" {
		return nil, false
	}
	b, _, err := cl.call(ctx, "apigateway", http.MethodGet, "/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+
		"/exports/oas30?extensions=integrations", nil, map[string]string{"Accept": "application/json"})
	if err != nil {
		return nil, false
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil, false
	}
	for p, item := range doc.Paths {
		for m, raw := range item {
			verb := strings.ToUpper(m)
			if m == "x-amazon-apigateway-any-method" {
				verb = "ANY"
			} else if _, ok := verbOrder[verb]; !ok {
				continue
			}
			var op struct {
				Integration *struct {
					integrationSig
					Responses map[string]struct {
						StatusCode        string            `json:"statusCode"`
						ResponseTemplates map[string]string `json:"responseTemplates"`
					} `json:"responses"`
				} `json:"x-amazon-apigateway-integration"`
			}
			if json.Unmarshal(raw, &op) != nil || op.Integration == nil {
				continue
			}
			s := op.Integration.integrationSig
			for _, ir := range op.Integration.Responses {
				if len(ir.ResponseTemplates) > 0 {
					if s.Responses == nil {
						s.Responses = map[string]map[string]string{}
					}
					s.Responses[ir.StatusCode] = ir.ResponseTemplates
				}
			}
			put(p, verb, s)
		}
	}
	return out, true
}

// diffIntegrations lists the methods on both sides whose integration
// differs.
func diffIntegrations(a, b integrationMap) []diffRow {
	var rows []diffRow
	for p, verbs := range a {
		for v, x := range verbs {
			y, ok := b[p][v]
			if !ok {
				continue
			}
			if sx, sy := x.String(), y.String(); sx != sy {
				rows = append(rows, diffRow{Path: p, Verb: v, Change: "integration changed", Before: sx, After: sy})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Path != rows[j].Path {
			return rows[i].Path < rows[j].Path
		}
		return verbOrder[rows[i].Verb] < verbOrder[rows[j].Verb]
	})
	return rows
}
