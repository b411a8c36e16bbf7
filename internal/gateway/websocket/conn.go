// Package websocket is the server side of the WebSocket protocol (RFC
// 6455) for the data plane: the opening handshake's checks and accept key,
// and a connection that reads text messages under API Gateway's limits and
// writes text, ping, pong and close frames.
//
// Why not a general-purpose library: the data plane runs on fasthttp, which
// hands over a connection once it has sent the 101 (the hand-off is
// pipeline.Upgrader); github.com/coder/websocket and gorilla/websocket
// both want a net/http ResponseWriter to hijack, so they would need an
// adapter that fakes one, and neither exposes frames, while API Gateway's
// limits are per frame as well as per message (a 32 KB frame, a 128 KB
// message: close 1009; a binary frame: close 1003). A connection here holds
// no buffer while idle (a 64-byte read-ahead inside the Conn; a message's
// buffer only while it is read), which is what keeps 10,000 idle
// connections cheap (bench/README "WebSocket"). What the protocol asks of
// a server is small and fixed (masking, fragmentation, control frames,
// UTF-8 text, the closing handshake), and the tests here check it frame by
// frame, against github.com/coder/websocket as a client too.
package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
	"unicode/utf8"
)

// Opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close codes (RFC 6455 §7.4.1).
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseUnsupportedData = 1003
	CloseNoStatus        = 1005
	CloseAbnormal        = 1006
	CloseInvalidPayload  = 1007
	ClosePolicyViolation = 1008
	CloseTooBig          = 1009
	CloseInternalError   = 1011
)

// Limits bound what a client may send. Zero fields mean no limit.
type Limits struct {
	// MaxFrame is the largest frame payload accepted.
	MaxFrame int
	// MaxMessage is the largest message (all its frames) accepted.
	MaxMessage int
}

// WriteTimeout bounds one frame's write: a client that does not read
// blocks its writers no longer than this, and its connection is then
// broken off.
const WriteTimeout = 10 * time.Second

// closeWait is how long the closing handshake waits for the client's
// close frame once the server has sent its own.
const closeWait = 2 * time.Second

// magic is the GUID of the accept key (RFC 6455 §1.3).
const magic = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a client's
// Sec-WebSocket-Key.
func AcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(magic))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// ValidKey reports whether key is a Sec-WebSocket-Key: 16 bytes in base64
// (RFC 6455 §4.1).
func ValidKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

// CloseError ends a connection: the close code and reason of the closing
// handshake (the client's when it closed first, the server's when it did),
// or CloseAbnormal (1006) when the connection broke without one.
type CloseError struct {
	Code   int
	Reason string
	// Err is the transport error behind a 1006, if any.
	Err error
}

func (e *CloseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("websocket closed (%d %s): %v", e.Code, e.Reason, e.Err)
	}
	return fmt.Sprintf("websocket closed (%d %s)", e.Code, e.Reason)
}

func (e *CloseError) Unwrap() error { return e.Err }

// ErrTimeout is returned by ReadMessage when the read deadline passed
// while no message was being read; the connection is intact.
var ErrTimeout = errors.New("websocket: read deadline passed")

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// closing reports whether the server has sent its close frame.
func (c *Conn) closing() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.closeSent
}

// ErrClosed is returned by writes once the server's close frame is sent.
var ErrClosed = errors.New("websocket: connection closed")

// Conn is the server side of an established WebSocket connection. One
// goroutine reads (ReadMessage); any number may write.
type Conn struct {
	nc     net.Conn
	limits Limits

	// read side (the reading goroutine only)
	ahead      [64]byte // read-ahead: a frame head, a small payload
	aoff, aend int

	wmu       sync.Mutex
	closeSent bool
	sentCode  int
	sentWhy   string
}

// NewConn wraps a connection whose opening handshake is complete.
func NewConn(nc net.Conn, limits Limits) *Conn {
	return &Conn{nc: nc, limits: limits}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// SetReadDeadline bounds the wait for the next frame.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// frame is a frame head.
type frame struct {
	fin    bool
	op     byte
	length int
	mask   [4]byte
}

// ReadMessage returns the next text message. It answers pings and skips
// pongs on the way. It returns a *CloseError when the connection ends: the
// client closed it (its code and reason, after the server echoed the close
// frame), the server closed it (Close, or a violation ReadMessage answered
// with a close frame: 1002, 1003, 1007, 1009), or it broke (1006).
func (c *Conn) ReadMessage() ([]byte, error) {
	var msg []byte
	fragmented := false
	for {
		f, err := c.readHead()
		if err != nil {
			if isTimeout(err) && !fragmented && c.aoff == c.aend && !c.closing() {
				// The read deadline passed between messages: the caller
				// decides (an idle timeout, a drain) and may read on.
				return nil, ErrTimeout
			}
			return nil, c.broken(err)
		}
		switch f.op {
		case opPing, opPong, opClose:
			if !f.fin || f.length > 125 {
				return nil, c.fail(CloseProtocolError, "control frame too long or fragmented")
			}
			var buf [125]byte
			p := buf[:f.length]
			if err := c.readPayload(p, f.mask); err != nil {
				return nil, c.broken(err)
			}
			switch f.op {
			case opPing:
				if err := c.writeFrame(opPong, p); err != nil && !errors.Is(err, ErrClosed) {
					return nil, c.broken(err)
				}
			case opClose:
				return nil, c.closed(p)
			}
			continue
		case opBinary:
			// API Gateway takes text only: a binary frame closes the
			// connection with 1003 [D: WebSocket API quotas].
			return nil, c.fail(CloseUnsupportedData, "Binary frames are not supported")
		case opText:
			if fragmented {
				return nil, c.fail(CloseProtocolError, "new message inside a fragmented one")
			}
		case opContinuation:
			if !fragmented {
				return nil, c.fail(CloseProtocolError, "continuation without a message")
			}
		default:
			return nil, c.fail(CloseProtocolError, "unknown opcode")
		}
		if c.limits.MaxFrame > 0 && f.length > c.limits.MaxFrame {
			return nil, c.fail(CloseTooBig, "Frame too big")
		}
		if c.limits.MaxMessage > 0 && len(msg)+f.length > c.limits.MaxMessage {
			return nil, c.fail(CloseTooBig, "Message too big")
		}
		n := len(msg)
		if cap(msg)-n < f.length {
			grown := make([]byte, n, n+f.length)
			copy(grown, msg)
			msg = grown
		}
		msg = msg[:n+f.length]
		if err := c.readPayload(msg[n:], f.mask); err != nil {
			return nil, c.broken(err)
		}
		if f.fin {
			if !utf8.Valid(msg) {
				return nil, c.fail(CloseInvalidPayload, "invalid UTF-8 in a text message")
			}
			return msg, nil
		}
		fragmented = true
	}
}

// errProtocol marks a malformed frame head.
type errProtocol string

func (e errProtocol) Error() string { return string(e) }

// readHead reads a frame head and checks what RFC 6455 §5.2 requires of a
// client's frames: no reserved bits (no extension is negotiated), masked,
// a minimal 64-bit length.
func (c *Conn) readHead() (frame, error) {
	var f frame
	if err := c.fill(2); err != nil {
		return f, err
	}
	b0, b1 := c.ahead[c.aoff], c.ahead[c.aoff+1]
	f.fin, f.op = b0&0x80 != 0, b0&0x0f
	if b0&0x70 != 0 {
		return f, errProtocol("reserved bits set")
	}
	if b1&0x80 == 0 {
		return f, errProtocol("unmasked client frame")
	}
	need := 6
	switch b1 & 0x7f {
	case 126:
		need = 8
	case 127:
		need = 14
	}
	if err := c.fill(need); err != nil {
		return f, err
	}
	h := c.ahead[c.aoff : c.aoff+need]
	switch l := int(b1 & 0x7f); l {
	case 126:
		f.length = int(binary.BigEndian.Uint16(h[2:4]))
	case 127:
		n := binary.BigEndian.Uint64(h[2:10])
		if n>>63 != 0 || n > 1<<40 {
			return f, errProtocol("frame length out of range")
		}
		f.length = int(n)
	default:
		f.length = l
	}
	copy(f.mask[:], h[need-4:need])
	c.aoff += need
	return f, nil
}

// fill makes at least n bytes (n ≤ len(ahead)) available in the
// read-ahead.
func (c *Conn) fill(n int) error {
	if c.aend-c.aoff >= n {
		return nil
	}
	if c.aoff > 0 {
		c.aend = copy(c.ahead[:], c.ahead[c.aoff:c.aend])
		c.aoff = 0
	}
	for c.aend < n {
		m, err := c.nc.Read(c.ahead[c.aend:])
		c.aend += m
		if err != nil {
			if c.aend >= n {
				return nil
			}
			return err
		}
	}
	return nil
}

// readPayload reads len(p) payload bytes and unmasks them.
func (c *Conn) readPayload(p []byte, mask [4]byte) error {
	k := copy(p, c.ahead[c.aoff:c.aend])
	c.aoff += k
	if k < len(p) {
		if _, err := io.ReadFull(c.nc, p[k:]); err != nil {
			return err
		}
	}
	unmask(p, mask)
	return nil
}

// unmask applies a frame's masking key (RFC 6455 §5.3), eight bytes at a
// time.
func unmask(p []byte, mask [4]byte) {
	m32 := binary.LittleEndian.Uint32(mask[:])
	m64 := uint64(m32) | uint64(m32)<<32
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^m64)
	}
	for ; i < len(p); i++ {
		p[i] ^= mask[i&3]
	}
}

// closed handles the client's close frame: it echoes the code (unless the
// server closed first) and ends the connection with the client's code and
// reason (RFC 6455 §5.5.1, §7.1.5: no status is 1005).
func (c *Conn) closed(p []byte) error {
	code, reason := CloseNoStatus, ""
	switch {
	case len(p) == 1:
		code = CloseProtocolError
	case len(p) >= 2:
		code = int(binary.BigEndian.Uint16(p))
		reason = string(p[2:])
		if !validCloseCode(code) || !utf8.ValidString(reason) {
			code, reason = CloseProtocolError, ""
		}
	}
	c.wmu.Lock()
	first := !c.closeSent
	sent, why := c.sentCode, c.sentWhy
	c.wmu.Unlock()
	if !first {
		// The reply to the server's close: the connection ends with the
		// server's code.
		_ = c.nc.Close()
		return &CloseError{Code: sent, Reason: why}
	}
	echo := code
	if echo == CloseNoStatus {
		echo = CloseNormal
	}
	_ = c.writeClose(echo, "")
	_ = c.nc.Close()
	return &CloseError{Code: code, Reason: reason}
}

// validCloseCode reports a code a peer may send (RFC 6455 §7.4).
func validCloseCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code >= 1000 && code <= 1014:
		return code != 1004 && code != CloseNoStatus && code != CloseAbnormal
	}
	return false
}

// fail closes the connection with code because of what the client sent
// (RFC 6455 §7.1.7). It sends the close frame, half-closes, and discards
// what the client still sends for a bounded time, so that the close frame
// is not lost to a reset caused by unread data (the rest of an oversized
// frame), then closes.
func (c *Conn) fail(code int, reason string) error {
	if err := c.writeClose(code, reason); err == nil {
		if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_ = c.nc.SetReadDeadline(time.Now().Add(closeWait))
		_, _ = io.Copy(io.Discard, io.LimitReader(c.nc, lingerMax))
	}
	_ = c.nc.Close()
	return &CloseError{Code: code, Reason: reason}
}

// lingerMax bounds what fail discards.
const lingerMax = 1 << 20

// broken ends the connection after a read error: a malformed frame is a
// protocol error (1002); otherwise the transport failed (1006), unless the
// server had sent its close frame and was waiting for the reply.
func (c *Conn) broken(err error) error {
	var pe errProtocol
	if errors.As(err, &pe) {
		return c.fail(CloseProtocolError, string(pe))
	}
	_ = c.nc.Close()
	c.wmu.Lock()
	sent, code, why := c.closeSent, c.sentCode, c.sentWhy
	c.wmu.Unlock()
	if sent {
		return &CloseError{Code: code, Reason: why}
	}
	return &CloseError{Code: CloseAbnormal, Err: err}
}

// WriteText sends p as one text message.
func (c *Conn) WriteText(p []byte) error { return c.writeFrame(opText, p) }

// Ping sends a ping.
func (c *Conn) Ping() error { return c.writeFrame(opPing, nil) }

// Close starts the closing handshake with code and reason: it sends the
// close frame (once) and gives the client closeWait to answer, after which
// the reader's ReadMessage returns the server's code. It may be called
// from any goroutine.
func (c *Conn) Close(code int, reason string) {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	if err := c.writeClose(code, reason); err != nil {
		_ = c.nc.Close()
		return
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(closeWait))
}

func (c *Conn) writeClose(code int, reason string) error {
	var buf [125]byte
	binary.BigEndian.PutUint16(buf[:2], uint16(code))
	n := 2 + copy(buf[2:], reason)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return nil
	}
	c.closeSent, c.sentCode, c.sentWhy = true, code, reason
	return c.writeLocked(opClose, buf[:n])
}

// writeFrame sends one unfragmented frame.
func (c *Conn) writeFrame(op byte, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return ErrClosed
	}
	return c.writeLocked(op, p)
}

// small frames are written from one buffer, in one write.
const smallFrame = 4 << 10

var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, smallFrame+10); return &b }}

func (c *Conn) writeLocked(op byte, p []byte) error {
	var head [10]byte
	head[0] = 0x80 | op
	n := 2
	switch l := len(p); {
	case l < 126:
		head[1] = byte(l)
	case l <= 0xffff:
		head[1] = 126
		binary.BigEndian.PutUint16(head[2:], uint16(l))
		n = 4
	default:
		head[1] = 127
		binary.BigEndian.PutUint64(head[2:], uint64(l))
		n = 10
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(WriteTimeout))
	var err error
	if len(p) <= smallFrame {
		bp := frameBufs.Get().(*[]byte)
		b := append(append((*bp)[:0], head[:n]...), p...)
		_, err = c.nc.Write(b)
		*bp = b
		frameBufs.Put(bp)
	} else {
		bufs := net.Buffers{head[:n], p}
		_, err = bufs.WriteTo(c.nc)
	}
	if err != nil {
		// A client that does not read, or is gone: break the connection
		// off, and let the reader report it.
		_ = c.nc.Close()
	}
	return err
}
