package runtime

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// CloudLogs receives a function's log as CloudWatch Logs would hold it:
// group "/aws/lambda/{name}", one stream per instance (the instance's
// AWS_LAMBDA_LOG_STREAM_NAME), every line the function writes as one
// event, and Lambda's own START, END and REPORT lines around each
// invocation's output
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
// Log must not block.
type CloudLogs interface {
	Log(group, stream string, at time.Time, message string)
}

// LogGroup is the log group of a function's logs.
func LogGroup(function string) string { return "/aws/lambda/" + function }

// ReportLine is Lambda's REPORT line for an invocation, fields separated
// and ended by tabs as Lambda writes them: "REPORT RequestId: …\tDuration:
// 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used:
// 54 MB\tInit Duration: 203.69 ms\t" (Max Memory Used when known, Init
// Duration on a cold start) [D: Lambda Developer Guide, "Using CloudWatch
// Logs with Lambda"].
func ReportLine(requestID string, res Result, memoryMB int) string {
	b := make([]byte, 0, 160)
	ms := float64(res.Duration.Microseconds()) / 1000
	b = append(b, "REPORT RequestId: "...)
	b = append(b, requestID...)
	b = append(b, "\tDuration: "...)
	b = strconv.AppendFloat(b, ms, 'f', 2, 64)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, max(int64(math.Ceil(ms)), 1), 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(memoryMB), 10)
	b = append(b, " MB\t"...)
	if res.MaxMemoryMB > 0 {
		b = append(b, "Max Memory Used: "...)
		b = strconv.AppendInt(b, int64(res.MaxMemoryMB), 10)
		b = append(b, " MB\t"...)
	}
	if res.InitDuration > 0 {
		b = append(b, "Init Duration: "...)
		b = strconv.AppendFloat(b, float64(res.InitDuration.Microseconds())/1000, 'f', 2, 64)
		b = append(b, " ms\t"...)
	}
	return string(b)
}

// cloud is where an instance's log goes as CloudWatch Logs events.
type cloud struct {
	logs          CloudLogs
	group, stream string
	version       string
	// started is the request id START was written for (by the /next
	// handler, read by the pool).
	started atomic.Pointer[string]
}

func (c *cloud) log(msg string) {
	if c != nil && c.logs != nil {
		c.logs.Log(c.group, c.stream, time.Now(), msg)
	}
}

// start writes an invocation's START line.
func (c *cloud) start(id string) {
	if c == nil {
		return
	}
	c.started.Store(&id)
	c.log("START RequestId: " + id + " Version: " + c.version)
}

// finish writes an invocation's END and REPORT lines (with its START
// first when the invocation never reached the runtime), and the timeout
// line of an invocation that ran out of time ("<time> <request id> Task
// timed out after 3.00 seconds" [C: 2019 execution-log capture]).
func (c *cloud) finish(id string, res Result, memoryMB int) {
	if c == nil || c.logs == nil {
		return
	}
	if p := c.started.Load(); p == nil || *p != id {
		c.start(id)
	}
	if res.FunctionError != "" && bytes.Contains(res.Payload, []byte(`"Sandbox.Timedout"`)) {
		c.log(fmt.Sprintf("%s %s Task timed out after %.2f seconds", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), id, res.Duration.Seconds()))
	}
	c.log("END RequestId: " + id)
	c.log(ReportLine(id, res, memoryMB))
}

// peakMemory reads a process's peak resident memory (VmHWM in
// /proc/{pid}/status) for its REPORT lines. The file stays open between
// reads, so each is one pread of what the kernel renders, parsed without
// allocating: opening the file and scanning it line by line cost more of
// Tollgate's CPU than the invocation's Runtime API exchange. Kept open, the
// file also keeps naming the same process: a reused pid cannot be read by
// mistake. Safe for concurrent use.
type peakMemory struct {
	mu  sync.Mutex
	f   *os.File // opened by the first read
	rc  syscall.RawConn
	off bool // closed, or the file could not be opened: not known
	buf [4096]byte
}

// mb returns process pid's peak resident memory in MB, or 0 where that is
// not known (not Linux, the process is gone, the file is unreadable).
func (m *peakMemory) mb(pid int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.f == nil {
		if m.off {
			return 0
		}
		f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			m.off = true
			return 0
		}
		rc, err := f.SyscallConn()
		if err != nil {
			_ = f.Close()
			m.off = true
			return 0
		}
		m.f, m.rc = f, rc
	}
	// One pread: the kernel renders the whole file (about 1.5 KB) for
	// it. os.File.ReadAt would make a second call to see the end.
	n := 0
	if err := m.rc.Control(func(fd uintptr) {
		n, _ = syscall.Pread(int(fd), m.buf[:], 0)
	}); err != nil || n <= 0 {
		return 0
	}
	return parseVmHWM(m.buf[:n])
}

// close closes the file; later reads answer 0.
func (m *peakMemory) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.off = true
	if m.f != nil {
		_ = m.f.Close()
		m.f, m.rc = nil, nil
	}
}

// parseVmHWM returns the VmHWM line of a /proc/{pid}/status text
// ("VmHWM:\t   54320 kB") in MB, rounded up, or 0 when there is none.
func parseVmHWM(status []byte) int {
	i := bytes.Index(status, []byte("\nVmHWM:"))
	if i < 0 {
		return 0
	}
	rest := bytes.TrimLeft(status[i+len("\nVmHWM:"):], " \t")
	kb, digits := 0, 0
	for ; digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' && digits < 12; digits++ {
		kb = kb*10 + int(rest[digits]-'0')
	}
	if digits == 0 || !bytes.HasPrefix(bytes.TrimLeft(rest[digits:], " "), []byte("kB")) {
		return 0
	}
	return (kb + 1023) / 1024
}
