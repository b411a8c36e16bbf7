package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

func TestBodyIs100Bytes(t *testing.T) {
	if len(Body) != 100 {
		t.Fatalf("body is %d bytes", len(Body))
	}
}

func TestReadRequest(t *testing.T) {
	in := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello" +
		"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n" +
		"HEAD /d HTTP/1.1\r\nConnection: close\r\n\r\n" +
		"GET /e HTTP/1.0\r\n\r\n" +
		"GET /f HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	r := bufio.NewReader(strings.NewReader(in))
	want := []request{{}, {}, {}, {head: true, close: true}, {close: true}, {}}
	for i, w := range want {
		got, err := readRequest(r)
		if err != nil || got != w {
			t.Fatalf("request %d: %+v %v, want %+v", i, got, err, w)
		}
	}
	if _, err := readRequest(r); err != io.EOF {
		t.Errorf("after the last request: %v", err)
	}
	for _, bad := range []string{"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nno-colon\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"} {
		if _, err := readRequest(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestServeConnKeepAlive(t *testing.T) {
	client, server := net.Pipe()
	go serveConn(server)
	go func() {
		_, _ = io.WriteString(client, "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n")
	}()
	out, err := io.ReadAll(client)
	if err != nil {
		t.Fatal(err)
	}
	resp := string(respHead) + Body
	if string(out) != resp+resp {
		t.Errorf("got %q", out)
	}
}
