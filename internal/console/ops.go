package console

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// API keys (view 7).

type apiKeyRow struct {
	ID, Name, Created, Value string
	Enabled                  bool
	Stages                   []string
	Shown                    bool
}

type apiKeysData struct {
	Keys  []apiKeyRow
	Plans []planOption
}

type planOption struct{ ID, Name string }

// apiKeysPage lists the keys; a POST with show=ID reveals that key's
// value (GetApiKey with includeValue), once, in that answer only.
func (c *Console) apiKeysPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	show, notice := "", ""
	if r.Method == http.MethodPost {
		show = r.PostForm.Get("show")
		if name := strings.TrimSpace(r.PostForm.Get("name")); name != "" {
			id, err := createKey(r, v, name, r.PostForm.Get("usagePlanId"))
			if err != nil {
				c.fail(w, r, v, 0, err)
				return
			}
			show, notice = id, "Created API key "+name+"."
		}
	}
	var d apiKeysData
	var plans struct {
		Item []planOption `json:"item"`
	}
	if err := v.client.getJSON(ctx, "/usageplans?limit=500", &plans); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	d.Plans = plans.Item
	pos := ""
	for range 100 {
		var out struct {
			Item []struct {
				ID          string   `json:"id"`
				Name        string   `json:"name"`
				Enabled     bool     `json:"enabled"`
				CreatedDate float64  `json:"createdDate"`
				StageKeys   []string `json:"stageKeys"`
			} `json:"item"`
			Position string `json:"position"`
		}
		q := "/apikeys?limit=500"
		if pos != "" {
			q += "&position=" + url.QueryEscape(pos)
		}
		if err := v.client.getJSON(ctx, q, &out); err != nil {
			c.fail(w, r, v, 0, err)
			return
		}
		for _, k := range out.Item {
			d.Keys = append(d.Keys, apiKeyRow{ID: k.ID, Name: k.Name, Enabled: k.Enabled, Created: epoch(k.CreatedDate), Stages: k.StageKeys})
		}
		if pos = out.Position; pos == "" {
			break
		}
	}
	for i := range d.Keys {
		if d.Keys[i].ID != show {
			continue
		}
		var k struct {
			Value string `json:"value"`
		}
		if err := v.client.getJSON(ctx, "/apikeys/"+url.PathEscape(show)+"?includeValue=true", &k); err != nil {
			c.fail(w, r, v, 0, err)
			return
		}
		d.Keys[i].Value, d.Keys[i].Shown = k.Value, true
	}
	c.render(w, http.StatusOK, "apikeys", page{Title: "API keys", Nav: "apikeys", SignedIn: true, CSRF: v.CSRF, Notice: notice, Data: d})
}

// createKey creates an enabled API key (CreateApiKey) and, when plan is
// set, adds it to that usage plan (CreateUsagePlanKey).
func createKey(r *http.Request, v *view, name, plan string) (string, error) {
	var key struct {
		ID string `json:"id"`
	}
	if err := v.client.sendJSON(r.Context(), http.MethodPost, "/apikeys", map[string]any{"name": name, "enabled": true}, &key); err != nil {
		return "", err
	}
	if plan != "" {
		if err := v.client.sendJSON(r.Context(), http.MethodPost, "/usageplans/"+url.PathEscape(plan)+"/keys",
			map[string]string{"keyId": key.ID, "keyType": "API_KEY"}, nil); err != nil {
			return key.ID, err
		}
	}
	return key.ID, nil
}

// Usage plans with usage charts (GetUsage).

type bar struct {
	Date        string
	Used        int64
	X, Y, H     int
	Remaining   int64
	HasQuota    bool
	LabelX      int
	ShowLabel   bool
	Description string
}

type keyUsage struct {
	KeyID, KeyName string
	Total          int64
	Bars           []bar
	Width          int
}

type planRow struct {
	ID, Name, Throttle, Quota string
	Stages                    []string
	Usage                     []keyUsage
}

type plansData struct {
	Start, End string
	Plans      []planRow
}

// Chart geometry (SVG user units).
const (
	chartHeight = 120
	barWidth    = 22
	barGap      = 6
)

func (c *Console) usagePlansPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	now := time.Now().UTC()
	end, start := now.Format("2006-01-02"), now.AddDate(0, 0, -6).Format("2006-01-02")
	if q := r.URL.Query(); q.Get("start") != "" && q.Get("end") != "" {
		start, end = q.Get("start"), q.Get("end")
	}
	d := plansData{Start: start, End: end}
	var plans struct {
		Item []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Throttle *struct {
				Burst int     `json:"burstLimit"`
				Rate  float64 `json:"rateLimit"`
			} `json:"throttle"`
			Quota *struct {
				Limit  int64  `json:"limit"`
				Period string `json:"period"`
			} `json:"quota"`
			APIStages []struct {
				APIID string `json:"apiId"`
				Stage string `json:"stage"`
			} `json:"apiStages"`
		} `json:"item"`
	}
	if err := v.client.getJSON(ctx, "/usageplans?limit=500", &plans); err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	keyNames := map[string]string{}
	for _, p := range plans.Item {
		row := planRow{ID: p.ID, Name: p.Name, Throttle: "none", Quota: "none"}
		if p.Throttle != nil {
			row.Throttle = fmt.Sprintf("%g requests/s, burst %d", p.Throttle.Rate, p.Throttle.Burst)
		}
		if p.Quota != nil {
			row.Quota = fmt.Sprintf("%d per %s", p.Quota.Limit, strings.ToLower(p.Quota.Period))
		}
		for _, s := range p.APIStages {
			row.Stages = append(row.Stages, s.APIID+"/"+s.Stage)
		}
		var keys struct {
			Item []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"item"`
		}
		if err := v.client.getJSON(ctx, "/usageplans/"+url.PathEscape(p.ID)+"/keys?limit=500", &keys); err == nil {
			for _, k := range keys.Item {
				keyNames[k.ID] = k.Name
			}
		}
		var usage struct {
			StartDate string                `json:"startDate"`
			Items     map[string][][2]int64 `json:"values"`
		}
		err := v.client.getJSON(ctx, "/usageplans/"+url.PathEscape(p.ID)+"/usage?startDate="+url.QueryEscape(start)+"&endDate="+url.QueryEscape(end)+"&limit=500", &usage)
		if err != nil {
			c.fail(w, r, v, 0, err)
			return
		}
		row.Usage = usageCharts(usage.Items, start, keyNames, p.Quota != nil)
		d.Plans = append(d.Plans, row)
	}
	c.render(w, http.StatusOK, "usageplans", page{Title: "Usage plans", Nav: "usageplans", SignedIn: true, CSRF: v.CSRF, Data: d})
}

// usageCharts lays out one bar chart per key: a bar per day from start,
// heights relative to the busiest day of all keys.
func usageCharts(items map[string][][2]int64, start string, names map[string]string, quota bool) []keyUsage {
	day0, err := time.Parse("2006-01-02", start)
	if err != nil {
		day0 = time.Now().UTC()
	}
	var most int64 = 1
	for _, days := range items {
		for _, x := range days {
			most = max(most, x[0])
		}
	}
	out := make([]keyUsage, 0, len(items))
	for id, days := range items {
		k := keyUsage{KeyID: id, KeyName: names[id], Width: len(days)*(barWidth+barGap) + barGap}
		for i, x := range days {
			h := int(x[0] * (chartHeight - 34) / most)
			if x[0] > 0 && h < 2 {
				h = 2
			}
			date := day0.AddDate(0, 0, i).Format("2006-01-02")
			desc := fmt.Sprintf("%s: %d requests", date, x[0])
			if quota {
				desc += fmt.Sprintf(", %d remaining", x[1])
			}
			k.Bars = append(k.Bars, bar{Date: date, Used: x[0], Remaining: x[1], HasQuota: quota, X: barGap + i*(barWidth+barGap),
				Y: chartHeight - 16 - h, H: h, LabelX: barGap + i*(barWidth+barGap) + barWidth/2, ShowLabel: true, Description: desc})
			k.Total += x[0]
		}
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].KeyID < out[j].KeyID })
	return out
}
