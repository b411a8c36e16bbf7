package runtime

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pipesReadable reports whether any of the pipes behind rcs holds unread
// bytes, with one ppoll(2) for all of them: drainLogs runs twice per
// invocation, and one call instead of an ioctl per pipe took a quarter off
// the drain's share of Tollgate's CPU per warm invocation in a profile of
// BenchmarkServedAWSProxy.
func pipesReadable(rcs []syscall.RawConn) bool {
	var buf [2]unix.PollFd
	return pollReadable(rcs, buf[:0])
}

// pollReadable holds each pipe's descriptor (RawConn.Control keeps it from
// being closed and reused meanwhile) while it collects the next, then polls
// them all without waiting.
func pollReadable(rcs []syscall.RawConn, fds []unix.PollFd) bool {
	if len(rcs) == 0 {
		if len(fds) == 0 {
			return false
		}
		var ts unix.Timespec // zero: do not wait
		// A raw call: it cannot block, and a declared one would wake the
		// runtime's monitor thread (see package rawconn).
		n, _, errno := syscall.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if errno != 0 || n == 0 {
			return false
		}
		for _, p := range fds {
			if p.Revents&unix.POLLIN != 0 {
				return true
			}
		}
		return false
	}
	if rcs[0] == nil { // not pollable: nothing is known to wait in it
		return pollReadable(rcs[1:], fds)
	}
	readable := false
	if err := rcs[0].Control(func(fd uintptr) {
		readable = pollReadable(rcs[1:], append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}))
	}); err != nil { // closed: its reader is done
		return pollReadable(rcs[1:], fds)
	}
	return readable
}
