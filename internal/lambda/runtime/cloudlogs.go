package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
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
	var b strings.Builder
	ms := float64(res.Duration.Microseconds()) / 1000
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\t",
		requestID, ms, max(int64(math.Ceil(ms)), 1), memoryMB)
	if res.MaxMemoryMB > 0 {
		fmt.Fprintf(&b, "Max Memory Used: %d MB\t", res.MaxMemoryMB)
	}
	if res.InitDuration > 0 {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", float64(res.InitDuration.Microseconds())/1000)
	}
	return b.String()
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

// peakMemoryMB is a process's peak resident memory in MB (VmHWM in
// /proc/{pid}/status), or 0 where that is not known.
func peakMemoryMB(pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0
			}
			return (kb + 1023) / 1024
		}
	}
	return 0
}
