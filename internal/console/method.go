package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// deploy creates a deployment into a stage (CreateDeployment, or
// apigatewayv2's CreateDeployment with the stage name).
func (c *Console) deploy(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID := r.PathValue("api")
	stage, desc := strings.TrimSpace(r.PostForm.Get("stageName")), r.PostForm.Get("description")
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err == nil {
		in := map[string]any{"stageName": stage}
		if desc != "" {
			in["description"] = desc
		}
		path := "/v2/apis/" + url.PathEscape(apiID) + "/deployments"
		if rest != nil {
			path = "/restapis/" + url.PathEscape(apiID) + "/deployments"
		}
		err = v.client.sendJSON(ctx, http.MethodPost, path, in, nil)
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	http.Redirect(w, r, Prefix+"apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+"?done=deploy", http.StatusSeeOther)
}

// The method execution view: method request → integration request →
// integration → integration responses → method responses.

type fullMethod struct {
	HTTPMethod          string            `json:"httpMethod"`
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
	MethodResponses     map[string]struct {
		ResponseParameters map[string]bool   `json:"responseParameters"`
		ResponseModels     map[string]string `json:"responseModels"`
	} `json:"methodResponses"`
	Integration *struct {
		Type                 string            `json:"type"`
		HTTPMethod           string            `json:"httpMethod"`
		URI                  string            `json:"uri"`
		ConnectionType       string            `json:"connectionType"`
		PassthroughBehavior  string            `json:"passthroughBehavior"`
		ContentHandling      string            `json:"contentHandling"`
		TimeoutInMillis      int               `json:"timeoutInMillis"`
		RequestParameters    map[string]string `json:"requestParameters"`
		RequestTemplates     map[string]string `json:"requestTemplates"`
		CacheKeyParameters   []string          `json:"cacheKeyParameters"`
		IntegrationResponses map[string]struct {
			SelectionPattern   string            `json:"selectionPattern"`
			ResponseParameters map[string]string `json:"responseParameters"`
			ResponseTemplates  map[string]string `json:"responseTemplates"`
			ContentHandling    string            `json:"contentHandling"`
		} `json:"integrationResponses"`
	} `json:"methodIntegration"`
}

type responseBox struct {
	Status, Pattern string
	Parameters      []settingRow
	Templates       []settingRow
}

type methodData struct {
	API                 apiRow
	ResourceID, Path    string
	Verb                string
	Request             []settingRow
	Integration         []settingRow
	IntegrationParams   []settingRow
	IntegrationTemplate []settingRow
	IntegrationResps    []responseBox
	MethodResps         []responseBox
	Raw                 string
}

func (c *Console) methodPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, rid, verb := r.PathValue("api"), r.PathValue("resource"), r.PathValue("verb")
	var api restAPI
	if err := v.client.getJSON(ctx, "/restapis/"+url.PathEscape(apiID), &api); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	var res struct {
		Path string `json:"path"`
	}
	if err := v.client.getJSON(ctx, "/restapis/"+url.PathEscape(apiID)+"/resources/"+url.PathEscape(rid), &res); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	raw, _, err := v.client.call(ctx, "apigateway", http.MethodGet, "/restapis/"+url.PathEscape(apiID)+"/resources/"+url.PathEscape(rid)+"/methods/"+url.PathEscape(verb), nil, nil)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	var m fullMethod
	if err := json.Unmarshal(raw, &m); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	d := methodData{API: apiRow{ID: api.ID, Name: api.Name, Type: "REST"}, ResourceID: rid, Path: res.Path, Verb: m.HTTPMethod, Raw: prettyJSON(string(raw))}
	add := func(rows *[]settingRow, k, val string) {
		if val != "" {
			*rows = append(*rows, settingRow{k, val})
		}
	}
	add(&d.Request, "Authorization", m.AuthorizationType)
	add(&d.Request, "Authorizer", m.AuthorizerID)
	add(&d.Request, "Scopes", strings.Join(m.AuthorizationScopes, ", "))
	add(&d.Request, "API key required", map[bool]string{true: "yes", false: "no"}[m.APIKeyRequired])
	add(&d.Request, "Request validator", m.RequestValidatorID)
	add(&d.Request, "Operation name", m.OperationName)
	for _, p := range sortedBools(m.RequestParameters) {
		add(&d.Request, "Parameter "+p.Name, p.Value)
	}
	for _, p := range sortedMap(m.RequestModels) {
		add(&d.Request, "Model for "+p.Name, p.Value)
	}
	if in := m.Integration; in != nil {
		add(&d.Integration, "Type", in.Type)
		add(&d.Integration, "HTTP method", in.HTTPMethod)
		add(&d.Integration, "URI", in.URI)
		add(&d.Integration, "Connection", in.ConnectionType)
		add(&d.Integration, "Passthrough", in.PassthroughBehavior)
		add(&d.Integration, "Content handling", in.ContentHandling)
		if in.TimeoutInMillis > 0 {
			add(&d.Integration, "Timeout", strconv.Itoa(in.TimeoutInMillis)+" ms")
		}
		add(&d.Integration, "Cache key parameters", strings.Join(in.CacheKeyParameters, ", "))
		d.IntegrationParams = sortedMap(in.RequestParameters)
		d.IntegrationTemplate = sortedMap(in.RequestTemplates)
		for status, ir := range in.IntegrationResponses {
			d.IntegrationResps = append(d.IntegrationResps, responseBox{Status: status, Pattern: ir.SelectionPattern,
				Parameters: sortedMap(ir.ResponseParameters), Templates: sortedMap(ir.ResponseTemplates)})
		}
		sort.Slice(d.IntegrationResps, func(i, j int) bool { return d.IntegrationResps[i].Status < d.IntegrationResps[j].Status })
	}
	for status, mr := range m.MethodResponses {
		d.MethodResps = append(d.MethodResps, responseBox{Status: status, Parameters: sortedBools(mr.ResponseParameters), Templates: sortedMap(mr.ResponseModels)})
	}
	sort.Slice(d.MethodResps, func(i, j int) bool { return d.MethodResps[i].Status < d.MethodResps[j].Status })
	c.render(w, http.StatusOK, "method", page{Title: verb + " " + res.Path, Nav: "apis", SignedIn: true, CSRF: v.CSRF, Data: d})
}

func sortedBools(m map[string]bool) []settingRow {
	s := make(map[string]string, len(m))
	for k, v := range m {
		s[k] = map[bool]string{true: "required", false: "optional"}[v]
	}
	return sortedMap(s)
}
