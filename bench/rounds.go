package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tollgate/tollgate/bench/internal/cpuprofile"
)

// targetState is a target during the measurement.
type targetState struct {
	inst *instance // nil: unavailable
	sum  summary
}

// runResult is one measured wrk run of one target.
type runResult struct {
	Round       int     `json:"round"`
	RPS         float64 `json:"rps"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	CPUUsPerReq float64 `json:"cpu_us_per_req"`
	BackendUs   float64 `json:"backend_cpu_us_per_req"`
	// ChildUs is the part of CPUUsPerReq used by the target's child
	// processes (Tollgate's local Lambda functions).
	ChildUs      float64 `json:"child_cpu_us_per_req"`
	WrkUs        float64 `json:"wrk_cpu_us_per_req"`
	ForeignCores float64 `json:"foreign_cores"`
	IRQCores     float64 `json:"irq_cores"`
	// MachineForeignCores is the same from the machine's busy time in
	// /proc/stat instead of processes' times: it also counts interrupt
	// work done on an idle CPU, which the traffic causes but no process is
	// charged for, so it reads higher (by ~0.1–0.2 cores here).
	MachineForeignCores float64 `json:"machine_foreign_cores"`
	// KsoftirqdCores is the ksoftirqd threads' time, counted as the
	// measured traffic's rather than foreign.
	KsoftirqdCores float64 `json:"ksoftirqd_cores"`
	// OtherCores is what the harness's other processes (idle targets, the
	// harness itself) used: it competes with the measured target.
	OtherCores float64 `json:"other_own_cores"`
	RSSBytes   int64   `json:"rss_bytes"`
	Repeats    int     `json:"repeats"` // times it was rerun for foreign CPU
	Clean      bool    `json:"clean"`   // its whole round was under the foreign-CPU threshold
}

type harness struct {
	cfg     *config
	ctx     context.Context
	backend *proc
	wrk     string
}

// runAll warms every target up, then runs rounds until cfg.pairs of them
// were clean (or too many were tried).
func (h *harness) runAll(live []*targetState, rep *report) {
	for _, st := range live {
		if h.ctx.Err() != nil {
			return
		}
		logf("warm-up %s (%v)", st.sum.Name, h.cfg.warmup)
		if _, err := runWrk(h.ctx, wrkArgs(h.wrk, h.cfg.wrkCPU, h.cfg.threads, h.cfg.conns, h.cfg.warmup, st.inst.url, st.inst.headers)); err != nil {
			h.fail(st, fmt.Errorf("warm-up: %w", err))
		}
	}
	maxRounds := h.cfg.pairs * max(h.cfg.maxRoundsPerPair, 1)
	for round := 0; rep.CleanRounds < h.cfg.pairs && round < maxRounds; round++ {
		var active []*targetState
		for _, st := range live {
			if st.inst != nil {
				active = append(active, st)
			}
		}
		if len(active) == 0 || h.ctx.Err() != nil {
			return
		}
		clean := true
		var runs []*runResult
		owner := map[*runResult]*targetState{}
		for _, i := range roundOrder(len(active), round) {
			st := active[i]
			r, err := h.measure(st)
			if err != nil {
				if h.ctx.Err() != nil {
					return
				}
				h.fail(st, err)
				continue
			}
			r.Round = round
			clean = clean && r.ForeignCores <= h.cfg.foreign
			runs = append(runs, r)
			owner[r] = st
		}
		line := fmt.Sprintf("round %d", round+1)
		for _, r := range runs {
			r.Clean = clean
			st := owner[r]
			st.sum.Runs = append(st.sum.Runs, *r)
			line += fmt.Sprintf("  %s %.0f/s", st.sum.Name, r.RPS)
		}
		rep.Rounds++
		if clean {
			rep.CleanRounds++
			logf("%s  [clean %d/%d]", line, rep.CleanRounds, h.cfg.pairs)
		} else {
			rep.DiscardedRounds++
			logf("%s  [discarded: foreign CPU]", line)
		}
	}
}

func (h *harness) fail(st *targetState, err error) {
	logf("%s: %v", st.sum.Name, err)
	st.sum.Unavailable = "failed during measurement: " + err.Error()
	for _, p := range st.inst.procs {
		p.stop()
	}
	st.inst = nil
}

// measure runs wrk against st once, repeating the run (up to cfg.retries
// times) while other processes used more than cfg.foreign cores.
func (h *harness) measure(st *targetState) (*runResult, error) {
	var r *runResult
	var err error
	for attempt := 0; attempt <= h.cfg.retries; attempt++ {
		r, err = h.measureOnce(st)
		if err != nil {
			return nil, err
		}
		r.Repeats = attempt
		if h.cfg.verbose {
			logf("  %s: %.0f req/s p50 %.2fms p99 %.2fms cpu %.1fµs/req backend %.1fµs/req wrk %.1fµs/req foreign %.2f (machine %.2f) irq %.2f ksoftirqd %.2f other-own %.2f cores",
				st.sum.Name, r.RPS, r.P50Ms, r.P99Ms, r.CPUUsPerReq, r.BackendUs, r.WrkUs, r.ForeignCores, r.MachineForeignCores, r.IRQCores, r.KsoftirqdCores, r.OtherCores)
		}
		if r.ForeignCores <= h.cfg.foreign {
			break
		}
		if attempt < h.cfg.retries {
			logf("  %s: %.2f cores of foreign CPU, running again", st.sum.Name, r.ForeignCores)
		}
	}
	return r, nil
}

// measureOnce runs wrk once and accounts for the CPU every process used.
func (h *harness) measureOnce(st *targetState) (*runResult, error) {
	cfg := h.cfg
	args := wrkArgs(h.wrk, cfg.wrkCPU, cfg.threads, cfg.conns, cfg.duration, st.inst.url, st.inst.headers)
	self := os.Getpid()
	before, m0, err := snapshot()
	if err != nil {
		return nil, err
	}
	var profiled chan struct{}
	if st.inst.pprof != "" && cfg.profileDir != "" {
		profiled = make(chan struct{})
		go func() {
			defer close(profiled)
			// All but the run's last half second; the last round's profile
			// replaces earlier ones.
			if err := cpuprofile.Save(h.ctx, st.inst.pprof, cfg.duration-500*time.Millisecond, filepath.Join(cfg.profileDir, st.sum.Name+".pprof")); err != nil {
				logf("%s: %v", st.sum.Name, err)
			}
		}()
	}
	t0 := time.Now()
	res, werr := runWrk(h.ctx, args)
	elapsed := time.Since(t0)
	if profiled != nil {
		<-profiled
	}
	after, m1, err := snapshot()
	if werr != nil {
		return nil, werr
	}
	if err != nil {
		return nil, err
	}
	for _, p := range st.inst.procs {
		if ok, why := p.exited(); ok {
			return nil, fmt.Errorf("%s", why)
		}
	}
	errs := res.Non2xx + res.SocketErr
	if res.Requests == 0 {
		return nil, fmt.Errorf("no request completed: %s", res.Raw)
	}
	if float64(errs) > cfg.maxErrorFraction*float64(res.Requests) {
		return nil, fmt.Errorf("%d of %d requests failed (non-2xx or socket errors)", errs, res.Requests)
	}
	delta := func(pid int) time.Duration { return treeCPU(after, pid) - treeCPU(before, pid) }
	var targetCPU, rootCPU time.Duration
	for _, p := range st.inst.procs {
		targetCPU += delta(p.pid())
		rootCPU += time.Duration(after[p.pid()].Ticks-before[p.pid()].Ticks) * clockTick
	}
	// This process's tree holds every process the harness started,
	// including wrk, whose time was added to ours when it was waited for.
	ours := delta(self)
	softirq := softirqCPU(after) - softirqCPU(before)
	everyone := totalCPU(after) - totalCPU(before)
	busy := time.Duration(m1.Busy-m0.Busy) * clockTick
	irq := time.Duration(m1.IRQ-m0.IRQ) * clockTick
	backendCPU := delta(h.backend.pid())
	perReq := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(res.Requests) }
	cores := func(d time.Duration) float64 { return d.Seconds() / elapsed.Seconds() }
	return &runResult{
		RPS:                 res.RPS,
		P50Ms:               float64(res.P50) / float64(time.Millisecond),
		P99Ms:               float64(res.P99) / float64(time.Millisecond),
		Requests:            res.Requests,
		Errors:              errs,
		CPUUsPerReq:         perReq(targetCPU),
		BackendUs:           perReq(backendCPU),
		ChildUs:             perReq(targetCPU - rootCPU),
		WrkUs:               perReq(res.CPU),
		ForeignCores:        cores(everyone - ours - softirq),
		MachineForeignCores: cores(busy - ours - softirq),
		KsoftirqdCores:      cores(softirq),
		IRQCores:            cores(irq),
		OtherCores:          cores(ours - targetCPU - backendCPU - res.CPU),
		RSSBytes:            instRSS(st.inst),
	}, nil
}

func snapshot() (map[int]procStat, machineCPU, error) {
	m, err := readMachineCPU()
	return readAllProcs(), m, err
}

// runSingle measures each live target's latency with one connection (no
// queueing): what a request costs end to end, and, between targets, what a
// gateway feature adds (tollgate-lambda against tollgate-proxy is the added
// latency of a Lambda invocation whose own work takes microseconds).
func (h *harness) runSingle(live []*targetState) {
	for _, st := range live {
		if st.inst == nil {
			continue
		}
		args := wrkArgs(h.wrk, h.cfg.wrkCPU, 1, 1, h.cfg.single, st.inst.url, st.inst.headers)
		res, err := runWrk(h.ctx, args)
		if err != nil {
			logf("%s: one-connection run: %v", st.sum.Name, err)
			continue
		}
		st.sum.Single = &singleRun{
			RPS:   res.RPS,
			P50Ms: float64(res.P50) / float64(time.Millisecond),
			P99Ms: float64(res.P99) / float64(time.Millisecond),
		}
	}
}
