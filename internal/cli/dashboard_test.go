package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway/observe"
)

// recorder is a Registerer that keeps the names of what is registered.
type recorder struct{ names map[string]bool }

var fqNameRE = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *recorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		if m := fqNameRE.FindStringSubmatch(d.String()); m != nil {
			r.names[m[1]] = true
		}
	}
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recorder) Unregister(prometheus.Collector) bool { return false }

// has reports whether a name a query uses is exported: a metric, or a
// histogram's _bucket, _sum or _count series.
func (r *recorder) has(name string) bool {
	if r.names[name] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && r.names[base] {
			return true
		}
	}
	return false
}

var metricRE = regexp.MustCompile(`\b(?:apigateway|tollgate)_[A-Za-z0-9_]+`)

// TestDashboardMetricsExist: every metric the Grafana dashboard shipped in
// deploy/grafana queries (panel targets and template variables) is one
// `tollgate serve` registers, with the same registrations Serve makes.
func TestDashboardMetricsExist(t *testing.T) {
	reg := &recorder{names: map[string]bool{}}
	observe.NewMetrics(reg)
	registerObserveMetrics(reg, nil, nil)
	newMgmtMetrics(reg)
	registerGatewayMetrics(reg, nil, nil)

	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "tollgate.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name       string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	seen := 0
	for _, e := range exprs {
		for _, name := range metricRE.FindAllString(e, -1) {
			seen++
			if !reg.has(name) {
				t.Errorf("the dashboard queries %s, which Tollgate does not export (%s)", name, e)
			}
		}
	}
	if seen < 20 {
		t.Errorf("only %d metric references found in the dashboard", seen)
	}
	// And the other way round: each data-plane family is on the dashboard.
	for name := range reg.names {
		if !strings.HasPrefix(name, "apigateway_") && !strings.HasPrefix(name, "tollgate_") {
			continue
		}
		used := false
		for _, e := range exprs {
			for _, n := range metricRE.FindAllString(e, -1) {
				if n == name || strings.HasPrefix(n, name+"_") {
					used = true
				}
			}
		}
		if !used {
			t.Errorf("%s is exported but not on the dashboard", name)
		}
	}
}
