// Package rawconn makes a TCP listener's connections read and write with
// raw system calls: the calls that the Go runtime would otherwise bracket
// with entersyscall and exitsyscall.
//
// Why: a socket of the standard library is non-blocking, so its read and
// write calls return at once (EAGAIN when they would block, and the
// goroutine then waits in the network poller as usual). Yet each one is
// declared to the scheduler as a system call that might block, and that
// has a cost out of proportion on a busy, pinned process: entering one
// wakes the runtime's monitor thread (sysmon) from its deep sleep, which
// then polls every 20 µs for a while, and a call that runs long (a
// loopback write does the receiver's TCP work and wakes it, and a woken
// process may preempt the writer) gets its P handed to another thread.
// On one core shared with Lambda function processes, those wake-ups and
// hand-offs were a quarter of Tollgate's CPU per Lambda invocation. Raw
// calls on a non-blocking socket cannot block, so nothing needs declaring.
//
// Deadlines, closing and everything else behave as for *net.TCPConn (the
// waiting is done by syscall.RawConn). Other listeners' connections pass
// through unchanged.
package rawconn

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// Listener returns ln whose accepted TCP connections use raw calls.
func Listener(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	return Wrap(c), nil
}

// Wrap returns c with raw reads and writes when it is a *net.TCPConn, else
// c itself.
func Wrap(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	return newConn(tc, rc)
}

// Conn is a TCP connection whose Read and Write use raw system calls.
// Like *net.TCPConn, it allows one Read and one Write at a time, each
// concurrent with the other.
type Conn struct {
	*net.TCPConn
	rc syscall.RawConn

	// The calls' arguments and results, and the functions RawConn runs,
	// bound once so that a call allocates nothing.
	rbuf, wbuf     []byte
	rn, wn         int
	rerrno, werrno syscall.Errno
	readFn         func(fd uintptr) bool
	writeFn        func(fd uintptr) bool
}

func newConn(tc *net.TCPConn, rc syscall.RawConn) *Conn {
	c := &Conn{TCPConn: tc, rc: rc}
	c.readFn, c.writeFn = c.read, c.write
	return c
}

// Read implements net.Conn.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rbuf, c.rn, c.rerrno = p, 0, 0
	err := c.rc.Read(c.readFn)
	n, errno := c.rn, c.rerrno
	c.rbuf = nil
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case errno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	raceAfterRead(p, n)
	return n, nil
}

// read is one attempt: false means wait until the socket is readable.
func (c *Conn) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rn, c.rerrno = int(r), e
		return true
	}
}

// Write implements net.Conn: it writes all of p, or fails.
func (c *Conn) Write(p []byte) (int, error) {
	raceBeforeWrite(p)
	c.wbuf, c.wn, c.werrno = p, 0, 0
	err := c.rc.Write(c.writeFn)
	n, errno := c.wn, c.werrno
	c.wbuf = nil
	switch {
	case err != nil:
		return n, c.opError("write", err)
	case errno != 0:
		return n, c.opError("write", os.NewSyscallError("write", errno))
	}
	return n, nil
}

// write writes what is left of wbuf: false means wait until the socket is
// writable.
func (c *Conn) write(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&c.wbuf[c.wn])), uintptr(len(c.wbuf)-c.wn))
		switch e {
		case 0:
			c.wn += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.werrno = e
			return true
		}
	}
	return true
}

// opError wraps err as *net.TCPConn reports it: a *net.OpError around the
// poller's error (net.ErrClosed, os.ErrDeadlineExceeded, a timeout) or the
// system call's.
func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
