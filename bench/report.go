package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// summary is one target's result: medians over the clean rounds.
type summary struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	URL         string   `json:"url,omitempty"`
	Headers     []string `json:"headers,omitempty"`
	Unavailable string   `json:"unavailable,omitempty"`
	// Rounds is how many runs the figures are medians of.
	Rounds       int     `json:"rounds"`
	RPS          float64 `json:"rps"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	CPUUsPerReq  float64 `json:"cpu_us_per_req"`
	BackendUs    float64 `json:"backend_cpu_us_per_req"`
	ChildUs      float64 `json:"child_cpu_us_per_req"`
	IdleRSSBytes int64   `json:"idle_rss_bytes"`
	LoadRSSBytes int64   `json:"load_rss_bytes"` // largest seen after a run
	Errors       int64   `json:"errors"`
	// Median, first and third quartile of the per-round ratio of this
	// target's requests/s to the reference's in the same round; and the
	// median per-round ratio of p99 latencies. Absent without a reference.
	Ratio        *float64 `json:"ratio_to_reference,omitempty"`
	RatioQ1      *float64 `json:"ratio_q1,omitempty"`
	RatioQ3      *float64 `json:"ratio_q3,omitempty"`
	P99Ratio     *float64 `json:"p99_ratio_to_reference,omitempty"`
	SetupSeconds float64  `json:"setup_seconds"`
	// Single is the one-connection run after the rounds (-single).
	Single *singleRun  `json:"single_connection,omitempty"`
	Notes  []string    `json:"notes,omitempty"`
	Runs   []runResult `json:"runs,omitempty"`
}

// singleRun is a target's latency with one connection.
type singleRun struct {
	RPS   float64 `json:"rps"`
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
}

// report is the whole result, as printed and as written to -json.
type report struct {
	Time             string    `json:"time"`
	CPUs             int       `json:"cpus"`
	Kernel           string    `json:"kernel"`
	Netns            bool      `json:"private_netns"`
	Pinned           bool      `json:"pinned"`
	WrkCPU           int       `json:"wrk_cpu"`
	ProxyCPU         int       `json:"proxy_cpu"`
	Duration         string    `json:"duration"`
	Warmup           string    `json:"warmup"`
	Pairs            int       `json:"pairs"`
	Connections      int       `json:"connections"`
	Threads          int       `json:"threads"`
	ForeignThreshold float64   `json:"foreign_threshold_cores"`
	Backend          string    `json:"backend"`
	ExtraResources   int       `json:"extra_resources"`
	Reference        string    `json:"reference"`
	Rounds           int       `json:"rounds"`
	CleanRounds      int       `json:"clean_rounds"`
	DiscardedRounds  int       `json:"discarded_rounds"`
	Warnings         []string  `json:"warnings,omitempty"`
	Targets          []summary `json:"targets"`

	states []*targetState
}

// finish computes every target's summary from its runs.
func (rep *report) finish() {
	if rep.Rounds > 0 && rep.CleanRounds == 0 {
		rep.Warnings = append(rep.Warnings, "no round was clean (foreign CPU above the threshold in each): figures use every round and are unreliable")
	} else if rep.CleanRounds < rep.Pairs && rep.Rounds > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("only %d of the %d rounds asked for were clean", rep.CleanRounds, rep.Pairs))
	}
	var ref *summary
	for _, st := range rep.states {
		if st.sum.Name == rep.Reference && st.sum.Unavailable == "" {
			ref = &st.sum
		}
	}
	refUsed := map[int]runResult{}
	if ref != nil {
		for _, r := range usedRuns(ref.Runs, rep.CleanRounds > 0) {
			refUsed[r.Round] = r
		}
	}
	rep.Targets = rep.Targets[:0]
	for _, st := range rep.states {
		s := &st.sum
		used := usedRuns(s.Runs, rep.CleanRounds > 0)
		s.Rounds = len(used)
		if len(used) > 0 {
			col := func(f func(runResult) float64) float64 {
				xs := make([]float64, len(used))
				for i, r := range used {
					xs[i] = f(r)
				}
				return median(xs)
			}
			s.RPS = col(func(r runResult) float64 { return r.RPS })
			s.P50Ms = col(func(r runResult) float64 { return r.P50Ms })
			s.P99Ms = col(func(r runResult) float64 { return r.P99Ms })
			s.CPUUsPerReq = col(func(r runResult) float64 { return r.CPUUsPerReq })
			s.BackendUs = col(func(r runResult) float64 { return r.BackendUs })
			s.ChildUs = col(func(r runResult) float64 { return r.ChildUs })
		}
		for _, r := range s.Runs {
			s.LoadRSSBytes = max(s.LoadRSSBytes, r.RSSBytes)
			s.Errors += r.Errors
		}
		if ref != nil && len(used) > 0 {
			var a, b, ap, bp []float64
			for _, r := range used {
				if rr, ok := refUsed[r.Round]; ok {
					a, b = append(a, r.RPS), append(b, rr.RPS)
					ap, bp = append(ap, r.P99Ms), append(bp, rr.P99Ms)
				}
			}
			if ratios := pairedRatios(a, b); len(ratios) > 0 {
				m, q1, q3 := median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75)
				s.Ratio, s.RatioQ1, s.RatioQ3 = &m, &q1, &q3
			}
			if ratios := pairedRatios(ap, bp); len(ratios) > 0 {
				m := median(ratios)
				s.P99Ratio = &m
			}
		}
		rep.Targets = append(rep.Targets, *s)
	}
}

// usedRuns are the runs the figures come from: the clean ones, or every
// one when no round was clean.
func usedRuns(runs []runResult, cleanOnly bool) []runResult {
	if !cleanOnly {
		return runs
	}
	var out []runResult
	for _, r := range runs {
		if r.Clean {
			out = append(out, r)
		}
	}
	return out
}

func mb(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(n)/(1<<20))
}

func fmtRatio(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *p)
}

// print writes the table, then notes and warnings.
func (rep *report) print(out io.Writer) {
	fmt.Fprintf(out, "\n%d connections, %d wrk thread(s), %s runs, %d clean of %d rounds (%d discarded for foreign CPU > %.2f cores); private netns: %v; pinned: %v\n\n",
		rep.Connections, rep.Threads, rep.Duration, rep.CleanRounds, rep.Rounds, rep.DiscardedRounds, rep.ForeignThreshold, rep.Netns, rep.Pinned)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "target\treq/s\tp50 ms\tp99 ms\tCPU µs/req\tRSS idle MB\tRSS load MB\t× %s\t(IQR)\tp99 × %s\truns\t\n", rep.Reference, rep.Reference)
	var unavailable []string
	for _, s := range rep.Targets {
		if s.Unavailable != "" && s.Rounds == 0 {
			fmt.Fprintf(w, "%s\tunavailable\t\t\t\t\t\t\t\t\t\t\n", s.Name)
			unavailable = append(unavailable, fmt.Sprintf("%s unavailable: %s", s.Name, s.Unavailable))
			continue
		}
		iqr := "-"
		if s.RatioQ1 != nil {
			iqr = fmt.Sprintf("%.2f–%.2f", *s.RatioQ1, *s.RatioQ3)
		}
		fmt.Fprintf(w, "%s\t%.0f\t%.2f\t%.2f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\t\n",
			s.Name, s.RPS, s.P50Ms, s.P99Ms, s.CPUUsPerReq, mb(s.IdleRSSBytes), mb(s.LoadRSSBytes),
			fmtRatio(s.Ratio), iqr, fmtRatio(s.P99Ratio), s.Rounds)
		if s.Unavailable != "" {
			unavailable = append(unavailable, fmt.Sprintf("%s: %s", s.Name, s.Unavailable))
		}
	}
	w.Flush()
	fmt.Fprintln(out)
	for _, u := range unavailable {
		fmt.Fprintln(out, u)
	}
	var backend []string
	for _, s := range rep.Targets {
		if s.Rounds > 0 {
			backend = append(backend, fmt.Sprintf("%s %.1f", s.Name, s.BackendUs))
		}
	}
	if len(backend) > 0 {
		fmt.Fprintf(out, "backend (%s) CPU µs/req while driving: %s\n", rep.Backend, strings.Join(backend, ", "))
	}
	var single []string
	for _, s := range rep.Targets {
		if s.Single != nil {
			single = append(single, fmt.Sprintf("%s %.3f/%.3f", s.Name, s.Single.P50Ms, s.Single.P99Ms))
		}
	}
	if len(single) > 0 {
		fmt.Fprintf(out, "one connection, p50/p99 ms: %s\n", strings.Join(single, ", "))
	}
	var children []string
	for _, s := range rep.Targets {
		if s.Rounds > 0 && s.ChildUs > 0 && strings.HasPrefix(s.Name, "tollgate") { // nginx's are its workers
			children = append(children, fmt.Sprintf("%s %.1f of %.1f", s.Name, s.ChildUs, s.CPUUsPerReq))
		}
	}
	if len(children) > 0 {
		fmt.Fprintf(out, "child processes' (Lambda functions') part of CPU µs/req: %s\n", strings.Join(children, ", "))
	}
	for _, s := range rep.Targets {
		for _, n := range s.Notes {
			fmt.Fprintf(out, "%s: %s\n", s.Name, n)
		}
	}
	for _, wmsg := range rep.Warnings {
		fmt.Fprintf(out, "WARNING: %s\n", wmsg)
	}
}

func (rep *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
