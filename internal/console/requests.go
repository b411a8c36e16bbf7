package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Recent requests (view 9): the tail of the access logs, read from the
// CloudWatch Logs stand-in (FilterLogEvents) where stages send them.

type requestRow struct {
	Time, RequestID, Method, Path, Status, Latency, SourceIP, APIKeyID, Raw string
	// Replay opens the request in the Test page (REST stages).
	Replay string
}

type requestsData struct {
	Groups               []string
	Group                string
	Pattern, Status, Sub string
	Rows                 []requestRow
	Window               string
}

// maxRecent bounds the rows shown; maxPages the FilterLogEvents pages read.
const (
	maxRecent = 200
	maxPages  = 20
)

func (c *Console) requestsPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	q := r.URL.Query()
	d := requestsData{Group: q.Get("group"), Pattern: q.Get("pattern"), Status: q.Get("status"), Sub: q.Get("path"), Window: "the last hour"}
	var groups struct {
		LogGroups []struct {
			Name string `json:"logGroupName"`
		} `json:"logGroups"`
	}
	if err := v.client.logs(ctx, "DescribeLogGroups", map[string]any{"limit": 50}, &groups); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	for _, g := range groups.LogGroups {
		// Execution logs and function output are not access logs.
		if strings.HasPrefix(g.Name, "API-Gateway-Execution-Logs_") || strings.HasPrefix(g.Name, "/aws/lambda/") {
			continue
		}
		d.Groups = append(d.Groups, g.Name)
	}
	if d.Group == "" && len(d.Groups) > 0 {
		d.Group = d.Groups[0]
	}
	apiID, stage := c.stageOfGroup(r, v, d.Group)
	if d.Group != "" {
		start := time.Now().Add(-time.Hour).UnixMilli()
		in := map[string]any{"logGroupName": d.Group, "startTime": start, "limit": 1000}
		if d.Pattern != "" {
			in["filterPattern"] = d.Pattern
		}
		var events []struct {
			Timestamp int64  `json:"timestamp"`
			Message   string `json:"message"`
		}
		for range maxPages {
			var out struct {
				Events []struct {
					Timestamp int64  `json:"timestamp"`
					Message   string `json:"message"`
				} `json:"events"`
				NextToken string `json:"nextToken"`
			}
			if err := v.client.logs(ctx, "FilterLogEvents", in, &out); err != nil {
				c.fail(w, r, v, 0, err)
				return
			}
			events = append(events, out.Events...)
			if out.NextToken == "" {
				break
			}
			in["nextToken"] = out.NextToken
		}
		sort.SliceStable(events, func(i, j int) bool { return events[i].Timestamp > events[j].Timestamp })
		for _, e := range events {
			row := parseAccessLine(e.Timestamp, e.Message)
			if apiID != "" && row.Method != "" && row.Path != "" {
				p := strings.TrimPrefix(row.Path, "/"+stage)
				if p == "" || p[0] != '/' {
					p = "/" + p
				}
				row.Replay = Prefix + "apis/" + url.PathEscape(apiID) + "/test?" + url.Values{"verb": {row.Method}, "path": {p}}.Encode()
			}
			if d.Status != "" && !strings.HasPrefix(row.Status, strings.TrimSuffix(strings.ToLower(d.Status), "xx")) {
				continue
			}
			if d.Sub != "" && !strings.Contains(row.Path, d.Sub) {
				continue
			}
			d.Rows = append(d.Rows, row)
			if len(d.Rows) == maxRecent {
				break
			}
		}
	}
	c.render(w, http.StatusOK, "requests", page{Title: "Recent requests", Nav: "requests", SignedIn: true, CSRF: v.CSRF, Data: d})
}

// stageOfGroup finds the REST stage whose access logs go to group.
func (c *Console) stageOfGroup(r *http.Request, v *view, group string) (apiID, stage string) {
	if group == "" {
		return "", ""
	}
	var apis struct {
		Item []restAPI `json:"item"`
	}
	if v.client.getJSON(r.Context(), "/restapis?limit=500", &apis) != nil {
		return "", ""
	}
	for _, a := range apis.Item {
		var st struct {
			Item []restStage `json:"item"`
		}
		if v.client.getJSON(r.Context(), "/restapis/"+url.PathEscape(a.ID)+"/stages", &st) != nil {
			continue
		}
		for _, s := range st.Item {
			if s.AccessLogSettings != nil && strings.HasSuffix(strings.TrimSuffix(s.AccessLogSettings.DestinationARN, ":*"), ":log-group:"+group) {
				return a.ID, s.StageName
			}
		}
	}
	return "", ""
}

// parseAccessLine reads the usual $context fields of a JSON access-log
// line; other formats are shown raw.
func parseAccessLine(ts int64, msg string) requestRow {
	row := requestRow{Time: time.UnixMilli(ts).UTC().Format("2006-01-02 15:04:05"), Raw: msg}
	var m map[string]any
	if json.Unmarshal([]byte(msg), &m) != nil {
		return row
	}
	get := func(keys ...string) string {
		for _, k := range keys {
			switch x := m[k].(type) {
			case string:
				if x != "" && x != "-" {
					return x
				}
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64)
			}
		}
		return ""
	}
	row.RequestID = get("requestId", "requestid")
	row.Method = get("httpMethod", "httpmethod", "method")
	row.Path = get("path", "resourcePath", "routeKey", "resource")
	row.Status = get("status", "statusCode")
	row.Latency = get("responseLatency", "responseLatencyMs", "latency", "integrationLatency")
	row.SourceIP = get("ip", "sourceIp", "identity.sourceIp")
	row.APIKeyID = get("apiKeyId", "identity.apiKeyId")
	return row
}
