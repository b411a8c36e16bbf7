//go:build race

package rawconn

import (
	"runtime"
	"unsafe"
)

// ioSync stands for the kernel between a raw write and a raw read, as the
// syscall package's own ioSync does for its Read and Write: without it,
// the race detector sees no order between a buffer written to a socket
// and its reuse once the peer's answer has been read.
var ioSync int64

func raceBeforeWrite(p []byte) {
	runtime.RaceReleaseMerge(unsafe.Pointer(&ioSync))
	if len(p) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&p[0]), len(p))
	}
}

func raceAfterRead(p []byte, n int) {
	if n > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&p[0]), n)
	}
	runtime.RaceAcquire(unsafe.Pointer(&ioSync))
}
