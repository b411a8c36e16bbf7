// Command wsbench measures Tollgate's WebSocket data plane (bench/README.md,
// "WebSocket"): the memory an idle connection costs, round trips through a
// two-way MOCK route against a bare WebSocket echo server on the same
// engine (bench/wsecho), and one message posted through @connections to
// many connections. Tollgate and the echo server run pinned to one CPU,
// the harness (the clients) to the other, as bench does.
//
//	go run ./bench/wsbench                          # all three, short
//	go run ./bench/wsbench -idle 10000 -pairs 6 -duration 5s -broadcast 1000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate/bench/internal/cpuprofile"
)

type config struct {
	idle, broadcast, conns, pairs int
	duration                      time.Duration
	keep                          bool
	profile                       string
}

func main() {
	cfg := &config{}
	flag.IntVar(&cfg.idle, "idle", 10000, "idle connections whose memory is measured (0: skip)")
	flag.IntVar(&cfg.conns, "connections", 64, "client connections of the echo runs")
	flag.IntVar(&cfg.pairs, "pairs", 3, "echo rounds (each runs both servers, in ABBA order; 0: skip)")
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "length of one echo run")
	flag.IntVar(&cfg.broadcast, "broadcast", 1000, "connections a message is posted to through @connections (0: skip)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory")
	flag.StringVar(&cfg.profile, "profile", "", "write a CPU profile of Tollgate during its first echo run to this file")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "wsbench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "wsbench: "+format+"\n", args...) }

func run(cfg *config) error {
	if os.Getenv("WSBENCH_PINNED") == "" && runtime.NumCPU() >= 2 {
		// Re-run pinned to CPU 0; the servers go to CPU 1.
		if tsk, err := exec.LookPath("taskset"); err == nil {
			cmd := exec.Command(tsk, append([]string{"-c", "0", os.Args[0]}, os.Args[1:]...)...)
			cmd.Env = append(os.Environ(), "WSBENCH_PINNED=1")
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd.Run()
		}
		logf("warning: taskset not found: not pinning")
	}
	dir, err := os.MkdirTemp("", "tollgate-wsbench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		logf("work directory (kept): %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	logf("building tollgate and wsecho")
	for _, pkg := range []string{"./cmd/tollgate", "./bench/wsecho"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, filepath.Base(pkg)), pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	ctx := context.Background()
	tg, err := startTollgate(ctx, dir, cfg.profile != "")
	if err != nil {
		return err
	}
	defer tg.stop()
	echo, err := startEcho(dir)
	if err != nil {
		return err
	}
	defer echo.stop()

	if cfg.idle > 0 {
		for _, s := range []*server{tg.server, echo} {
			per, err := idleCost(ctx, s, cfg.idle)
			if err != nil {
				return fmt.Errorf("%s idle connections: %w", s.name, err)
			}
			fmt.Printf("idle connections  %-9s %6d connections: %6.1f KB RSS each\n", s.name, cfg.idle, per/1024)
		}
	}
	if cfg.pairs > 0 {
		if err := echoRounds(ctx, cfg, tg, echo); err != nil {
			return err
		}
	}
	if cfg.broadcast > 0 {
		d, err := broadcast(ctx, tg, cfg.broadcast)
		if err != nil {
			return err
		}
		fmt.Printf("broadcast         tollgate  %6d connections: %v from the first POST to the last delivery (%.0f deliveries/s)\n",
			cfg.broadcast, d.Round(time.Millisecond), float64(cfg.broadcast)/d.Seconds())
	}
	return nil
}

// echoRounds runs the echo measurement in ABBA order and prints each
// server's median round trips per second, its CPU per round trip and the
// median of the paired ratios.
func echoRounds(ctx context.Context, cfg *config, tgi *tollgate, ref *server) error {
	tg := tgi.server
	var ratios []float64
	rates := map[string][]float64{}
	cpus := map[string][]float64{}
	order := []*server{tg, ref}
	for i := 0; i < cfg.pairs; i++ {
		got := map[string]float64{}
		for _, s := range order {
			var prof chan error
			if s == tg && i == 0 && cfg.profile != "" {
				prof = make(chan error, 1)
				go func() { prof <- cpuprofile.Save(ctx, tgi.admin+"/debug/pprof/", cfg.duration, cfg.profile) }()
			}
			n, cpu, err := echoRun(ctx, s, cfg.conns, cfg.duration)
			if prof != nil {
				if perr := <-prof; perr != nil {
					logf("profile: %v", perr)
				}
			}
			if err != nil {
				return fmt.Errorf("%s echo: %w", s.name, err)
			}
			rate := float64(n) / cfg.duration.Seconds()
			got[s.name] = rate
			rates[s.name] = append(rates[s.name], rate)
			cpus[s.name] = append(cpus[s.name], float64(cpu.Microseconds())/float64(n))
			logf("round %d %-9s %8.0f round trips/s, %5.1f µs CPU each", i+1, s.name, rate, float64(cpu.Microseconds())/float64(n))
		}
		ratios = append(ratios, got[tg.name]/got[ref.name])
		order[0], order[1] = order[1], order[0]
	}
	for _, s := range []*server{ref, tg} {
		fmt.Printf("echo round trips  %-9s %6d connections: %8.0f/s, %5.1f µs server CPU each\n",
			s.name, cfg.conns, median(rates[s.name]), median(cpus[s.name]))
	}
	fmt.Printf("echo ratio        tollgate two-way MOCK route / bare echo: %.2f× round trips/s (median of %d paired rounds), %.2f× server CPU efficiency (bare µs / tollgate µs per round trip)\n",
		median(ratios), len(ratios), median(cpus[ref.name])/median(cpus[tg.name]))
	return nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// moduleRoot is the repository root (go env GOMOD's directory).
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run wsbench inside the Tollgate module")
	}
	return filepath.Dir(mod), nil
}
