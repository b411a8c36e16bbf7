package engine_test

import (
	"strings"
	"testing"
)

// TestExpectContinueOverLimit: a declared body over 10 MB with "Expect:
// 100-continue" gets the 413 at once, with the gateway's identifiers and
// no 100 Continue first. It also checks the fasthttp behaviour the engine's
// ExpectHandler relies on: what it sets on the response is sent.
func TestExpectContinueOverLimit(t *testing.T) {
	fz := newFuzzGateway(t)
	out, got := fz.exchange(t, []byte("PUT /_aws/execute-api/fz/s/public/big HTTP/1.1\r\nHost: x\r\nContent-Length: 11534336\r\nExpect: 100-continue\r\n\r\n"))
	s := string(out)
	if !strings.HasPrefix(s, "HTTP/1.1 413 ") || strings.Contains(s, "100 Continue") ||
		!strings.HasSuffix(s, "\r\n\r\nHTTP content length exceeded 10485760 bytes.") ||
		!strings.Contains(s, "\r\nx-amzn-RequestId: ") || !strings.Contains(s, "\r\nx-amz-apigw-id: ") {
		t.Errorf("got %q", s)
	}
	if len(got) != 0 {
		t.Errorf("the backend received %v", got)
	}
	out, got = fz.exchange(t, []byte("PUT /_aws/execute-api/fz/s/public/small HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"))
	if s := string(out); !strings.HasPrefix(s, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n") || len(got) != 1 {
		t.Errorf("within the limit: %q, backend %v", s, got)
	}
}

// TestMalformedHeads: request heads fasthttp accepts but the engine
// refuses, before the pipeline (and so before any backend).
func TestMalformedHeads(t *testing.T) {
	fz := newFuzzGateway(t)
	for _, c := range []struct {
		head, status string
	}{
		{"GET /_aws/execute-api/fz/s/public/x HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n", "400"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/1.1\r\nHost: x\r\nX-A B: v\r\n", "400"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/2.0\r\nHost: x\r\n", "505"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/9.9\r\nHost: x\r\n", "505"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/0.9\r\nHost: x\r\n", "505"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/1.1\r\nHost: x\r\n", "200"},
		{"GET /_aws/execute-api/fz/s/public/x HTTP/1.0\r\n", "200"},
	} {
		out, got := fz.exchange(t, []byte(c.head+"\r\n"))
		s := string(out)
		if !strings.HasPrefix(s, "HTTP/1.1 "+c.status+" ") || !strings.Contains(s, "\r\nx-amzn-RequestId: ") {
			t.Errorf("%q: %q", c.head, s)
		}
		if reached := len(got) > 0; reached != (c.status == "200") {
			t.Errorf("%q: the backend received %v", c.head, got)
		}
	}
}
