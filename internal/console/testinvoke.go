package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The Test button: TestInvokeMethod on the current (undeployed) definition.

type methodOption struct {
	Value, Label, Path string
	Selected           bool
}

type testResult struct {
	Status  int               `json:"status"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
	Log     string            `json:"log"`
	Latency int64             `json:"latency"`
}

type testData struct {
	API            apiRow
	REST           bool
	Methods        []methodOption
	Path           string
	Headers        string
	StageVariables string
	Body           string
	Result         *testResult
	ResultHeaders  []settingRow
	Error          string

	// The authorizer test (TestInvokeAuthorizer).
	Authorizers []methodOption
	AuthHeaders string
	AuthPath    string
	AuthResult  *authResult
	AuthClaims  []settingRow
	AuthContext []settingRow
	AuthError   string
}

type authResult struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId"`
	Policy        string              `json:"policy"`
	Authorization map[string][]string `json:"authorization"`
	Claims        map[string]string   `json:"claims"`
}

func (c *Console) testPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.testView(w, r, v, nil)
}

// testView renders the test form; with form set (a POST), it runs the
// test invoke first.
func (c *Console) testView(w http.ResponseWriter, r *http.Request, v *view, form url.Values) {
	ctx := r.Context()
	apiID := r.PathValue("api")
	rest, v2, err := lookupAPI(ctx, v.client, apiID)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	var d testData
	if rest == nil {
		d.API = apiRow{ID: v2.ID, Name: v2.Name, Type: v2.ProtocolType}
		c.render(w, http.StatusOK, "test", page{Title: v2.Name + " · test", Nav: "apis", SignedIn: true, CSRF: v.CSRF, Data: d})
		return
	}
	d.REST = true
	d.API = apiRow{ID: rest.ID, Name: rest.Name, Type: "REST"}
	res, err := c.readResources(ctx, v.client, apiID)
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	selected := r.URL.Query().Get("method")
	authorizer := ""
	if form != nil && form.Get("kind") == "authorizer" {
		authorizer, d.AuthHeaders, d.AuthPath = form.Get("authorizer"), form.Get("authHeaders"), form.Get("authPath")
		form = nil
	}
	if err := c.listAuthorizers(r, v, apiID, authorizer, &d); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	if authorizer != "" {
		c.runAuthorizerTest(r, v, apiID, authorizer, &d)
	}
	if form != nil {
		selected = form.Get("method")
		d.Path, d.Headers, d.StageVariables, d.Body = form.Get("path"), form.Get("headers"), form.Get("stageVariables"), form.Get("body")
	}
	paths := map[string]string{}
	for _, rs := range res {
		verbs := make([]string, 0, len(rs.Methods))
		for vb := range rs.Methods {
			verbs = append(verbs, vb)
		}
		sortVerbs(verbs)
		for _, vb := range verbs {
			val := rs.ID + " " + vb
			paths[val] = rs.Path
			d.Methods = append(d.Methods, methodOption{Value: val, Label: vb + " " + rs.Path, Path: rs.Path, Selected: val == selected})
		}
	}
	// A replayed request (from Recent requests): the method whose resource
	// matches its path.
	if q := r.URL.Query(); form == nil && q.Get("verb") != "" {
		d.Path = q.Get("path")
		for i, m := range d.Methods {
			verb, _, _ := strings.Cut(m.Label, " ")
			if (verb == q.Get("verb") || verb == "ANY") && pathMatches(m.Path, strings.SplitN(d.Path, "?", 2)[0]) {
				d.Methods[i].Selected = true
				break
			}
		}
	}
	if form == nil && d.Path == "" {
		if p, ok := paths[selected]; ok {
			d.Path = p
		}
	}
	if form != nil {
		if p, ok := paths[selected]; !ok {
			d.Error = "Choose a method to test."
		} else {
			if d.Path == "" {
				d.Path = p
			}
			d.Result, err = c.runTest(r, v, apiID, selected, d)
			if err != nil {
				d.Error = err.Error()
			} else {
				d.ResultHeaders = sortedMap(d.Result.Headers)
			}
		}
	}
	c.render(w, http.StatusOK, "test", page{Title: rest.Name + " · test", Nav: "apis", SignedIn: true, CSRF: v.CSRF, Data: d})
}

func (c *Console) testInvoke(w http.ResponseWriter, r *http.Request, v *view) {
	c.testView(w, r, v, r.PostForm)
}

// runTest calls TestInvokeMethod for "resourceId VERB".
func (c *Console) runTest(r *http.Request, v *view, apiID, selected string, d testData) (*testResult, error) {
	rid, verb, _ := strings.Cut(selected, " ")
	in := map[string]any{"pathWithQueryString": d.Path}
	if d.Body != "" {
		in["body"] = d.Body
	}
	if h := parseLines(d.Headers, ":"); len(h) > 0 {
		in["headers"] = h
	}
	if sv := parseLines(d.StageVariables, "="); len(sv) > 0 {
		in["stageVariables"] = sv
	}
	var out testResult
	err := v.client.sendJSON(r.Context(), http.MethodPost, "/restapis/"+url.PathEscape(apiID)+"/resources/"+url.PathEscape(rid)+"/methods/"+url.PathEscape(verb), in, &out)
	if err != nil {
		return nil, err
	}
	if pretty := prettyJSON(out.Body); pretty != "" {
		out.Body = pretty
	}
	return &out, nil
}

// parseLines reads "name: value" (or name=value) lines into a map.
func parseLines(s, sep string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		k, val, ok := strings.Cut(strings.TrimSpace(line), sep)
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return out
}

// prettyJSON indents a JSON body, or returns "" when it is not JSON.
func prettyJSON(s string) string {
	var x any
	if json.Unmarshal([]byte(s), &x) != nil {
		return ""
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func sortedMap(m map[string]string) []settingRow {
	rows := make([]settingRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, settingRow{k, v})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows
}

func (c *Console) listAuthorizers(r *http.Request, v *view, apiID, selected string, d *testData) error {
	var auths struct {
		Item []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"item"`
	}
	if err := v.client.getJSON(r.Context(), "/restapis/"+url.PathEscape(apiID)+"/authorizers?limit=500", &auths); err != nil {
		return err
	}
	for _, a := range auths.Item {
		d.Authorizers = append(d.Authorizers, methodOption{Value: a.ID, Label: a.Name + " (" + a.Type + ")", Selected: a.ID == selected})
	}
	return nil
}

// runAuthorizerTest calls TestInvokeAuthorizer and keeps its answer (or
// error) in d.
func (c *Console) runAuthorizerTest(r *http.Request, v *view, apiID, id string, d *testData) {
	in := map[string]any{}
	if h := parseLines(d.AuthHeaders, ":"); len(h) > 0 {
		in["headers"] = h
	}
	if d.AuthPath != "" {
		in["pathWithQueryString"] = d.AuthPath
	}
	var out authResult
	if err := v.client.sendJSON(r.Context(), http.MethodPost, "/restapis/"+url.PathEscape(apiID)+"/authorizers/"+url.PathEscape(id), in, &out); err != nil {
		d.AuthError = err.Error()
		return
	}
	if pretty := prettyJSON(out.Policy); pretty != "" {
		out.Policy = pretty
	}
	d.AuthResult = &out
	d.AuthClaims = sortedMap(out.Claims)
	ctx := map[string]string{}
	for k, vs := range out.Authorization {
		ctx[k] = strings.Join(vs, ", ")
	}
	d.AuthContext = sortedMap(ctx)
}

// pathMatches reports whether a request path fits a resource path
// template ({param} takes one segment, {proxy+} the rest).
func pathMatches(template, path string) bool {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			return i < len(ps) && ps[i] != ""
		}
		if i >= len(ps) {
			return false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if t != ps[i] {
			return false
		}
	}
	return len(ts) == len(ps)
}
