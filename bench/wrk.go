package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what the harness takes from one wrk run.
type wrkResult struct {
	Requests  int64         // completed requests
	Duration  time.Duration // as wrk reports it
	RPS       float64       // Requests/sec line
	P50, P99  time.Duration // from the --latency distribution
	Non2xx    int64         // "Non-2xx or 3xx responses"
	SocketErr int64         // connect+read+write+timeout
	// CPU is wrk's own CPU time (from the kernel's rusage, not parsed).
	CPU time.Duration
	Raw string
}

// wrkArgs builds wrk's command line, pinned with taskset when cpu ≥ 0.
func wrkArgs(wrk string, cpu, threads, conns int, d time.Duration, url string, headers []string) []string {
	args := []string{wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second)), "--latency", "--timeout", "5s"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	if cpu >= 0 {
		args = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, args...)
	}
	return args
}

// runWrk runs wrk once and parses its report.
func runWrk(ctx context.Context, args []string) (wrkResult, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{Raw: string(out)}, fmt.Errorf("wrk: %v: %s", err, strings.TrimSpace(string(out)))
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return r, err
	}
	if ps := cmd.ProcessState; ps != nil {
		r.CPU = ps.UserTime() + ps.SystemTime()
	}
	return r, nil
}

var (
	reSummary = regexp.MustCompile(`^(\d+) requests in ([\d.]+\w+),`)
	rePct     = regexp.MustCompile(`^(50|75|90|99)(?:\.0+)?%\s+(\S+)$`)
	reSockErr = regexp.MustCompile(`connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk parses wrk's text report (run with --latency).
func parseWrk(out string) (wrkResult, error) {
	r := wrkResult{Raw: out}
	var haveRPS, haveP50, haveP99, haveSummary bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "Requests/sec:"):
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, "Requests/sec:")), 64)
			if err != nil {
				return r, fmt.Errorf("wrk: Requests/sec: %w", err)
			}
			r.RPS, haveRPS = v, true
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")), 10, 64)
			if err != nil {
				return r, fmt.Errorf("wrk: non-2xx: %w", err)
			}
			r.Non2xx = v
		case strings.HasPrefix(line, "Socket errors:"):
			m := reSockErr.FindStringSubmatch(line)
			if m == nil {
				return r, fmt.Errorf("wrk: unexpected %q", line)
			}
			for _, s := range m[1:] {
				n, _ := strconv.ParseInt(s, 10, 64)
				r.SocketErr += n
			}
		default:
			if m := reSummary.FindStringSubmatch(line); m != nil {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				d, err := parseWrkDuration(m[2])
				if err != nil {
					return r, err
				}
				r.Requests, r.Duration, haveSummary = n, d, true
			} else if m := rePct.FindStringSubmatch(line); m != nil {
				d, err := parseWrkDuration(m[2])
				if err != nil {
					return r, err
				}
				switch m[1] {
				case "50":
					r.P50, haveP50 = d, true
				case "99":
					r.P99, haveP99 = d, true
				}
			}
		}
	}
	if !haveRPS || !haveSummary {
		return r, fmt.Errorf("wrk: no summary in output: %q", strings.TrimSpace(out))
	}
	if !haveP50 || !haveP99 {
		return r, fmt.Errorf("wrk: no latency distribution (was --latency given?)")
	}
	return r, nil
}

// parseWrkDuration parses wrk's time units: "812.00us", "1.23ms", "2.00s",
// "1.50m", "1.00h".
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			break
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("wrk: bad duration %q", s)
}
