// Command bench is Tollgate's load-test harness. It starts a small
// backend, nginx as the reference proxy, a plain Go reverse proxy and
// Tollgate configured through its management API, all on loopback inside a
// private network namespace and pinned to one core, drives each with wrk in
// interleaved rounds, and prints requests/s, latency, CPU per request,
// memory and the ratio to nginx measured in the same run.
//
//	go run ./bench -duration 5s -pairs 12
//
// See bench/README.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// config holds the command-line settings.
type config struct {
	duration, warmup time.Duration
	single           time.Duration // the one-connection latency run; 0: none
	pairs            int
	conns, threads   int
	targets          string
	jsonPath         string
	foreign          float64
	retries          int
	maxRoundsPerPair int
	wrkCPU, proxyCPU int
	noPin, noNetns   bool
	keep, verbose    bool
	list             bool
	extraResources   int
	setupWorkers     int
	backendMode      string
	readyTimeout     time.Duration
	tollgateEnv      []string // KEY=VALUE
	maxErrorFraction float64
	profileDir       string // CPU profiles of Tollgate targets' measured runs; "": none
}

func parseFlags() *config {
	c := &config{}
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "length of one measured wrk run")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "length of the unrecorded warm-up run of each target")
	flag.DurationVar(&c.single, "single", 3*time.Second, "after the rounds, measure each target's latency with one connection for this long (0: skip)")
	flag.IntVar(&c.pairs, "pairs", 12, "clean rounds to measure (each round runs every target once; order alternates ABBA)")
	flag.IntVar(&c.conns, "connections", 64, "wrk connections")
	flag.IntVar(&c.threads, "threads", 1, "wrk threads")
	flag.StringVar(&c.targets, "targets", "", "comma-separated targets to measure (default: the default ones; see -list)")
	flag.StringVar(&c.jsonPath, "json", "", "also write the results as JSON to this file")
	flag.Float64Var(&c.foreign, "foreign", 0.15, "discard a run when CPU used outside the measured processes exceeds this many cores")
	flag.IntVar(&c.retries, "retries", 2, "times a run with too much foreign CPU is repeated before its round is discarded")
	flag.IntVar(&c.maxRoundsPerPair, "max-rounds-factor", 3, "give up after pairs×this rounds even if fewer were clean")
	flag.IntVar(&c.wrkCPU, "wrk-cpu", 0, "CPU wrk is pinned to")
	flag.IntVar(&c.proxyCPU, "proxy-cpu", 1, "CPU the proxies and the backend are pinned to")
	flag.BoolVar(&c.noPin, "no-pin", false, "do not pin processes to CPUs")
	flag.BoolVar(&c.noNetns, "no-netns", false, "do not use a private network namespace")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory (configs, logs, access logs)")
	flag.BoolVar(&c.verbose, "v", false, "print every run")
	flag.BoolVar(&c.list, "list", false, "list the targets and exit")
	flag.IntVar(&c.extraResources, "extra-resources", 10000, "literal resources added to the tollgate-proxy-10k API")
	flag.IntVar(&c.setupWorkers, "setup-workers", 8, "parallel management API clients used to create the extra resources")
	flag.StringVar(&c.backendMode, "backend", "raw", "backend implementation: raw (minimal HTTP/1.1, cheapest) or nethttp")
	flag.DurationVar(&c.readyTimeout, "ready-timeout", 15*time.Second, "how long a target may take to answer its first request correctly")
	tollgateEnv := flag.String("tollgate-env", "", "extra environment for Tollgate processes, comma-separated KEY=VALUE (e.g. GOGC=400)")
	flag.StringVar(&c.profileDir, "profile", "", "write a CPU profile of each Tollgate target's last measured run to this directory (Tollgate runs with --pprof; profiling costs a few percent)")
	flag.Float64Var(&c.maxErrorFraction, "max-errors", 0.01, "a target whose runs fail more than this fraction of requests is reported unavailable")
	flag.Parse()
	for _, kv := range strings.Split(*tollgateEnv, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			c.tollgateEnv = append(c.tollgateEnv, kv)
		}
	}
	return c
}

func main() { os.Exit(run()) }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run() int {
	cfg := parseFlags()
	if cfg.list {
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		for _, t := range targets {
			def := ""
			if t.byDefault {
				def = "(default)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", t.name, def, t.desc)
		}
		w.Flush()
		return 0
	}
	sel, err := selectTargets(cfg.targets)
	if err != nil {
		logf("%v", err)
		return 2
	}
	initClock()
	if cfg.noPin || runtime.NumCPU() < 2 {
		if !cfg.noPin {
			logf("warning: fewer than 2 CPUs: not pinning")
		}
		cfg.wrkCPU, cfg.proxyCPU = -1, -1
	}

	if workdir := os.Getenv(envInNetns); workdir != "" {
		// The copy running inside the private network namespace.
		if err := loopbackUp(); err != nil {
			logf("%v", err)
			return 1
		}
		return measure(cfg, sel, workdir, true)
	}

	workdir, err := os.MkdirTemp("", "tollgate-bench-")
	if err != nil {
		logf("%v", err)
		return 1
	}
	if cfg.keep {
		logf("work directory (kept): %s", workdir)
	} else {
		defer os.RemoveAll(workdir)
	}
	if err := prepare(sel, workdir); err != nil {
		logf("%v", err)
		return 1
	}
	if !cfg.noNetns {
		code, err := runInNetns(workdir)
		if err == nil {
			return code
		}
		logf("warning: no private network namespace (%v); measuring on the shared loopback", err)
	}
	return measure(cfg, sel, workdir, false)
}

// prepare installs wrk (and nginx when measured) and builds the Go
// programs, before entering the network namespace, which has no network.
func prepare(sel []target, workdir string) error {
	pkgs := map[string]string{"wrk": "wrk", "taskset": "util-linux", "ip": "iproute2"}
	for _, t := range sel {
		if t.name == "nginx" {
			pkgs["nginx"] = "nginx"
		}
	}
	if err := ensurePackages(pkgs); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	logf("building tollgate, backend and goproxy")
	bin := buildGo(root, filepath.Join(workdir, "bin"))
	bin.Wrk, bin.Nginx = findTool("wrk"), findTool("nginx")
	if bin.Wrk == "" {
		return fmt.Errorf("wrk is not installed")
	}
	for pkg, msg := range bin.BuildErr {
		logf("warning: %s: %s", pkg, msg)
	}
	if bin.Backend == "" {
		return fmt.Errorf("cannot build the backend")
	}
	b, err := json.Marshal(bin)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(workdir, "binaries.json"), b, 0o644)
}

// env is what targets' setups use.
type env struct {
	cfg         *config
	dir         string
	bin         binaries
	backendAddr string
	backendBody []byte
	procs       []*proc
}

func (e *env) start(name string, cpu int, environ []string, args ...string) (*proc, error) {
	p, err := startProc(e.dir, name, cpu, environ, args...)
	if err == nil {
		e.procs = append(e.procs, p)
	}
	return p, err
}

func (e *env) stopAll() {
	for i := len(e.procs) - 1; i >= 0; i-- {
		e.procs[i].stop()
	}
}

// measure runs everything: backend, targets' setups, warm-up, rounds,
// report.
func measure(cfg *config, sel []target, workdir string, netns bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{cfg: cfg, dir: workdir}
	defer e.stopAll()
	b, err := os.ReadFile(filepath.Join(workdir, "binaries.json"))
	if err == nil {
		err = json.Unmarshal(b, &e.bin)
	}
	if err != nil {
		logf("reading prepared binaries: %v", err)
		return 1
	}

	rep := &report{
		Time: time.Now().UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(), Kernel: kernelRelease(),
		Netns: netns, Pinned: cfg.proxyCPU >= 0, WrkCPU: cfg.wrkCPU, ProxyCPU: cfg.proxyCPU,
		Duration: cfg.duration.String(), Warmup: cfg.warmup.String(), Pairs: cfg.pairs,
		Connections: cfg.conns, Threads: cfg.threads, ForeignThreshold: cfg.foreign,
		Backend: cfg.backendMode, ExtraResources: cfg.extraResources, Reference: reference,
	}

	if !netns {
		rep.Warnings = append(rep.Warnings, "not in a private network namespace: other processes on this machine share the loopback")
	}
	if !rep.Pinned {
		rep.Warnings = append(rep.Warnings, "processes not pinned: the figures mix in scheduling across CPUs")
	}

	// The backend, on the proxies' core.
	addr, err := freeAddr()
	if err != nil {
		logf("%v", err)
		return 1
	}
	bp, err := e.start("backend", cfg.proxyCPU, nil, e.bin.Backend, "-addr", addr, "-mode", cfg.backendMode)
	if err == nil {
		err = waitListening(ctx, bp, addr, 10*time.Second)
	}
	if err != nil {
		logf("backend: %v", err)
		return 1
	}
	e.backendAddr = addr
	code, body, err := probe(ctx, "http://"+addr+"/hello", nil)
	if err != nil || code != 200 || len(body) != 100 {
		logf("backend answered %d %q %v; want 200 with 100 bytes", code, body, err)
		return 1
	}
	e.backendBody = body

	// Targets.
	var live []*targetState
	for _, t := range sel {
		st := &targetState{sum: summary{Name: t.name, Description: t.desc}}
		rep.states = append(rep.states, st)
		logf("setting up %s", t.name)
		t0 := time.Now()
		inst, err := t.setup(ctx, e)
		var first time.Duration
		if err == nil {
			first, err = waitReady(ctx, inst.url, inst.headers, e.backendBody, cfg.readyTimeout)
		}
		if err == nil && first > 0 && strings.Contains(t.name, "lambda") {
			inst.notes = append(inst.notes, fmt.Sprintf("first request (a cold start) answered in %.1f ms", float64(first.Microseconds())/1000))
		}
		st.sum.SetupSeconds = time.Since(t0).Seconds()
		if inst != nil {
			st.sum.Notes = append(st.sum.Notes, inst.notes...)
		}
		if err != nil {
			st.sum.Unavailable = err.Error()
			logf("%s unavailable: %v", t.name, err)
			if inst != nil {
				for _, p := range inst.procs {
					p.stop()
				}
			}
			continue
		}
		if inst.idleRSS == 0 {
			inst.idleRSS = instRSS(inst)
		}
		st.inst = inst
		st.sum.URL, st.sum.Headers, st.sum.IdleRSSBytes = inst.url, inst.headers, inst.idleRSS
		logf("%s ready in %.1fs: %s %s", t.name, st.sum.SetupSeconds, inst.url, strings.Join(inst.headers, " "))
		live = append(live, st)
	}
	if ctx.Err() != nil {
		return 130
	}

	h := &harness{cfg: cfg, ctx: ctx, wrk: e.bin.Wrk, backend: bp}
	h.runAll(live, rep)
	if ctx.Err() == nil && cfg.single > 0 {
		h.runSingle(live)
	}
	if ctx.Err() != nil {
		logf("interrupted")
	}
	for _, st := range rep.states {
		if st.inst != nil && st.inst.accessLog != "" {
			st.sum.Notes = append(st.sum.Notes, accessLogSummary(st.inst.accessLog))
		}
		if st.inst != nil && st.inst.sink != nil {
			st.sum.Notes = append(st.sum.Notes, st.inst.sink.summary())
		}
	}
	rep.finish()
	rep.print(os.Stdout)
	if cfg.jsonPath != "" {
		if err := rep.writeJSON(cfg.jsonPath); err != nil {
			logf("writing %s: %v", cfg.jsonPath, err)
			return 1
		}
		logf("wrote %s", cfg.jsonPath)
	}
	if ctx.Err() != nil {
		return 130
	}
	return 0
}

func instRSS(inst *instance) int64 {
	var n int64
	for _, p := range inst.procs {
		n += treeRSS(p.pid())
	}
	return n
}

func kernelRelease() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}
