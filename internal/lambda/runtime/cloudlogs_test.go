package runtime

import (
	"os"
	"runtime"
	"testing"
	"time"
)

// TestReportLine: the REPORT line as Lambda writes it, tab-separated and
// tab-ended, with Max Memory Used only when known and Init Duration only
// on a cold start [D: Lambda Developer Guide, "Using CloudWatch Logs with
// Lambda"]; durations in ms with two decimals, billed rounded up to 1 ms at
// least.
func TestReportLine(t *testing.T) {
	id := "8f5f2a49-0b2e-4a60-9d0a-2f2b0c6a1e11"
	for _, c := range []struct {
		res  Result
		want string
	}{
		{Result{Duration: 38660 * time.Microsecond, MaxMemoryMB: 54, InitDuration: 203690 * time.Microsecond},
			"REPORT RequestId: " + id + "\tDuration: 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\tInit Duration: 203.69 ms\t"},
		{Result{Duration: 120 * time.Microsecond},
			"REPORT RequestId: " + id + "\tDuration: 0.12 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t"},
		{Result{Duration: 2 * time.Second, MaxMemoryMB: 1},
			"REPORT RequestId: " + id + "\tDuration: 2000.00 ms\tBilled Duration: 2000 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\t"},
	} {
		if got := ReportLine(id, c.res, 128); got != c.want {
			t.Errorf("ReportLine(%+v)\n got %q\nwant %q", c.res, got, c.want)
		}
	}
}

// TestParseVmHWM reads VmHWM from /proc/{pid}/status text in kB, and
// answers 0 for anything else.
func TestParseVmHWM(t *testing.T) {
	for in, want := range map[string]int{
		"Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    54320 kB\nVmRSS:\t 1 kB\n": 54320,
		"Name:\tx\nVmHWM:\t1024 kB\n":                                         1024,
		"Name:\tx\nVmHWM:\t0 kB\n":                                            0,
		"Name:\tx\nVmRSS:\t1024 kB\n":                                         0,
		"Name:\tx\nVmHWM:\t kB\n":                                             0,
		"Name:\tx\nVmHWM:\t12 MB\n":                                           0,
		"Name:\tx\nVmHWM:\t1024":                                              0,
		"VmHWM:\t1024 kB\n":                                                   0, // never the first line
		"Name:\tx\nVmHWM:\t2048 kB":                                           2048,
		"Name:\tx\nVmHWM:\t99999999999999999999 kB\n":                         0,
	} {
		if got := parseVmHWM([]byte(in)); got != want {
			t.Errorf("parseVmHWM(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestParseStatmResident reads the resident pages, statm's second field.
func TestParseStatmResident(t *testing.T) {
	for in, want := range map[string]int{
		"2715 1406 1013 1 0 360 0\n": 1406,
		"2715 1406":                  1406,
		"2715 0 1013 1 0 360 0\n":    0,
		"2715\n":                     0,
		"2715 x 1013\n":              0,
		"2715 14x6 1013\n":           0,
		"":                           0,
		"1 9999999999999999999999 2": 0,
	} {
		if got := parseStatmResident([]byte(in)); got != want {
			t.Errorf("parseStatmResident(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestPeakMemory reads a live process's peak memory through the file it
// keeps open, again and again, and nothing once closed.
func TestPeakMemory(t *testing.T) {
	var m peakMemory
	if runtime.GOOS != "linux" { // VmHWM is Linux's: not known elsewhere
		if got := m.mb(os.Getpid()); got != 0 {
			t.Errorf("peak memory off Linux: %d MB", got)
		}
		return
	}
	first := m.mb(os.Getpid())
	if first <= 0 {
		t.Fatalf("peak memory of this process: %d MB", first)
	}
	if again := m.mb(os.Getpid()); again < first {
		t.Errorf("peak memory went down: %d then %d MB", first, again)
	}
	// Between VmHWM reads the resident size raises the mark: 64 MB more
	// touched shows at once, not after hwmEvery.
	grown := make([]byte, 64<<20)
	for i := 0; i < len(grown); i += 4096 {
		grown[i] = 1
	}
	if now := m.mb(os.Getpid()); now < first+60 {
		t.Errorf("peak memory after touching 64 MB more: %d MB (before: %d)", now, first)
	}
	// The next VmHWM read (once hwmEvery has passed: here, by making the
	// last one old) keeps the mark.
	m.mu.Lock()
	m.hwmAt = m.hwmAt.Add(-hwmEvery)
	m.mu.Unlock()
	if got := m.mb(os.Getpid()); got < first+60 {
		t.Errorf("peak memory after a VmHWM read: %d MB", got)
	}
	runtime.KeepAlive(grown)
	m.close()
	if got := m.mb(os.Getpid()); got != 0 {
		t.Errorf("after close: %d MB", got)
	}
	var gone peakMemory
	if got := gone.mb(1 << 30); got != 0 {
		t.Errorf("no such process: %d MB", got)
	}
}
