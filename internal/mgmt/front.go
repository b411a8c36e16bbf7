package mgmt

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Listener wraps ln so that the requests Go's HTTP server refuses before
// any handler runs are answered in AWS's error shape rather than with
// net/http's plain text: a request-target it cannot parse (an invalid
// percent-escape such as "/restapis/%zz"), a malformed request line or
// header, headers over the size limit, an unknown transfer coding.
//
// The server writes each of those answers with a single Write of a fixed
// form (status line, "Content-Type: text/plain; charset=utf-8",
// "Connection: close", a text body) straight to the connection and then
// closes it; responses from handlers always carry a Date header and go
// through the server's buffered writer, so they never take that form.
func Listener(ln net.Listener) net.Listener { return shapingListener{ln} }

type shapingListener struct{ net.Listener }

func (l shapingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &shapingConn{Conn: c}, nil
}

// shapingConn rewrites the server's own error answers (see Listener).
type shapingConn struct {
	net.Conn
	// read is set by a Read that returned data and cleared by the next
	// Write: the server's error answer is the first write after reading
	// the request it refuses.
	read atomic.Bool
}

func (c *shapingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.read.Store(true)
	}
	return n, err
}

func (c *shapingConn) Write(b []byte) (int, error) {
	if !c.read.Swap(false) || len(b) > maxServerError {
		return c.Conn.Write(b)
	}
	if shaped, ok := shapeServerError(b, time.Now()); ok {
		if _, err := c.Conn.Write(shaped); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// CloseWrite half-closes the connection when the underlying one can (the
// server does so before closing after an error answer).
func (c *shapingConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// maxServerError bounds the length of the answers net/http's server
// writes itself (a status line and a short text).
const maxServerError = 512

// serverErrorHeaders is what net/http's server puts between the status
// line and the body of the answers it writes itself.
const serverErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// shapeServerError recognises an answer written by net/http's server
// before any handler ran ("HTTP/1.1 400 Bad Request" + serverErrorHeaders +
// text) and returns the AWS-shaped answer to send instead: 400
// BadRequestException with a JSON message, x-amzn-ErrorType and
// x-amzn-RequestId. AWS's own text for requests its front end cannot parse
// is not known [U]; the message names what was wrong when the server said.
func shapeServerError(b []byte, now time.Time) ([]byte, bool) {
	const proto = "HTTP/1.1 "
	if !bytes.HasPrefix(b, []byte(proto)) {
		return nil, false
	}
	i := bytes.Index(b, []byte(serverErrorHeaders))
	if i < 0 || bytes.IndexByte(b, '\r') != i {
		return nil, false
	}
	statusLine, text := b[len(proto):i], b[i+len(serverErrorHeaders):]
	if len(statusLine) < 4 || statusLine[3] != ' ' || bytes.ContainsAny(text, "\r\n") {
		return nil, false
	}
	code, err := strconv.Atoi(string(statusLine[:3]))
	if err != nil || code < 400 || code > 599 {
		return nil, false
	}
	// The text is "400 Bad Request", "400 Bad Request: <reason>",
	// "431 Request Header Fields Too Large" or a phrase of its own.
	reason := string(bytes.TrimPrefix(text, statusLine[:4]))
	if _, after, ok := bytes.Cut(text, []byte(": ")); ok {
		reason = string(after)
	} else if code == http.StatusBadRequest {
		reason = "the request line or headers could not be parsed"
	}
	msg, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{"Invalid request: " + reason})
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 400 Bad Request\r\n")
	out.WriteString("Content-Type: application/json\r\n")
	out.WriteString("Content-Length: " + strconv.Itoa(len(msg)) + "\r\n")
	out.WriteString("Date: " + now.UTC().Format(http.TimeFormat) + "\r\n")
	out.WriteString("x-amzn-ErrorType: BadRequestException\r\n")
	out.WriteString("x-amzn-RequestId: " + uuid.NewString() + "\r\n")
	out.WriteString("Connection: close\r\n\r\n")
	out.Write(msg)
	return out.Bytes(), true
}
