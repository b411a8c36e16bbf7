package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the length of one USER_HZ tick, the unit of /proc/PID/stat
// and /proc/stat times. It is 10 ms on every common Linux build; initClock
// asks getconf to be sure.
var clockTick = 10 * time.Millisecond

func initClock() {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		return
	}
	if hz, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && hz > 0 {
		clockTick = time.Second / time.Duration(hz)
	}
}

// procStat is what the harness uses from one /proc/PID/stat line.
type procStat struct {
	PID, PPID int
	Comm      string
	// Ticks is utime+stime+cutime+cstime: the process's own CPU time (all
	// threads) plus that of its children it has waited for.
	Ticks int64
}

// parseProcStat parses a /proc/PID/stat line. The command name (field 2)
// is in parentheses and may hold spaces or ')', so fields are counted from
// the last ')'.
func parseProcStat(line string) (procStat, error) {
	var ps procStat
	open := strings.IndexByte(line, '(')
	closing := strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return ps, fmt.Errorf("stat: no command name in %q", line)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return ps, fmt.Errorf("stat: pid: %w", err)
	}
	// Fields after the name start at field 3 (state); index i here is
	// field i+3.
	f := strings.Fields(line[closing+1:])
	if len(f) < 15 {
		return ps, fmt.Errorf("stat: %d fields after the name, want ≥15", len(f))
	}
	ps.PID = pid
	ps.Comm = line[open+1 : closing]
	if ps.PPID, err = strconv.Atoi(f[1]); err != nil {
		return ps, fmt.Errorf("stat: ppid: %w", err)
	}
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return ps, fmt.Errorf("stat: field %d: %w", i+3, err)
		}
		ps.Ticks += n
	}
	return ps, nil
}

// readAllProcs reads /proc/*/stat for every live process.
func readAllProcs() map[int]procStat {
	out := map[int]procStat{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		if ps, err := parseProcStat(string(b)); err == nil {
			out[ps.PID] = ps
		}
	}
	return out
}

// descendants returns root and every process below it in procs.
func descendants(procs map[int]procStat, root int) []int {
	kids := map[int][]int{}
	for _, p := range procs {
		kids[p.PPID] = append(kids[p.PPID], p.PID)
	}
	var out []int
	stack := []int{root}
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := procs[pid]; !ok {
			continue
		}
		out = append(out, pid)
		stack = append(stack, kids[pid]...)
	}
	return out
}

// treeCPU is the CPU time of root's process tree in procs.
func treeCPU(procs map[int]procStat, root int) time.Duration {
	var ticks int64
	for _, pid := range descendants(procs, root) {
		ticks += procs[pid].Ticks
	}
	return time.Duration(ticks) * clockTick
}

// totalCPU is the CPU time of every process in procs. Between two
// snapshots its difference counts processes that started and ended in
// between too, once their parent waited for them (through cutime/cstime).
func totalCPU(procs map[int]procStat) time.Duration {
	var ticks int64
	for _, p := range procs {
		ticks += p.Ticks
	}
	return time.Duration(ticks) * clockTick
}

// softirqCPU is the CPU time of the ksoftirqd kernel threads, which do the
// packet processing the kernel defers under load; on a loopback benchmark
// that is the measured traffic's.
func softirqCPU(procs map[int]procStat) time.Duration {
	var ticks int64
	for _, p := range procs {
		if strings.HasPrefix(p.Comm, "ksoftirqd/") {
			ticks += p.Ticks
		}
	}
	return time.Duration(ticks) * clockTick
}

// parseVmRSS returns VmRSS in bytes from a /proc/PID/status text.
func parseVmRSS(status string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("VmRSS: unexpected %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		return kb * 1024, err
	}
	return 0, fmt.Errorf("no VmRSS line")
}

// treeRSS is the summed VmRSS of root's process tree (nginx: master and
// worker). Shared pages count once per process, as VmRSS reports them.
func treeRSS(root int) int64 {
	var total int64
	for _, pid := range descendants(readAllProcs(), root) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		if n, err := parseVmRSS(string(b)); err == nil {
			total += n
		}
	}
	return total
}

// machineCPU is the aggregate "cpu" line of /proc/stat.
type machineCPU struct {
	// Busy is user+nice+system+irq+softirq+steal, in ticks. Processes'
	// times include the softirq work done in their context (the kernel
	// charges it to both), so irq and softirq belong here for Busy to be
	// comparable with the sum of processes' times.
	Busy int64
	// IRQ is irq+softirq, reported for information.
	IRQ int64
	// Total is every column except guest time (already inside user).
	Total int64
}

// parseMachineCPU parses the first ("cpu ") line of /proc/stat.
func parseMachineCPU(stat []byte) (machineCPU, error) {
	var m machineCPU
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return m, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	v := make([]int64, 8) // user nice system idle iowait irq softirq steal
	for i := range v {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			return m, fmt.Errorf("/proc/stat: %w", err)
		}
		v[i] = n
	}
	m.Busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
	m.IRQ = v[5] + v[6]
	for _, n := range v {
		m.Total += n
	}
	return m, nil
}

func readMachineCPU() (machineCPU, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}, err
	}
	return parseMachineCPU(b)
}
