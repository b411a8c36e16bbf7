package rawconn_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/rawconn"
)

// pair returns a raw server-side connection and its client.
func pair(t *testing.T) (*rawconn.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rl := rawconn.Listener(ln)
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := rl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); client.Close() })
	rc, ok := c.(*rawconn.Conn)
	if !ok {
		t.Fatalf("accepted %T", c)
	}
	return rc, client
}

// TestReadWrite: bytes go both ways, several megabytes at once (the writer
// waits while the peer's buffers are full), concurrently; the peer's close
// is io.EOF.
func TestReadWrite(t *testing.T) {
	c, client := pair(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MB
	errc := make(chan error, 2)
	go func() {
		n, err := c.Write(big)
		if err == nil && n != len(big) {
			err = io.ErrShortWrite
		}
		errc <- err
	}()
	go func() {
		_, err := client.Write(big)
		errc <- err
	}()
	got, err := io.ReadAll(io.LimitReader(client, int64(len(big))))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("client read %d bytes, %v", len(got), err)
	}
	got, err = io.ReadAll(io.LimitReader(c, int64(len(big))))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("server read %d bytes, %v", len(got), err)
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	client.Close()
	if n, err := c.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Errorf("after the peer closed: %d, %v", n, err)
	}
}

// TestDeadlinesAndClose: a read past its deadline fails with a timeout, as
// on *net.TCPConn; a closed connection reports net.ErrClosed.
func TestDeadlinesAndClose(t *testing.T) {
	c, _ := pair(t)
	if err := c.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Read(make([]byte, 8))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v", err)
	}
	c.Close()
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
}

// TestOtherConnections pass through unwrapped.
func TestOtherConnections(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if rawconn.Wrap(a) != a {
		t.Error("a pipe was wrapped")
	}
}
