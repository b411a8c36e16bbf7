package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type settingRow struct{ Name, Value string }

type stageData struct {
	API         apiRow
	REST        bool
	Stage       stageRow
	Variables   []settingRow
	Settings    []settingRow
	Deployments []deploymentRow
}

func (c *Console) stagePage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, name := r.PathValue("api"), r.PathValue("stage")
	rest, v2, err := lookupAPI(ctx, v.client, apiID)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	d := stageData{REST: rest != nil}
	if rest != nil {
		err = c.restStage(ctx, v.client, *rest, name, &d)
	} else {
		err = c.v2Stage(ctx, v.client, *v2, name, &d)
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "rollback":
		notice = "The stage now serves deployment " + d.Stage.DeploymentID + "."
	case "variable":
		notice = "Stage variables updated."
	case "settings":
		notice = "Throttling updated."
	case "deploy":
		notice = "Deployed: the stage now serves deployment " + d.Stage.DeploymentID + "."
	}
	c.render(w, http.StatusOK, "stage", page{Title: d.API.Name + " · " + name, Nav: "apis", SignedIn: true, CSRF: v.CSRF, Notice: notice, Data: d})
}

func (c *Console) restStage(ctx context.Context, cl *mgmtClient, a restAPI, name string, d *stageData) error {
	d.API = apiRow{ID: a.ID, Name: a.Name, Type: "REST"}
	var s restStage
	if err := cl.getJSON(ctx, "/restapis/"+url.PathEscape(a.ID)+"/stages/"+url.PathEscape(name), &s); err != nil {
		return err
	}
	d.Stage = stageRow{Name: s.StageName, DeploymentID: s.DeploymentID, InvokeURL: c.invokeURL(a.ID, s.StageName, false),
		Updated: epoch(s.LastUpdatedDate), Description: s.Description, DocVersion: s.DocumentationVersion}
	d.Variables = sortedMap(s.Variables)
	add := func(k, v string) { d.Settings = append(d.Settings, settingRow{k, v}) }
	add("Created", epoch(s.CreatedDate))
	add("Cache cluster", onOff(s.CacheClusterEnabled)+" "+s.CacheClusterSize)
	add("Tracing", onOff(s.TracingEnabled))
	if s.DocumentationVersion != "" {
		add("Documentation version (published in the portal)", s.DocumentationVersion)
	}
	if s.AccessLogSettings != nil {
		add("Access log destination", s.AccessLogSettings.DestinationARN)
		add("Access log format", s.AccessLogSettings.Format)
	}
	if s.CanarySettings != nil {
		add("Canary", fmt.Sprintf("%g%% to deployment %s", s.CanarySettings.PercentTraffic, s.CanarySettings.DeploymentID))
	}
	if s.WebACLArn != "" {
		add("Web ACL", s.WebACLArn)
	}
	keys := make([]string, 0, len(s.MethodSettings))
	for k := range s.MethodSettings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m := s.MethodSettings[k]
		add("Method settings "+k, fmt.Sprintf("throttling %g req/s burst %d; caching %s (TTL %d s); logging %s; metrics %s; data trace %s",
			m.ThrottlingRateLimit, m.ThrottlingBurstLimit, onOff(m.CachingEnabled), m.CacheTTLInSeconds, orDash(m.LoggingLevel),
			onOff(m.MetricsEnabled), onOff(m.DataTraceEnabled)))
	}
	deps, err := c.restDeployments(ctx, cl, a.ID, []stageRow{d.Stage})
	d.Deployments = deps
	return err
}

func (c *Console) v2Stage(ctx context.Context, cl *mgmtClient, a apiV2, name string, d *stageData) error {
	d.API = apiRow{ID: a.ID, Name: a.Name, Type: a.ProtocolType}
	var s v2Stage
	if err := cl.getJSON(ctx, "/v2/apis/"+url.PathEscape(a.ID)+"/stages/"+url.PathEscape(name), &s); err != nil {
		return err
	}
	d.Stage = stageRow{Name: s.StageName, DeploymentID: s.DeploymentID, AutoDeploy: s.AutoDeploy,
		InvokeURL: c.invokeURL(a.ID, s.StageName, a.ProtocolType == "WEBSOCKET"), Updated: isoDate(s.LastUpdatedDate), Description: s.Description}
	d.Variables = sortedMap(s.StageVariables)
	add := func(k, v string) { d.Settings = append(d.Settings, settingRow{k, v}) }
	add("Automatic deployment", onOff(s.AutoDeploy))
	if r := s.DefaultRoute; r != nil {
		add("Default route throttling", fmt.Sprintf("%g req/s burst %d; detailed metrics %s", r.ThrottlingRateLimit, r.ThrottlingBurstLimit, onOff(r.DetailedMetrics)))
	}
	if s.AccessLogSettings != nil {
		add("Access log destination", s.AccessLogSettings.DestinationARN)
		add("Access log format", s.AccessLogSettings.Format)
	}
	deps, err := c.v2Deployments(ctx, cl, a.ID, []stageRow{d.Stage})
	d.Deployments = deps
	return err
}

// rollback points the stage at an earlier deployment (UpdateStage with
// /deploymentId, or apigatewayv2's deploymentId).
func (c *Console) rollback(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, name := r.PathValue("api"), r.PathValue("stage")
	dep := r.PostForm.Get("deploymentId")
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err == nil {
		if rest != nil {
			err = v.client.sendJSON(ctx, http.MethodPatch, "/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(name),
				map[string]any{"patchOperations": []map[string]string{{"op": "replace", "path": "/deploymentId", "value": dep}}}, nil)
		} else {
			err = v.client.sendJSON(ctx, http.MethodPatch, "/v2/apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(name),
				map[string]any{"deploymentId": dep}, nil)
		}
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	http.Redirect(w, r, Prefix+"apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(name)+"?done=rollback", http.StatusSeeOther)
}

// setVariable sets (or, with remove, deletes) one stage variable.
func (c *Console) setVariable(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, stage := r.PathValue("api"), r.PathValue("stage")
	name, value := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("value")
	remove := r.PostForm.Get("remove") != ""
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err == nil {
		if rest != nil {
			op := map[string]string{"op": "replace", "path": "/variables/" + escapePointer(name), "value": value}
			if remove {
				op = map[string]string{"op": "remove", "path": "/variables/" + escapePointer(name)}
			}
			err = v.client.sendJSON(ctx, http.MethodPatch, "/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage),
				map[string]any{"patchOperations": []map[string]string{op}}, nil)
		} else {
			if remove {
				value = "" // apigatewayv2 has no removal: the variable is emptied
			}
			err = v.client.sendJSON(ctx, http.MethodPatch, "/v2/apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage),
				map[string]any{"stageVariables": map[string]string{name: value}}, nil)
		}
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	http.Redirect(w, r, Prefix+"apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+"?done=variable", http.StatusSeeOther)
}

// setThrottle sets the stage's default method throttling (REST:
// /*/*/throttling/rateLimit and burstLimit; HTTP and WebSocket:
// defaultRouteSettings).
func (c *Console) setThrottle(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, stage := r.PathValue("api"), r.PathValue("stage")
	rate, burst := strings.TrimSpace(r.PostForm.Get("rateLimit")), strings.TrimSpace(r.PostForm.Get("burstLimit"))
	rateN, err1 := strconv.ParseFloat(rate, 64)
	burstN, err2 := strconv.Atoi(burst)
	if err1 != nil || err2 != nil || rateN < 0 || burstN < 0 {
		c.fail(w, r, v, http.StatusBadRequest, &apiError{Status: http.StatusBadRequest, Type: "BadRequestException",
			Message: "Rate must be a number and burst a whole number, both 0 or more"})
		return
	}
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err == nil {
		if rest != nil {
			err = v.client.sendJSON(ctx, http.MethodPatch, "/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage),
				map[string]any{"patchOperations": []map[string]string{
					{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": rate},
					{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": burst}}}, nil)
		} else {
			err = v.client.sendJSON(ctx, http.MethodPatch, "/v2/apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage),
				map[string]any{"defaultRouteSettings": map[string]any{"throttlingRateLimit": rateN, "throttlingBurstLimit": burstN}}, nil)
		}
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	http.Redirect(w, r, Prefix+"apis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+"?done=settings", http.StatusSeeOther)
}

// escapePointer escapes a JSON Pointer segment (RFC 6901), as patch paths
// need.
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

var exportTypes = map[string]bool{"oas30": true, "swagger": true}

// export downloads the stage's OpenAPI definition (GetExport, or
// apigatewayv2's ExportApi).
func (c *Console) export(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID, stage := r.PathValue("api"), r.PathValue("stage")
	typ := r.URL.Query().Get("type")
	if !exportTypes[typ] {
		typ = "oas30"
	}
	yaml := r.URL.Query().Get("format") == "yaml"
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	var path string
	accept := "application/json"
	if yaml {
		accept = "application/yaml"
	}
	if rest != nil {
		path = "/restapis/" + url.PathEscape(apiID) + "/stages/" + url.PathEscape(stage) + "/exports/" + typ + "?extensions=documentation"
	} else {
		out := "JSON"
		if yaml {
			out = "YAML"
		}
		path = "/v2/apis/" + url.PathEscape(apiID) + "/exports/OAS30?outputType=" + out + "&stageName=" + url.QueryEscape(stage)
	}
	b, _, err := v.client.call(ctx, "apigateway", http.MethodGet, path, nil, map[string]string{"Accept": accept})
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	ext := ".json"
	if yaml {
		ext = ".yaml"
	}
	w.Header().Set("Content-Type", accept)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", safeName(apiID+"-"+stage+"-"+typ)+ext))
	_, _ = w.Write(b)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// Deployment diffs (REST APIs): methods as each deployment's API summary
// lists them (GetDeployment with embed=apisummary), or as the working copy
// defines them now.

type summaryEntry struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

type diffRow struct {
	Path, Verb, Change, Before, After string
}

type diffData struct {
	API         apiRow
	From, To    string
	Deployments []deploymentRow
	Rows        []diffRow
	Compared    bool
	// Integrations says whether integrations were compared too.
	Integrations bool
}

// workingCopy is the diff's name for the current, undeployed definition.
const workingCopy = "working"

func (c *Console) summary(ctx context.Context, cl *mgmtClient, apiID, dep string) (map[string]map[string]summaryEntry, error) {
	if dep == workingCopy {
		res, err := c.readResources(ctx, cl, apiID)
		if err != nil {
			return nil, err
		}
		out := map[string]map[string]summaryEntry{}
		for _, r := range res {
			for v, m := range r.Methods {
				if out[r.Path] == nil {
					out[r.Path] = map[string]summaryEntry{}
				}
				out[r.Path][v] = summaryEntry{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
			}
		}
		return out, nil
	}
	var d struct {
		APISummary map[string]map[string]summaryEntry `json:"apiSummary"`
	}
	err := cl.getJSON(ctx, "/restapis/"+url.PathEscape(apiID)+"/deployments/"+url.PathEscape(dep)+"?embed=apisummary", &d)
	return d.APISummary, err
}

func describeEntry(e summaryEntry) string {
	s := "authorization " + e.AuthorizationType
	if e.APIKeyRequired {
		s += ", API key required"
	}
	return s
}

// diffSummaries lists what changed from a to b, by path then verb.
func diffSummaries(a, b map[string]map[string]summaryEntry) []diffRow {
	var rows []diffRow
	paths := map[string]bool{}
	for p := range a {
		paths[p] = true
	}
	for p := range b {
		paths[p] = true
	}
	for p := range paths {
		verbs := map[string]bool{}
		for v := range a[p] {
			verbs[v] = true
		}
		for v := range b[p] {
			verbs[v] = true
		}
		for v := range verbs {
			x, inA := a[p][v]
			y, inB := b[p][v]
			switch {
			case inA && !inB:
				rows = append(rows, diffRow{Path: p, Verb: v, Change: "removed", Before: describeEntry(x)})
			case !inA && inB:
				rows = append(rows, diffRow{Path: p, Verb: v, Change: "added", After: describeEntry(y)})
			case x != y:
				rows = append(rows, diffRow{Path: p, Verb: v, Change: "changed", Before: describeEntry(x), After: describeEntry(y)})
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

func (c *Console) diffPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	apiID := r.PathValue("api")
	rest, _, err := lookupAPI(ctx, v.client, apiID)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	if rest == nil {
		c.fail(w, r, v, http.StatusBadRequest, &apiError{Status: http.StatusBadRequest, Type: "BadRequestException",
			Message: "Deployment diffs are available for REST APIs (HTTP and WebSocket deployments carry no API summary)"})
		return
	}
	d := diffData{API: apiRow{ID: rest.ID, Name: rest.Name, Type: "REST"}, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	stages, err := c.restStages(ctx, v.client, apiID)
	if err == nil {
		d.Deployments, err = c.restDeployments(ctx, v.client, apiID, stages)
	}
	if err == nil && d.From != "" && d.To != "" {
		var a, b map[string]map[string]summaryEntry
		if a, err = c.summary(ctx, v.client, apiID, d.From); err == nil {
			if b, err = c.summary(ctx, v.client, apiID, d.To); err == nil {
				d.Rows, d.Compared = diffSummaries(a, b), true
				ia, okA := c.integrationsOf(ctx, v.client, apiID, d.From)
				ib, okB := c.integrationsOf(ctx, v.client, apiID, d.To)
				if okA && okB {
					d.Integrations = true
					d.Rows = append(d.Rows, diffIntegrations(ia, ib)...)
					sort.SliceStable(d.Rows, func(i, j int) bool {
						if d.Rows[i].Path != d.Rows[j].Path {
							return d.Rows[i].Path < d.Rows[j].Path
						}
						return verbOrder[d.Rows[i].Verb] < verbOrder[d.Rows[j].Verb]
					})
				}
			}
		}
	}
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	c.render(w, http.StatusOK, "diff", page{Title: rest.Name + " · diff", Nav: "apis", SignedIn: true, CSRF: v.CSRF, Data: d})
}

// sdkTypes are the SDKs GetSdk generates, in the order the pages list them.
var sdkTypes = map[string]bool{"javascript": true, "typescript": true, "go": true}

// sdk downloads a client SDK of a REST API stage (GetSdk): the zip as the
// management API answers it.
func (c *Console) sdk(w http.ResponseWriter, r *http.Request, v *view) {
	apiID, stage, typ := r.PathValue("api"), r.PathValue("stage"), r.URL.Query().Get("type")
	if !sdkTypes[typ] {
		c.fail(w, r, v, http.StatusBadRequest, &apiError{Status: http.StatusBadRequest, Type: "BadRequestException",
			Message: "SDK type must be javascript, typescript or go"})
		return
	}
	b, h, err := v.client.call(r.Context(), "apigateway", http.MethodGet,
		"/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+"/sdks/"+typ, nil, nil)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	disp := h.Get("Content-Disposition")
	if disp == "" {
		disp = fmt.Sprintf("attachment; filename=%q", safeName(typ+"-sdk")+".zip")
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", disp)
	_, _ = w.Write(b)
}
