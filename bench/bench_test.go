package main

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	b, err := os.ReadFile("testdata/wrk-ok.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseWrk(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if r.RPS != 34473.46 || r.Requests != 37839 || r.Duration != 1100*time.Millisecond {
		t.Errorf("rps %v requests %d duration %v", r.RPS, r.Requests, r.Duration)
	}
	if r.P50 != 141*time.Microsecond || r.P99 != 2020*time.Microsecond {
		t.Errorf("p50 %v p99 %v", r.P50, r.P99)
	}
	if r.Non2xx != 0 || r.SocketErr != 0 {
		t.Errorf("errors %d %d", r.Non2xx, r.SocketErr)
	}
}

func TestParseWrkErrors(t *testing.T) {
	b, err := os.ReadFile("testdata/wrk-errors.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseWrk(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if r.Non2xx != 6012 || r.SocketErr != 16 {
		t.Errorf("non2xx %d socket errors %d", r.Non2xx, r.SocketErr)
	}
	if r.P50 != 1500*time.Millisecond || r.P99 != 1990*time.Millisecond || r.RPS != 1200 {
		t.Errorf("p50 %v p99 %v rps %v", r.P50, r.P99, r.RPS)
	}
}

func TestParseWrkRejects(t *testing.T) {
	for name, out := range map[string]string{
		"connect failure": "unable to connect to 127.0.0.1:18089 Connection refused\n",
		"no --latency":    "  100 requests in 1.00s, 1.00KB read\nRequests/sec:    100.00\n",
		"bad unit":        "     50%    1.50x\n     99%    2.00s\n  100 requests in 1.00s, 1KB read\nRequests/sec: 100.0\n",
	} {
		if _, err := parseWrk(out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"812.00us": 812 * time.Microsecond,
		"1.23ms":   1230 * time.Microsecond,
		"2.00s":    2 * time.Second,
		"1.50m":    90 * time.Second,
		"1.00h":    time.Hour,
	} {
		got, err := parseWrkDuration(in)
		if err != nil || (got-want).Abs() > time.Microsecond {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ms", "1.0", "x1s"} {
		if _, err := parseWrkDuration(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestWrkArgs(t *testing.T) {
	got := wrkArgs("/usr/bin/wrk", 0, 1, 64, 5*time.Second, "http://127.0.0.1:1/bench/hello", []string{"Host: a.execute-api.localhost"})
	want := []string{"taskset", "-c", "0", "/usr/bin/wrk", "-t", "1", "-c", "64", "-d", "5s", "--latency", "--timeout", "5s",
		"-H", "Host: a.execute-api.localhost", "http://127.0.0.1:1/bench/hello"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := wrkArgs("wrk", -1, 2, 8, time.Second, "u", nil); got[0] != "wrk" {
		t.Errorf("unpinned: %q", got)
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and a ')' inside.
	line := "4242 (we ird) (name) S 17 4242 4242 0 -1 4194560 1000 0 0 0 250 125 30 20 20 0 3 0 100 1000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	ps, err := parseProcStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if ps.PID != 4242 || ps.PPID != 17 || ps.Ticks != 250+125+30+20 || ps.Comm != "we ird) (name" {
		t.Errorf("%+v", ps)
	}
	if _, err := parseProcStat("12 (x) S 1 2"); err == nil {
		t.Error("short line accepted")
	}
	if _, err := parseProcStat("garbage"); err == nil {
		t.Error("garbage accepted")
	}
	// This process's own line parses.
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatalf("the harness needs /proc (Linux): %v", err)
	}
	if ps, err := parseProcStat(string(b)); err != nil || ps.PID <= 0 {
		t.Errorf("/proc/self/stat: %+v %v", ps, err)
	}
}

func TestTreeCPU(t *testing.T) {
	procs := map[int]procStat{
		1:  {PID: 1, PPID: 0, Ticks: 1000},
		10: {PID: 10, PPID: 1, Ticks: 5},   // root of the tree
		11: {PID: 11, PPID: 10, Ticks: 7},  // child
		12: {PID: 12, PPID: 11, Ticks: 11}, // grandchild
		20: {PID: 20, PPID: 1, Ticks: 100}, // elsewhere
	}
	if got := treeCPU(procs, 10); got != 23*clockTick {
		t.Errorf("tree of 10: %v", got)
	}
	if got := treeCPU(procs, 99); got != 0 {
		t.Errorf("missing root: %v", got)
	}
	d := descendants(procs, 10)
	slices.Sort(d)
	if !slices.Equal(d, []int{10, 11, 12}) {
		t.Errorf("descendants %v", d)
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tnginx\nVmPeak:\t   20000 kB\nVmRSS:\t   13312 kB\nRssAnon:\t 1000 kB\n"
	if n, err := parseVmRSS(status); err != nil || n != 13312*1024 {
		t.Errorf("%d %v", n, err)
	}
	if _, err := parseVmRSS("Name:\tkthread\n"); err == nil {
		t.Error("no VmRSS accepted")
	}
}

func TestParseMachineCPU(t *testing.T) {
	stat := "cpu  178506 10 60998 227230 2335 7 1848 3 100 0\ncpu0 85527 0 29412 119120 373 0 693 0 0 0\n"
	m, err := parseMachineCPU([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if m.Busy != 178506+10+60998+7+1848+3 || m.IRQ != 7+1848 || m.Total != 178506+10+60998+227230+2335+7+1848+3 {
		t.Errorf("%+v", m)
	}
	if _, err := parseMachineCPU([]byte("cpu0 1 2 3\n")); err == nil {
		t.Error("bad line accepted")
	}
}

func TestQuantileMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("odd median %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("even median %v", got)
	}
	xs := []float64{5, 1, 4, 2, 3}
	if q1, q3 := quantile(xs, 0.25), quantile(xs, 0.75); q1 != 2 || q3 != 4 {
		t.Errorf("quartiles %v %v", q1, q3)
	}
	if !slices.Equal(xs, []float64{5, 1, 4, 2, 3}) {
		t.Error("quantile sorted its input")
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing")
	}
}

func TestPairedRatios(t *testing.T) {
	// The median of paired ratios is not the ratio of medians: a slow
	// round slows both targets and cancels out.
	target := []float64{30, 10, 33, 29}
	ref := []float64{100, 33, 100, 0}
	got := pairedRatios(target, ref)
	if len(got) != 3 {
		t.Fatalf("%v: a zero reference must be skipped", got)
	}
	if m := median(got); math.Abs(m-0.30303) > 1e-3 {
		t.Errorf("median ratio %v", m)
	}
}

func TestRoundOrderABBA(t *testing.T) {
	if got := roundOrder(3, 0); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("round 0: %v", got)
	}
	if got := roundOrder(3, 1); !slices.Equal(got, []int{2, 1, 0}) {
		t.Errorf("round 1: %v", got)
	}
	// Two targets: A B, B A, A B, …
	var seq []int
	for r := range 4 {
		seq = append(seq, roundOrder(2, r)...)
	}
	if !slices.Equal(seq, []int{0, 1, 1, 0, 0, 1, 1, 0}) {
		t.Errorf("ABBA: %v", seq)
	}
}

func TestReportRatios(t *testing.T) {
	mk := func(round int, rps, p99 float64, clean bool) runResult {
		return runResult{Round: round, RPS: rps, P99Ms: p99, Clean: clean}
	}
	ref := &targetState{sum: summary{Name: "nginx", Runs: []runResult{
		mk(0, 100, 2, true), mk(1, 50, 4, true), mk(2, 100, 2, false), mk(3, 90, 2, true)}}}
	tg := &targetState{sum: summary{Name: "x", Runs: []runResult{
		mk(0, 30, 4, true), mk(1, 16, 8, true), mk(2, 99, 1, false), mk(3, 27, 6, true)}}}
	gone := &targetState{sum: summary{Name: "tollgate-proxy", Unavailable: "readiness check failed"}}
	rep := &report{Reference: "nginx", Pairs: 3, Rounds: 4, CleanRounds: 3, states: []*targetState{ref, tg, gone}}
	rep.finish()
	x := rep.Targets[1]
	if x.Rounds != 3 || x.Ratio == nil || math.Abs(*x.Ratio-0.30) > 1e-9 {
		t.Fatalf("ratio %+v", x)
	}
	if x.P99Ratio == nil || *x.P99Ratio != 2 {
		t.Errorf("p99 ratio %v", *x.P99Ratio)
	}
	if x.RPS != 27 {
		t.Errorf("median rps %v", x.RPS)
	}
	if r := rep.Targets[0].Ratio; r == nil || *r != 1 {
		t.Errorf("reference ratio %v", r)
	}
	if rep.Targets[2].Ratio != nil || rep.Targets[2].Rounds != 0 {
		t.Errorf("unavailable target: %+v", rep.Targets[2])
	}
	var sb strings.Builder
	rep.print(&sb)
	if !strings.Contains(sb.String(), "tollgate-proxy unavailable: readiness check failed") {
		t.Errorf("table:\n%s", sb.String())
	}
}

func TestSelectTargets(t *testing.T) {
	sel, err := selectTargets("tollgate-proxy, nginx")
	if err != nil || len(sel) != 2 || sel[0].name != "nginx" || sel[1].name != "tollgate-proxy" {
		t.Errorf("%v %v", sel, err)
	}
	if _, err := selectTargets("nginx,nope"); err == nil {
		t.Error("unknown target accepted")
	}
	def, _ := selectTargets("")
	for _, tg := range def {
		if tg.name == "tollgate-proxy-path" {
			t.Error("path-style target is opt-in")
		}
	}
}

func TestSoftirqCPU(t *testing.T) {
	procs := map[int]procStat{
		14: {PID: 14, Comm: "ksoftirqd/0", Ticks: 3},
		22: {PID: 22, Comm: "ksoftirqd/1", Ticks: 4},
		30: {PID: 30, Comm: "nginx", Ticks: 100},
	}
	if got := softirqCPU(procs); got != 7*clockTick {
		t.Errorf("%v", got)
	}
}
