package websocket

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
	"unicode/utf8"
)

// byteConn is a connection that reads from a fixed input and discards
// what is written.
type byteConn struct {
	net.Conn
	r *bytes.Reader
}

func (c *byteConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *byteConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *byteConn) Close() error                     { return nil }
func (c *byteConn) SetReadDeadline(time.Time) error  { return nil }
func (c *byteConn) SetWriteDeadline(time.Time) error { return nil }
func (c *byteConn) SetDeadline(time.Time) error      { return nil }

// FuzzReadMessage feeds arbitrary bytes to ReadMessage: it never panics,
// every message it returns is valid UTF-8 within the limits, and it ends
// with a CloseError.
func FuzzReadMessage(f *testing.F) {
	f.Add(clientFrame(true, opText, []byte(`{"action":"x"}`)))
	f.Add(append(clientFrame(false, opText, []byte("ab")), clientFrame(true, opContinuation, []byte("c"))...))
	f.Add(clientFrame(true, opPing, []byte("p")))
	f.Add(clientFrame(true, opClose, closePayload(1000, "bye")))
	f.Add([]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, in []byte) {
		limits := Limits{MaxFrame: 64, MaxMessage: 256}
		c := NewConn(&byteConn{r: bytes.NewReader(in)}, limits)
		for range 1000 {
			m, err := c.ReadMessage()
			if err != nil {
				var ce *CloseError
				if !errors.As(err, &ce) {
					t.Fatalf("ReadMessage error %v is not a CloseError", err)
				}
				return
			}
			if len(m) > limits.MaxMessage || !utf8.Valid(m) {
				t.Fatalf("a message of %d bytes, valid UTF-8 %v", len(m), utf8.Valid(m))
			}
		}
	})
}
