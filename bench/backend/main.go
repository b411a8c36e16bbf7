// Command backend is the benchmark's upstream: it answers every request
// with the same 100-byte body.
//
// The default mode is a minimal HTTP/1.1 server on the standard library's
// net package (keep-alive, Content-Length and chunked request bodies, no
// per-request allocation on the hot path). It costs a few µs of CPU per
// request, several times less than net/http, so the backend, which shares
// a core with the proxy under test, takes little from it. -mode nethttp
// serves the same body with net/http instead, to cross-check.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

// Body is the response body: exactly 100 bytes. The harness's readiness
// check compares responses against it.
const Body = "tollgate bench backend: fixed 100-byte response body.............................................ok\n"

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	mode := flag.String("mode", "raw", "raw (minimal HTTP/1.1 on net) or nethttp")
	flag.Parse()
	if len(Body) != 100 {
		log.Fatalf("body is %d bytes, want 100", len(Body))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "backend (%s) listening on %s\n", *mode, ln.Addr())
	switch *mode {
	case "raw":
		for {
			c, err := ln.Accept()
			if err != nil {
				log.Fatal(err)
			}
			go serveConn(c)
		}
	case "nethttp":
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header()["Content-Type"] = []string{"text/plain"}
			w.Header()["Content-Length"] = []string{"100"}
			_, _ = io.WriteString(w, Body)
		})
		log.Fatal(http.Serve(ln, h))
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

var (
	respHead = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n")
	respBody = []byte(Body)
)

// serveConn answers requests on one connection until the client closes it,
// asks to close, or sends something this server does not understand.
func serveConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 8192)
	w := bufio.NewWriterSize(c, 4096)
	for {
		req, err := readRequest(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_, _ = w.WriteString("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				_ = w.Flush()
			}
			return
		}
		_, _ = w.Write(respHead)
		if !req.head {
			_, _ = w.Write(respBody)
		}
		// Flush only when no pipelined request is already waiting.
		if r.Buffered() == 0 || req.close {
			if w.Flush() != nil {
				return
			}
		}
		if req.close {
			return
		}
	}
}

type request struct {
	head  bool // HEAD: no body in the response
	close bool // the connection ends after the response
}

// readRequest reads one request's head and discards its body.
func readRequest(r *bufio.Reader) (request, error) {
	var req request
	line, err := readLine(r)
	if err != nil {
		return req, err
	}
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return req, errors.New("bad request line")
	}
	req.head = string(line[:sp1]) == "HEAD"
	proto := line[sp2+1:]
	req.close = string(proto) == "HTTP/1.0" // unless keep-alive is asked for below
	var length int64
	chunked := false
	for {
		line, err := readLine(r)
		if err != nil {
			return req, err
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return req, errors.New("bad header line")
		}
		name, val := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(val), 10, 64); err != nil || length < 0 {
				return req, errors.New("bad Content-Length")
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(val, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(val, []byte("close")) {
				req.close = true
			} else if bytes.EqualFold(val, []byte("keep-alive")) {
				req.close = false
			}
		}
	}
	if chunked {
		return req, discardChunked(r)
	}
	if length > 0 {
		_, err = r.Discard(int(length))
	}
	return req, err
}

// readLine returns one CRLF- or LF-terminated line without its ending; the
// slice is valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func discardChunked(r *bufio.Reader) error {
	for {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return errors.New("bad chunk size")
		}
		if size == 0 {
			for { // trailers, then the empty line
				line, err := readLine(r)
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if _, err := r.Discard(int(size)); err != nil {
			return err
		}
		if _, err := readLine(r); err != nil { // CRLF after the data
			return err
		}
	}
}
