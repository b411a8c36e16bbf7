package runtime

import (
	"syscall"
	"unsafe"
)

// pendingBytes returns how many bytes wait unread in the pipe behind rc.
func pendingBytes(rc syscall.RawConn) int {
	if rc == nil {
		return 0
	}
	var n int32
	_ = rc.Control(func(fd uintptr) {
		// A raw call: it cannot block, and a declared one would wake the
		// runtime's monitor thread (see package rawconn).
		_, _, errno := syscall.RawSyscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		if errno != 0 {
			n = 0
		}
	})
	return int(n)
}
