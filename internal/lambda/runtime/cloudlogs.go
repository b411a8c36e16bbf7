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

// peakMemory follows a process's peak resident memory for its REPORT
// lines ("Max Memory Used"). The kernel's high-water mark (VmHWM in
// /proc/{pid}/status) costs a rendering of the whole status file (~40
// lines): read on every invocation, it was the largest single piece of
// Tollgate's CPU per warm invocation after the Runtime API's system calls
// (about 10 µs of ~160 in a loaded profile). So VmHWM is read at most once
// per hwmEvery, and every read in between takes the resident size from
// /proc/{pid}/statm (one short line) and raises the mark with it. The
// answer is the larger of the two: never above the true peak, at least the
// resident size at the end of the invocation it reports, and a peak reached
// and released within an invocation appears by the next VmHWM read, within
// hwmEvery [U: AWS does not document how Max Memory Used is sampled;
// REPORT lines of one execution environment show it as a high-water mark,
// never falling from one invocation to the next].
//
// Both files stay open between reads, so each read is one pread parsed
// without allocating, and they keep naming the same process: a reused pid
// cannot be read by mistake. Safe for concurrent use.
type peakMemory struct {
	mu     sync.Mutex
	status procFile
	statm  procFile
	off    bool      // closed, or the files could not be opened: not known
	kb     int       // the mark: the largest VmHWM or resident size seen
	hwmAt  time.Time // when VmHWM was last read
	pageKB int
	buf    [4096]byte
}

// hwmEvery bounds how often peakMemory reads VmHWM.
const hwmEvery = time.Second

// procFile is an open /proc file read with pread.
type procFile struct {
	f  *os.File
	rc syscall.RawConn
}

func openProcFile(name string) (procFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return procFile{}, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return procFile{}, err
	}
	return procFile{f: f, rc: rc}, nil
}

// read reads the file from its start into buf with one pread: the kernel
// renders the whole file for it (os.File.ReadAt would make a second call
// to see the end).
func (p procFile) read(buf []byte) []byte {
	n := 0
	if err := p.rc.Control(func(fd uintptr) {
		n, _ = syscall.Pread(int(fd), buf, 0)
	}); err != nil || n <= 0 {
		return nil
	}
	return buf[:n]
}

func (p procFile) close() {
	if p.f != nil {
		_ = p.f.Close()
	}
}

// mb returns process pid's peak resident memory in MB (see peakMemory),
// or 0 where that is not known (not Linux, the process is gone, the files
// are unreadable).
func (m *peakMemory) mb(pid int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.off {
		return 0
	}
	if m.status.f == nil && !m.open(pid) {
		return 0
	}
	if now := time.Now(); m.hwmAt.IsZero() || now.Sub(m.hwmAt) >= hwmEvery {
		b := m.status.read(m.buf[:])
		if b == nil {
			return 0 // the process is gone
		}
		m.kb, m.hwmAt = max(m.kb, parseVmHWM(b)), now
	} else {
		b := m.statm.read(m.buf[:])
		if b == nil {
			return 0
		}
		m.kb = max(m.kb, parseStatmResident(b)*m.pageKB)
	}
	if m.kb == 0 {
		return 0
	}
	return (m.kb + 1023) / 1024
}

// open opens pid's status and statm files; false (and off) when it
// cannot.
func (m *peakMemory) open(pid int) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	st, err := openProcFile(dir + "status")
	if err != nil {
		m.off = true
		return false
	}
	sm, err := openProcFile(dir + "statm")
	if err != nil {
		st.close()
		m.off = true
		return false
	}
	m.status, m.statm, m.pageKB = st, sm, os.Getpagesize()/1024
	return true
}

// close closes the files; later reads answer 0.
func (m *peakMemory) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.off = true
	m.status.close()
	m.statm.close()
	m.status, m.statm = procFile{}, procFile{}
}

// parseStatmResident returns the resident size in pages, the second
// field of a /proc/{pid}/statm line ("2715 1406 1013 1 0 360 0"), or 0.
func parseStatmResident(statm []byte) int {
	_, rest, ok := bytes.Cut(statm, []byte(" "))
	if !ok {
		return 0
	}
	pages, digits := 0, 0
	for ; digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' && digits < 15; digits++ {
		pages = pages*10 + int(rest[digits]-'0')
	}
	if digits == 0 || (digits < len(rest) && rest[digits] != ' ' && rest[digits] != '\n') {
		return 0
	}
	return pages
}

// parseVmHWM returns the VmHWM line of a /proc/{pid}/status text
// ("VmHWM:\t   54320 kB") in kB, or 0 when there is none.
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
	return kb
}
