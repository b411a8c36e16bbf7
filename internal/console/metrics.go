package console

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"

	dto "github.com/prometheus/client_model/go"
)

// Live metrics (view 8): the apigateway_* families of /metrics, per API,
// stage, method and resource. The page's script polls metrics.json and
// turns the counters into per-second rates.

type metricRow struct {
	Key                            string  `json:"key"`
	API                            string  `json:"api"`
	Stage                          string  `json:"stage"`
	Method                         string  `json:"method"`
	Resource                       string  `json:"resource"`
	Count                          float64 `json:"count"`
	Err4                           float64 `json:"4xx"`
	Err5                           float64 `json:"5xx"`
	P50                            float64 `json:"p50"`
	P90                            float64 `json:"p90"`
	P99                            float64 `json:"p99"`
	IntegrationP50, IntegrationP99 float64
}

func (c *Console) readMetrics() ([]metricRow, error) {
	if c.cfg.Metrics == nil {
		return nil, nil
	}
	fams, err := c.cfg.Metrics.Gather()
	if err != nil {
		return nil, err
	}
	rows := map[string]*metricRow{}
	row := func(m *dto.Metric) *metricRow {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		k := l["api"] + "\x00" + l["stage"] + "\x00" + l["method"] + "\x00" + l["resource"]
		r := rows[k]
		if r == nil {
			r = &metricRow{Key: l["api"] + " " + l["stage"] + " " + l["method"] + " " + l["resource"],
				API: l["api"], Stage: l["stage"], Method: l["method"], Resource: l["resource"]}
			rows[k] = r
		}
		return r
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "apigateway_Count":
				row(m).Count = m.GetCounter().GetValue()
			case "apigateway_4XXError":
				row(m).Err4 = m.GetCounter().GetValue()
			case "apigateway_5XXError":
				row(m).Err5 = m.GetCounter().GetValue()
			case "apigateway_Latency":
				r := row(m)
				r.P50, r.P90, r.P99 = quantile(m.GetHistogram(), 0.5), quantile(m.GetHistogram(), 0.9), quantile(m.GetHistogram(), 0.99)
			case "apigateway_IntegrationLatency":
				r := row(m)
				r.IntegrationP50, r.IntegrationP99 = quantile(m.GetHistogram(), 0.5), quantile(m.GetHistogram(), 0.99)
			}
		}
	}
	out := make([]metricRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// quantile estimates a quantile from histogram buckets (linear within the
// bucket, as Prometheus's histogram_quantile does), in the histogram's
// unit (milliseconds); 0 without observations.
func quantile(h *dto.Histogram, q float64) float64 {
	total := float64(h.GetSampleCount())
	if h == nil || total == 0 {
		return 0
	}
	rank := q * total
	var prevBound, prevCount float64
	for _, b := range h.GetBucket() {
		cnt := float64(b.GetCumulativeCount())
		if cnt >= rank {
			ub := b.GetUpperBound()
			if math.IsInf(ub, 1) {
				return prevBound
			}
			if cnt == prevCount {
				return ub
			}
			return math.Round((prevBound+(ub-prevBound)*(rank-prevCount)/(cnt-prevCount))*10) / 10
		}
		prevBound, prevCount = b.GetUpperBound(), cnt
	}
	return prevBound
}

func (c *Console) metricsPage(w http.ResponseWriter, r *http.Request, v *view) {
	rows, err := c.readMetrics()
	if err != nil {
		c.fail(w, r, v, 0, err)
		return
	}
	c.render(w, http.StatusOK, "metrics", page{Title: "Live metrics", Nav: "metrics", SignedIn: true, CSRF: v.CSRF, Data: rows})
}

func (c *Console) metricsJSON(w http.ResponseWriter, r *http.Request, v *view) {
	rows, err := c.readMetrics()
	if err != nil {
		http.Error(w, "metrics unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"rows": rows})
}
