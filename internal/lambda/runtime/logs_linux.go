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
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		if errno != 0 {
			n = 0
		}
	})
	return int(n)
}
