package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The developer portal (view 10): read-only pages for an API's consumers.
// A REST stage is published when its documentationVersion is set (AWS's
// "publish documentation" step) [T].

type publishedAPI struct {
	ID, Name, Description, Stage, DocVersion, InvokeURL string
}

type portalList struct {
	APIs []publishedAPI
}

func (c *Console) published(ctx context.Context, cl *mgmtClient) ([]publishedAPI, error) {
	var apis struct {
		Item []restAPI `json:"item"`
	}
	if err := cl.getJSON(ctx, "/restapis?limit=500", &apis); err != nil {
		return nil, err
	}
	var out []publishedAPI
	for _, a := range apis.Item {
		var st struct {
			Item []restStage `json:"item"`
		}
		if err := cl.getJSON(ctx, "/restapis/"+url.PathEscape(a.ID)+"/stages", &st); err != nil {
			return nil, err
		}
		for _, s := range st.Item {
			if s.DocumentationVersion == "" {
				continue
			}
			out = append(out, publishedAPI{ID: a.ID, Name: a.Name, Description: a.Description, Stage: s.StageName,
				DocVersion: s.DocumentationVersion, InvokeURL: c.invokeURL(a.ID, s.StageName, false)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Stage < out[j].Name+out[j].Stage })
	return out, nil
}

func (c *Console) portalPage(w http.ResponseWriter, r *http.Request, v *view) {
	apis, err := c.published(r.Context(), v.client)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	c.render(w, http.StatusOK, "portal", page{Title: "Developer portal", Nav: "portal", SignedIn: v.SignedIn, CSRF: v.CSRF, Data: portalList{APIs: apis}})
}

type paramDoc struct {
	Name, In, Description string
	Required              bool
}

type operation struct {
	ID, Method, Path, Summary, Description string
	Params                                 []paramDoc
	APIKey                                 bool
	HasBody                                bool
}

type tryResult struct {
	Method, URL string
	Status      int
	Headers     []settingRow
	Body        string
	Truncated   bool
	Error       string
	OperationID string
}

type portalAPIData struct {
	API publishedAPI
	Ops []operation
	Try *tryResult
	// Form holds the try-it form's last input, by operation id.
	Form map[string]map[string]string
}

// maxTryBody bounds the response body the portal shows.
const maxTryBody = 256 << 10

func (c *Console) portalAPI(ctx context.Context, cl *mgmtClient, apiID, stage string) (portalAPIData, error) {
	var d portalAPIData
	apis, err := c.published(ctx, cl)
	if err != nil {
		return d, err
	}
	for _, a := range apis {
		if a.ID == apiID && a.Stage == stage {
			d.API = a
		}
	}
	if d.API.ID == "" {
		return d, &apiError{Status: http.StatusNotFound, Type: "NotFoundException", Message: "No published API " + apiID + " with stage " + stage}
	}
	b, _, err := cl.call(ctx, "apigateway", http.MethodGet, "/restapis/"+url.PathEscape(apiID)+"/stages/"+url.PathEscape(stage)+"/exports/oas30",
		nil, map[string]string{"Accept": "application/json"})
	if err != nil {
		return d, err
	}
	var doc struct {
		Info struct {
			Description string `json:"description"`
		} `json:"info"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return d, fmt.Errorf("reading the export: %w", err)
	}
	if doc.Info.Description != "" {
		d.API.Description = doc.Info.Description
	}
	docs := c.docParts(ctx, cl, apiID)
	if s := docs["API  "]; s.Description != "" {
		d.API.Description = s.Description
	}
	for p, item := range doc.Paths {
		for m, raw := range item {
			verb := strings.ToUpper(m)
			if m == "x-amazon-apigateway-any-method" {
				verb = "ANY"
			} else if _, ok := verbOrder[verb]; !ok || verb == "ANY" {
				continue // servers, parameters, other extensions
			}
			var op struct {
				Summary     string `json:"summary"`
				Description string `json:"description"`
				Parameters  []struct {
					Name        string `json:"name"`
					In          string `json:"in"`
					Description string `json:"description"`
					Required    bool   `json:"required"`
				} `json:"parameters"`
				RequestBody json.RawMessage       `json:"requestBody"`
				Security    []map[string][]string `json:"security"`
			}
			_ = json.Unmarshal(raw, &op)
			o := operation{Method: verb, Path: p, Summary: op.Summary, Description: op.Description, HasBody: len(op.RequestBody) > 0 || verb == "POST" || verb == "PUT" || verb == "PATCH"}
			if s := docs["METHOD "+p+" "+verb]; s.Description != "" || s.Summary != "" {
				o.Description, o.Summary = firstNonEmpty(s.Description, o.Description), firstNonEmpty(s.Summary, o.Summary)
			}
			for _, prm := range op.Parameters {
				o.Params = append(o.Params, paramDoc{Name: prm.Name, In: prm.In, Description: prm.Description, Required: prm.Required})
			}
			for _, s := range op.Security {
				if _, ok := s["api_key"]; ok {
					o.APIKey = true
				}
			}
			o.ID = safeName(strings.ToLower(verb) + p)
			d.Ops = append(d.Ops, o)
		}
	}
	sort.Slice(d.Ops, func(i, j int) bool {
		if d.Ops[i].Path != d.Ops[j].Path {
			return d.Ops[i].Path < d.Ops[j].Path
		}
		return verbOrder[d.Ops[i].Method] < verbOrder[d.Ops[j].Method]
	})
	return d, nil
}

type docText struct{ Summary, Description string }

// docParts reads the API's documentation parts (API and METHOD ones) by
// "TYPE path verb".
func (c *Console) docParts(ctx context.Context, cl *mgmtClient, apiID string) map[string]docText {
	out := map[string]docText{}
	var parts struct {
		Item []struct {
			Location struct {
				Type   string `json:"type"`
				Path   string `json:"path"`
				Method string `json:"method"`
			} `json:"location"`
			Properties string `json:"properties"`
		} `json:"item"`
	}
	if cl.getJSON(ctx, "/restapis/"+url.PathEscape(apiID)+"/documentation/parts?limit=500", &parts) != nil {
		return out
	}
	for _, p := range parts.Item {
		var t struct {
			Summary     string `json:"summary"`
			Description string `json:"description"`
		}
		_ = json.Unmarshal([]byte(p.Properties), &t)
		switch p.Location.Type {
		case "API":
			out["API  "] = docText{t.Summary, t.Description}
		case "METHOD":
			out["METHOD "+p.Location.Path+" "+strings.ToUpper(p.Location.Method)] = docText{t.Summary, t.Description}
		}
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *Console) portalAPIPage(w http.ResponseWriter, r *http.Request, v *view) {
	d, err := c.portalAPI(r.Context(), v.client, r.PathValue("api"), r.PathValue("stage"))
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	c.render(w, http.StatusOK, "portalapi", page{Title: d.API.Name + " · portal", Nav: "portal", SignedIn: v.SignedIn, CSRF: v.CSRF, Data: d})
}

// portalTry sends a consumer's "try it" request to the stage on the data
// plane and shows the answer. Only paths under the published stage are
// reachable, so it sends nothing the visitor could not send the data plane
// directly.
func (c *Console) portalTry(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.SignedIn {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Bad form.", http.StatusBadRequest)
			return
		}
	}
	ctx := r.Context()
	d, err := c.portalAPI(ctx, v.client, r.PathValue("api"), r.PathValue("stage"))
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	f := r.PostForm
	opID := f.Get("op")
	var op *operation
	for i := range d.Ops {
		if d.Ops[i].ID == opID {
			op = &d.Ops[i]
		}
	}
	res := &tryResult{OperationID: opID}
	d.Try = res
	d.Form = map[string]map[string]string{opID: {"path": f.Get("path"), "query": f.Get("query"), "apiKey": f.Get("apiKey"), "body": f.Get("body")}}
	if op == nil {
		res.Error = "Unknown operation."
	} else if err := c.sendTry(ctx, d.API, op, f, res); err != nil {
		res.Error = err.Error()
	}
	c.render(w, http.StatusOK, "portalapi", page{Title: d.API.Name + " · portal", Nav: "portal", SignedIn: v.SignedIn, CSRF: v.CSRF, Data: d})
}

func (c *Console) sendTry(ctx context.Context, api publishedAPI, op *operation, f url.Values, res *tryResult) error {
	if api.InvokeURL == "" {
		return errors.New("the gateway has no data-plane listener")
	}
	p := f.Get("path")
	if p == "" {
		p = op.Path
	}
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\r\n\x00#?") {
		return errors.New("the path must start with / and hold no query (put it in the query field)")
	}
	u := strings.TrimSuffix(api.InvokeURL, "/") + p
	if q := strings.TrimPrefix(strings.TrimSpace(f.Get("query")), "?"); q != "" {
		if _, err := url.ParseQuery(q); err != nil {
			return fmt.Errorf("query string: %w", err)
		}
		u += "?" + q
	}
	method := op.Method
	if method == "ANY" {
		method = http.MethodGet
	}
	var body io.Reader
	if b := f.Get("body"); b != "" && op.HasBody {
		body = strings.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if k := strings.TrimSpace(f.Get("apiKey")); k != "" {
		if strings.ContainsAny(k, "\r\n") {
			return errors.New("bad API key")
		}
		req.Header.Set("x-api-key", k)
	}
	res.Method, res.URL = method, u
	resp, err := c.cfg.DataClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxTryBody+1))
	if len(b) > maxTryBody {
		b, res.Truncated = b[:maxTryBody], true
	}
	res.Status = resp.StatusCode
	for k, vs := range resp.Header {
		res.Headers = append(res.Headers, settingRow{k, strings.Join(vs, ", ")})
	}
	sort.Slice(res.Headers, func(i, j int) bool { return res.Headers[i].Name < res.Headers[j].Name })
	res.Body = string(b)
	if pretty := prettyJSON(res.Body); pretty != "" {
		res.Body = pretty
	}
	return nil
}

// portalSDK downloads a published stage's SDK.
func (c *Console) portalSDK(w http.ResponseWriter, r *http.Request, v *view) {
	apis, err := c.published(r.Context(), v.client)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	for _, a := range apis {
		if a.ID == r.PathValue("api") && a.Stage == r.PathValue("stage") {
			c.sdk(w, r, v)
			return
		}
	}
	c.fail(w, r, v, http.StatusNotFound, &apiError{Status: http.StatusNotFound, Type: "NotFoundException", Message: "No such published API"})
}
