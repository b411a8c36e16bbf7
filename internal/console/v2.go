package console

import (
	"context"
	"net/url"
	"sort"
	"strings"
)

// HTTP and WebSocket APIs (apigatewayv2).

type routeRow struct {
	ID, Key, Target, Auth, Authorizer string
	APIKey                            bool
}

type integrationRow struct {
	ID, Type, Method, URI string
}

type v2Stage struct {
	StageName       string            `json:"stageName"`
	DeploymentID    string            `json:"deploymentId"`
	Description     string            `json:"description"`
	AutoDeploy      bool              `json:"autoDeploy"`
	StageVariables  map[string]string `json:"stageVariables"`
	LastUpdatedDate string            `json:"lastUpdatedDate"`
	DefaultRoute    *struct {
		ThrottlingBurstLimit int     `json:"throttlingBurstLimit"`
		ThrottlingRateLimit  float64 `json:"throttlingRateLimit"`
		DetailedMetrics      bool    `json:"detailedMetricsEnabled"`
	} `json:"defaultRouteSettings"`
	AccessLogSettings *struct {
		Format         string `json:"format"`
		DestinationARN string `json:"destinationArn"`
	} `json:"accessLogSettings"`
}

// v2List reads every page of a v2 collection into items.
func v2List[T any](ctx context.Context, cl *mgmtClient, path string) ([]T, error) {
	var all []T
	next := ""
	for range 100 {
		var out struct {
			Items     []T    `json:"items"`
			NextToken string `json:"nextToken"`
		}
		q := path + "?maxResults=500"
		if next != "" {
			q += "&nextToken=" + url.QueryEscape(next)
		}
		if err := cl.getJSON(ctx, q, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if next = out.NextToken; next == "" {
			break
		}
	}
	return all, nil
}

func (c *Console) v2Stages(ctx context.Context, cl *mgmtClient, a apiV2) ([]stageRow, error) {
	st, err := v2List[v2Stage](ctx, cl, "/v2/apis/"+url.PathEscape(a.ID)+"/stages")
	if err != nil {
		return nil, err
	}
	rows := make([]stageRow, 0, len(st))
	for _, s := range st {
		rows = append(rows, stageRow{Name: s.StageName, DeploymentID: s.DeploymentID, AutoDeploy: s.AutoDeploy,
			InvokeURL: c.invokeURL(a.ID, s.StageName, a.ProtocolType == "WEBSOCKET"), Updated: isoDate(s.LastUpdatedDate), Description: s.Description})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows, nil
}

func (c *Console) v2Deployments(ctx context.Context, cl *mgmtClient, apiID string, stages []stageRow) ([]deploymentRow, error) {
	deps, err := v2List[struct {
		ID          string `json:"deploymentId"`
		Description string `json:"description"`
		CreatedDate string `json:"createdDate"`
		Status      string `json:"deploymentStatus"`
		Auto        bool   `json:"autoDeployed"`
	}](ctx, cl, "/v2/apis/"+url.PathEscape(apiID)+"/deployments")
	if err != nil {
		return nil, err
	}
	rows := make([]deploymentRow, 0, len(deps))
	for _, x := range deps {
		desc := x.Description
		if x.Auto && desc == "" {
			desc = "(automatic deployment)"
		}
		rows = append(rows, deploymentRow{ID: x.ID, Description: desc, Created: isoDate(x.CreatedDate), Status: x.Status})
	}
	markStages(rows, stages)
	return rows, nil
}

func (c *Console) v2Detail(ctx context.Context, cl *mgmtClient, a apiV2, d *apiData) error {
	id := url.PathEscape(a.ID)
	d.API = apiRow{ID: a.ID, Name: a.Name, Type: a.ProtocolType, Endpoint: "REGIONAL", Created: isoDate(a.CreatedDate), Description: a.Description}
	auths, err := v2List[struct {
		ID             string   `json:"authorizerId"`
		Name           string   `json:"name"`
		Type           string   `json:"authorizerType"`
		URI            string   `json:"authorizerUri"`
		IdentitySource []string `json:"identitySource"`
		JWT            *struct {
			Issuer string `json:"issuer"`
		} `json:"jwtConfiguration"`
	}](ctx, cl, "/v2/apis/"+id+"/authorizers")
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range auths {
		names[x.ID] = x.Name
		target := x.URI
		if x.JWT != nil {
			target = x.JWT.Issuer
		}
		d.Authorizers = append(d.Authorizers, authorizerRow{ID: x.ID, Name: x.Name, Type: x.Type, Target: target, IdentitySource: strings.Join(x.IdentitySource, ", ")})
	}
	ints, err := v2List[struct {
		ID     string `json:"integrationId"`
		Type   string `json:"integrationType"`
		Method string `json:"integrationMethod"`
		URI    string `json:"integrationUri"`
	}](ctx, cl, "/v2/apis/"+id+"/integrations")
	if err != nil {
		return err
	}
	intDesc := map[string]string{}
	for _, x := range ints {
		d.Integration = append(d.Integration, integrationRow{ID: x.ID, Type: x.Type, Method: x.Method, URI: x.URI})
		intDesc["integrations/"+x.ID] = strings.TrimSpace(x.Type + " " + x.Method + " " + x.URI)
	}
	routes, err := v2List[struct {
		ID           string `json:"routeId"`
		Key          string `json:"routeKey"`
		Target       string `json:"target"`
		Auth         string `json:"authorizationType"`
		AuthorizerID string `json:"authorizerId"`
		APIKey       bool   `json:"apiKeyRequired"`
	}](ctx, cl, "/v2/apis/"+id+"/routes")
	if err != nil {
		return err
	}
	for _, x := range routes {
		target := intDesc[x.Target]
		if target == "" {
			target = x.Target
		}
		d.Routes = append(d.Routes, routeRow{ID: x.ID, Key: x.Key, Target: target, Auth: x.Auth, Authorizer: names[x.AuthorizerID], APIKey: x.APIKey})
	}
	sort.Slice(d.Routes, func(i, j int) bool { return d.Routes[i].Key < d.Routes[j].Key })
	if d.Stages, err = c.v2Stages(ctx, cl, a); err != nil {
		return err
	}
	d.Deployments, err = c.v2Deployments(ctx, cl, a.ID, d.Stages)
	return err
}
