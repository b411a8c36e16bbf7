package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Shapes read from the management API (only the members shown).

type restAPI struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	CreatedDate float64 `json:"createdDate"`
	Endpoint    struct {
		Types []string `json:"types"`
	} `json:"endpointConfiguration"`
}

type apiV2 struct {
	ID           string `json:"apiId"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	ProtocolType string `json:"protocolType"`
	CreatedDate  string `json:"createdDate"`
}

// apiRow is one line of the APIs list.
type apiRow struct {
	ID, Name, Type, Endpoint, Created, Description string
}

// listAPIs reads every REST, HTTP and WebSocket API.
func listAPIs(ctx context.Context, cl *mgmtClient) ([]apiRow, error) {
	var rows []apiRow
	pos := ""
	for range 100 {
		var out struct {
			Item     []restAPI `json:"item"`
			Position string    `json:"position"`
		}
		q := "/restapis?limit=500"
		if pos != "" {
			q += "&position=" + url.QueryEscape(pos)
		}
		if err := cl.getJSON(ctx, q, &out); err != nil {
			return nil, err
		}
		for _, a := range out.Item {
			rows = append(rows, apiRow{ID: a.ID, Name: a.Name, Type: "REST", Endpoint: strings.Join(a.Endpoint.Types, ","),
				Created: epoch(a.CreatedDate), Description: a.Description})
		}
		if pos = out.Position; pos == "" {
			break
		}
	}
	next := ""
	for range 100 {
		var out struct {
			Items     []apiV2 `json:"items"`
			NextToken string  `json:"nextToken"`
		}
		q := "/v2/apis?maxResults=500"
		if next != "" {
			q += "&nextToken=" + url.QueryEscape(next)
		}
		if err := cl.getJSON(ctx, q, &out); err != nil {
			return nil, err
		}
		for _, a := range out.Items {
			rows = append(rows, apiRow{ID: a.ID, Name: a.Name, Type: a.ProtocolType, Endpoint: "REGIONAL",
				Created: isoDate(a.CreatedDate), Description: a.Description})
		}
		if next = out.NextToken; next == "" {
			break
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Name != rows[j].Name {
			return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
		}
		return rows[i].ID < rows[j].ID
	})
	return rows, nil
}

type apisData struct {
	Query string
	APIs  []apiRow
	Total int
}

func (c *Console) apisPage(w http.ResponseWriter, r *http.Request, v *view) {
	rows, err := listAPIs(r.Context(), v.client)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := apisData{Query: q, Total: len(rows)}
	for _, a := range rows {
		if q == "" || strings.Contains(strings.ToLower(a.Name+" "+a.ID+" "+a.Type), strings.ToLower(q)) {
			d.APIs = append(d.APIs, a)
		}
	}
	notice := ""
	if id := r.URL.Query().Get("deleted"); id != "" && unsafeName.FindString(id) == "" && len(id) <= 32 {
		notice = "Deleted API " + id + "."
	}
	c.render(w, http.StatusOK, "apis", page{Title: "APIs", Nav: "apis", SignedIn: true, CSRF: v.CSRF, Notice: notice, Data: d})
}

// REST API detail.

type integration struct {
	Type       string `json:"type"`
	HTTPMethod string `json:"httpMethod"`
	URI        string `json:"uri"`
}

type method struct {
	HTTPMethod        string       `json:"httpMethod"`
	AuthorizationType string       `json:"authorizationType"`
	AuthorizerID      string       `json:"authorizerId"`
	APIKeyRequired    bool         `json:"apiKeyRequired"`
	Integration       *integration `json:"methodIntegration"`
}

type resource struct {
	ID      string            `json:"id"`
	Path    string            `json:"path"`
	Methods map[string]method `json:"resourceMethods"`
}

type methodRow struct {
	Verb, Auth, Authorizer, Integration string
	APIKey                              bool
}

type resourceRow struct {
	ID, Path string
	Methods  []methodRow
}

type authorizerRow struct {
	ID, Name, Type, Target, IdentitySource string
}

type stageRow struct {
	Name, DeploymentID, InvokeURL, Updated, Description, DocVersion string
	AutoDeploy                                                      bool
}

type deploymentRow struct {
	ID, Description, Created, Status string
	Stages                           []string
}

type apiData struct {
	API         apiRow
	REST        bool
	Resources   []resourceRow
	Routes      []routeRow
	Integration []integrationRow
	Authorizers []authorizerRow
	Stages      []stageRow
	Deployments []deploymentRow
}

// verbOrder is the console's method order: the AWS console's.
var verbOrder = map[string]int{"ANY": 0, "DELETE": 1, "GET": 2, "HEAD": 3, "OPTIONS": 4, "PATCH": 5, "POST": 6, "PUT": 7}

func sortVerbs(verbs []string) {
	sort.Slice(verbs, func(i, j int) bool { return verbOrder[verbs[i]] < verbOrder[verbs[j]] })
}

func (c *Console) readResources(ctx context.Context, cl *mgmtClient, id string) ([]resource, error) {
	var all []resource
	pos := ""
	for range 100 {
		var out struct {
			Item     []resource `json:"item"`
			Position string     `json:"position"`
		}
		q := "/restapis/" + url.PathEscape(id) + "/resources?embed=methods&limit=500"
		if pos != "" {
			q += "&position=" + url.QueryEscape(pos)
		}
		if err := cl.getJSON(ctx, q, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Item...)
		if pos = out.Position; pos == "" {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	return all, nil
}

func describeIntegration(in *integration) string {
	if in == nil {
		return "(no integration)"
	}
	s := in.Type
	if in.HTTPMethod != "" && in.Type != "MOCK" {
		s += " " + in.HTTPMethod
	}
	if in.URI != "" {
		s += " " + in.URI
	}
	return s
}

// restDetail fills d for the REST API id.
func (c *Console) restDetail(ctx context.Context, cl *mgmtClient, a restAPI, d *apiData) error {
	id := url.PathEscape(a.ID)
	d.REST = true
	d.API = apiRow{ID: a.ID, Name: a.Name, Type: "REST", Endpoint: strings.Join(a.Endpoint.Types, ","), Created: epoch(a.CreatedDate), Description: a.Description}
	res, err := c.readResources(ctx, cl, a.ID)
	if err != nil {
		return err
	}
	var auths struct {
		Item []struct {
			ID             string `json:"id"`
			Name           string `json:"name"`
			Type           string `json:"type"`
			URI            string `json:"authorizerUri"`
			IdentitySource string `json:"identitySource"`
			ProviderARNs   []string
		} `json:"item"`
	}
	if err := cl.getJSON(ctx, "/restapis/"+id+"/authorizers?limit=500", &auths); err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range auths.Item {
		names[x.ID] = x.Name
		d.Authorizers = append(d.Authorizers, authorizerRow{ID: x.ID, Name: x.Name, Type: x.Type, Target: x.URI, IdentitySource: x.IdentitySource})
	}
	for _, r := range res {
		row := resourceRow{ID: r.ID, Path: r.Path}
		verbs := make([]string, 0, len(r.Methods))
		for v := range r.Methods {
			verbs = append(verbs, v)
		}
		sortVerbs(verbs)
		for _, v := range verbs {
			m := r.Methods[v]
			row.Methods = append(row.Methods, methodRow{Verb: v, Auth: m.AuthorizationType, Authorizer: names[m.AuthorizerID],
				APIKey: m.APIKeyRequired, Integration: describeIntegration(m.Integration)})
		}
		d.Resources = append(d.Resources, row)
	}
	stages, err := c.restStages(ctx, cl, a.ID)
	if err != nil {
		return err
	}
	d.Stages = stages
	deps, err := c.restDeployments(ctx, cl, a.ID, stages)
	if err != nil {
		return err
	}
	d.Deployments = deps
	return nil
}

type restStage struct {
	StageName            string            `json:"stageName"`
	DeploymentID         string            `json:"deploymentId"`
	Description          string            `json:"description"`
	Variables            map[string]string `json:"variables"`
	DocumentationVersion string            `json:"documentationVersion"`
	LastUpdatedDate      float64           `json:"lastUpdatedDate"`
	CreatedDate          float64           `json:"createdDate"`
	CacheClusterEnabled  bool              `json:"cacheClusterEnabled"`
	CacheClusterSize     string            `json:"cacheClusterSize"`
	TracingEnabled       bool              `json:"tracingEnabled"`
	WebACLArn            string            `json:"webAclArn"`
	MethodSettings       map[string]struct {
		MetricsEnabled         bool    `json:"metricsEnabled"`
		LoggingLevel           string  `json:"loggingLevel"`
		DataTraceEnabled       bool    `json:"dataTraceEnabled"`
		ThrottlingBurstLimit   int     `json:"throttlingBurstLimit"`
		ThrottlingRateLimit    float64 `json:"throttlingRateLimit"`
		CachingEnabled         bool    `json:"cachingEnabled"`
		CacheTTLInSeconds      int     `json:"cacheTtlInSeconds"`
		RequireAuthorizationFC bool    `json:"requireAuthorizationForCacheControl"`
	} `json:"methodSettings"`
	AccessLogSettings *struct {
		Format         string `json:"format"`
		DestinationARN string `json:"destinationArn"`
	} `json:"accessLogSettings"`
	CanarySettings *struct {
		PercentTraffic float64 `json:"percentTraffic"`
		DeploymentID   string  `json:"deploymentId"`
	} `json:"canarySettings"`
}

func (c *Console) invokeURL(apiID, stage string, ws bool) string {
	if len(c.cfg.DataPlane) == 0 {
		return ""
	}
	base := c.cfg.DataPlane[0]
	if ws {
		base = "ws" + strings.TrimPrefix(base, "http")
	}
	return base + "/_aws/execute-api/" + apiID + "/" + stage + "/"
}

func (c *Console) restStages(ctx context.Context, cl *mgmtClient, apiID string) ([]stageRow, error) {
	var out struct {
		Item []restStage `json:"item"`
	}
	if err := cl.getJSON(ctx, "/restapis/"+url.PathEscape(apiID)+"/stages", &out); err != nil {
		return nil, err
	}
	rows := make([]stageRow, 0, len(out.Item))
	for _, s := range out.Item {
		rows = append(rows, stageRow{Name: s.StageName, DeploymentID: s.DeploymentID, InvokeURL: c.invokeURL(apiID, s.StageName, false),
			Updated: epoch(s.LastUpdatedDate), Description: s.Description, DocVersion: s.DocumentationVersion})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows, nil
}

func (c *Console) restDeployments(ctx context.Context, cl *mgmtClient, apiID string, stages []stageRow) ([]deploymentRow, error) {
	var rows []deploymentRow
	pos := ""
	for range 100 {
		var out struct {
			Item []struct {
				ID          string  `json:"id"`
				Description string  `json:"description"`
				CreatedDate float64 `json:"createdDate"`
			} `json:"item"`
			Position string `json:"position"`
		}
		q := "/restapis/" + url.PathEscape(apiID) + "/deployments?limit=500"
		if pos != "" {
			q += "&position=" + url.QueryEscape(pos)
		}
		if err := cl.getJSON(ctx, q, &out); err != nil {
			return nil, err
		}
		for _, x := range out.Item {
			rows = append(rows, deploymentRow{ID: x.ID, Description: x.Description, Created: epoch(x.CreatedDate), Status: "DEPLOYED"})
		}
		if pos = out.Position; pos == "" {
			break
		}
	}
	markStages(rows, stages)
	return rows, nil
}

// markStages notes which stages point at each deployment and orders the
// history newest first.
func markStages(rows []deploymentRow, stages []stageRow) {
	for i := range rows {
		for _, s := range stages {
			if s.DeploymentID == rows[i].ID {
				rows[i].Stages = append(rows[i].Stages, s.Name)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created > rows[j].Created })
}

// lookupAPI finds id among REST APIs, then HTTP/WebSocket APIs.
func lookupAPI(ctx context.Context, cl *mgmtClient, id string) (*restAPI, *apiV2, error) {
	var a restAPI
	err := cl.getJSON(ctx, "/restapis/"+url.PathEscape(id), &a)
	if err == nil {
		return &a, nil, nil
	}
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		return nil, nil, err
	}
	var b apiV2
	if err2 := cl.getJSON(ctx, "/v2/apis/"+url.PathEscape(id), &b); err2 != nil {
		if errors.As(err2, &ae) && ae.Status == http.StatusNotFound {
			return nil, nil, err
		}
		return nil, nil, err2
	}
	return nil, &b, nil
}

func (c *Console) apiPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.showAPI(w, r, v, r.PathValue("api"), "")
}

// showAPI renders the API page of id with a notice.
func (c *Console) showAPI(w http.ResponseWriter, r *http.Request, v *view, id, notice string) {
	ctx := r.Context()
	rest, v2, err := lookupAPI(ctx, v.client, id)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	var d apiData
	if rest != nil {
		err = c.restDetail(ctx, v.client, *rest, &d)
	} else {
		err = c.v2Detail(ctx, v.client, *v2, &d)
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	c.render(w, http.StatusOK, "api", page{Title: d.API.Name, Nav: "apis", SignedIn: true, CSRF: v.CSRF, Notice: notice, Data: d})
}
