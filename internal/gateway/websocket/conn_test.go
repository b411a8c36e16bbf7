package websocket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// clientFrame is a frame as a client sends it: masked.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b := []byte{op, 0x80}
	if fin {
		b[0] |= 0x80
	}
	switch l := len(payload); {
	case l < 126:
		b[1] |= byte(l)
	case l <= 0xffff:
		b[1] |= 126
		b = binary.BigEndian.AppendUint16(b, uint16(l))
	default:
		b[1] |= 127
		b = binary.BigEndian.AppendUint64(b, uint64(l))
	}
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, mask[:]...)
	start := len(b)
	b = append(b, payload...)
	for i := range payload {
		b[start+i] ^= mask[i&3]
	}
	return b
}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// pair returns a server Conn and the client's end of a pipe.
func pair(t *testing.T, limits Limits) (*Conn, net.Conn) {
	t.Helper()
	s, c := net.Pipe()
	t.Cleanup(func() { s.Close(); c.Close() })
	return NewConn(s, limits), c
}

// serverFrame reads one frame the server sent (unmasked).
func serverFrame(t *testing.T, r io.Reader) (op byte, fin bool, payload []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatalf("reading a server frame: %v", err)
	}
	if h[1]&0x80 != 0 {
		t.Fatal("the server masked a frame")
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var e [2]byte
		io.ReadFull(r, e[:])
		n = int(binary.BigEndian.Uint16(e[:]))
	case 127:
		var e [8]byte
		io.ReadFull(r, e[:])
		n = int(binary.BigEndian.Uint64(e[:]))
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0f, h[0]&0x80 != 0, payload
}

func send(c net.Conn, frames ...[]byte) {
	go func() {
		for _, f := range frames {
			if _, err := c.Write(f); err != nil {
				return
			}
		}
	}()
}

type readResult struct {
	msg []byte
	err error
}

func read(s *Conn) <-chan readResult {
	ch := make(chan readResult, 1)
	go func() {
		m, err := s.ReadMessage()
		ch <- readResult{m, err}
	}()
	return ch
}

func expectClose(t *testing.T, c net.Conn, res <-chan readResult, code int) {
	t.Helper()
	op, _, p := serverFrame(t, c)
	if op != opClose || len(p) < 2 || int(binary.BigEndian.Uint16(p)) != code {
		t.Fatalf("server sent op %x %q, want close %d", op, p, code)
	}
	go func() { c.Write(clientFrame(true, opClose, p[:2])); c.Close() }()
	r := <-res
	var ce *CloseError
	if !errors.As(r.err, &ce) || ce.Code != code {
		t.Fatalf("ReadMessage = %q, %v; want close %d", r.msg, r.err, code)
	}
}

func TestReadMessages(t *testing.T) {
	s, c := pair(t, Limits{MaxFrame: 32 << 10, MaxMessage: 128 << 10})
	big := bytes.Repeat([]byte("a"), 300)
	send(c,
		clientFrame(true, opText, []byte(`{"action":"x"}`)),
		clientFrame(false, opText, []byte("hel")),
		clientFrame(true, opPing, []byte("p1")), // between fragments
		clientFrame(false, opContinuation, []byte("lo ")),
		clientFrame(true, opContinuation, []byte("world")),
		clientFrame(true, opPong, nil),
		clientFrame(true, opText, big),
		clientFrame(true, opText, nil),
	)
	for _, want := range []string{`{"action":"x"}`, "hello world"} {
		res := read(s)
		if want == "hello world" {
			op, _, p := serverFrame(t, c)
			if op != opPong || string(p) != "p1" {
				t.Fatalf("answer to a ping: op %x %q", op, p)
			}
		}
		r := <-res
		if r.err != nil || string(r.msg) != want {
			t.Fatalf("ReadMessage = %q, %v; want %q", r.msg, r.err, want)
		}
	}
	if m, err := s.ReadMessage(); err != nil || !bytes.Equal(m, big) {
		t.Fatalf("300-byte message: %d bytes, %v", len(m), err)
	}
	if m, err := s.ReadMessage(); err != nil || len(m) != 0 {
		t.Fatalf("empty message: %q, %v", m, err)
	}
}

func TestWriteFrames(t *testing.T) {
	s, c := pair(t, Limits{})
	for _, n := range []int{0, 5, 125, 126, 70000} {
		p := bytes.Repeat([]byte("x"), n)
		go s.WriteText(p)
		op, fin, got := serverFrame(t, c)
		if op != opText || !fin || !bytes.Equal(got, p) {
			t.Fatalf("%d bytes: op %x fin %v, %d bytes", n, op, fin, len(got))
		}
	}
}

func TestLimitsAndViolations(t *testing.T) {
	limits := Limits{MaxFrame: 32 << 10, MaxMessage: 128 << 10}
	frame32k := bytes.Repeat([]byte("a"), 32<<10)
	cases := []struct {
		name   string
		frames [][]byte
		code   int
	}{
		{"binary frame", [][]byte{clientFrame(true, opBinary, []byte{1, 2})}, CloseUnsupportedData},
		{"frame over 32 KB", [][]byte{clientFrame(true, opText, append(frame32k, 'b'))}, CloseTooBig},
		{"message over 128 KB", [][]byte{
			clientFrame(false, opText, frame32k), clientFrame(false, opContinuation, frame32k),
			clientFrame(false, opContinuation, frame32k), clientFrame(false, opContinuation, frame32k),
			clientFrame(true, opContinuation, []byte("b"))}, CloseTooBig},
		{"unmasked frame", [][]byte{{0x81, 0x01, 'a'}}, CloseProtocolError},
		{"reserved bit", [][]byte{func() []byte { f := clientFrame(true, opText, []byte("a")); f[0] |= 0x40; return f }()}, CloseProtocolError},
		{"unknown opcode", [][]byte{clientFrame(true, 0x3, nil)}, CloseProtocolError},
		{"continuation first", [][]byte{clientFrame(true, opContinuation, []byte("a"))}, CloseProtocolError},
		{"text inside fragments", [][]byte{clientFrame(false, opText, []byte("a")), clientFrame(true, opText, []byte("b"))}, CloseProtocolError},
		{"fragmented ping", [][]byte{clientFrame(false, opPing, nil)}, CloseProtocolError},
		{"long ping", [][]byte{clientFrame(true, opPing, bytes.Repeat([]byte("a"), 126))}, CloseProtocolError},
		{"invalid UTF-8", [][]byte{clientFrame(true, opText, []byte{0xff, 0xfe})}, CloseInvalidPayload},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c := pair(t, limits)
			send(c, tc.frames...)
			expectClose(t, c, read(s), tc.code)
		})
	}
	// The limits are exactly 32 KB and 128 KB: at the limit, accepted.
	s, c := pair(t, limits)
	send(c, clientFrame(false, opText, frame32k), clientFrame(false, opContinuation, frame32k),
		clientFrame(false, opContinuation, frame32k), clientFrame(true, opContinuation, frame32k))
	if m, err := s.ReadMessage(); err != nil || len(m) != 128<<10 {
		t.Fatalf("a 128 KB message in 32 KB frames: %d bytes, %v", len(m), err)
	}
}

func TestClientCloses(t *testing.T) {
	for _, tc := range []struct {
		payload    []byte
		code, echo int
		reason     string
	}{
		{closePayload(1001, ""), 1001, 1001, ""},
		{closePayload(4000, "bye"), 4000, 4000, "bye"},
		{nil, CloseNoStatus, CloseNormal, ""},
		{closePayload(1005, ""), CloseProtocolError, CloseProtocolError, ""},
	} {
		s, c := pair(t, Limits{})
		res := read(s)
		send(c, clientFrame(true, opClose, tc.payload))
		op, _, p := serverFrame(t, c)
		if op != opClose || int(binary.BigEndian.Uint16(p)) != tc.echo {
			t.Fatalf("close %v: server answered op %x %v", tc.payload, op, p)
		}
		r := <-res
		var ce *CloseError
		if !errors.As(r.err, &ce) || ce.Code != tc.code || ce.Reason != tc.reason {
			t.Fatalf("close %v: ReadMessage error %v, want %d %q", tc.payload, r.err, tc.code, tc.reason)
		}
	}
}

func TestServerCloses(t *testing.T) {
	s, c := pair(t, Limits{})
	res := read(s)
	go s.Close(CloseNormal, "Connection Closed Normally")
	op, _, p := serverFrame(t, c)
	if op != opClose || int(binary.BigEndian.Uint16(p)) != 1000 || string(p[2:]) != "Connection Closed Normally" {
		t.Fatalf("server close frame: op %x %q", op, p)
	}
	if err := s.WriteText([]byte("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteText after Close: %v", err)
	}
	c.Write(clientFrame(true, opClose, p[:2]))
	r := <-res
	var ce *CloseError
	if !errors.As(r.err, &ce) || ce.Code != 1000 || ce.Reason != "Connection Closed Normally" {
		t.Fatalf("ReadMessage after the server's close: %v", r.err)
	}
}

func TestReadDeadlineBetweenMessages(t *testing.T) {
	s, c := pair(t, Limits{})
	s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := s.ReadMessage(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("ReadMessage past the deadline: %v, want ErrTimeout", err)
	}
	s.SetReadDeadline(time.Time{})
	send(c, clientFrame(true, opText, []byte("still here")))
	if m, err := s.ReadMessage(); err != nil || string(m) != "still here" {
		t.Fatalf("after a timeout: %q, %v", m, err)
	}
}

func TestBrokenConnection(t *testing.T) {
	s, c := pair(t, Limits{})
	res := read(s)
	c.Close()
	var ce *CloseError
	if r := <-res; !errors.As(r.err, &ce) || ce.Code != CloseAbnormal {
		t.Fatalf("a dropped connection: %v, want 1006", r.err)
	}
}

func TestAcceptKey(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("AcceptKey = %q", got)
	}
	if !ValidKey("dGhlIHNhbXBsZSBub25jZQ==") || ValidKey("short") || ValidKey(strings.Repeat("A", 24)+"=") {
		t.Fatal("ValidKey")
	}
}
