package managed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/lambda/runtime"
)

// Response streaming in the Node.js client, as the official one does it
// (aws-lambda-nodejs-runtime-interface-client 3.x: ResponseStream,
// HttpResponseStream, Runtime.handleOnceStreaming).

// stream invokes f with InvokeStream and returns the response stream.
func (f *fn) stream(payload string) runtime.Result {
	f.t.Helper()
	res, err := f.pool.InvokeStream(context.Background(), []byte(payload), runtime.Invocation{RequestID: rid})
	if err != nil {
		f.t.Fatalf("InvokeStream: %v", err)
	}
	if res.Stream == nil {
		f.t.Fatalf("not streamed: %s %s", res.FunctionError, res.Payload)
	}
	f.t.Cleanup(func() { res.Stream.Close() })
	return res
}

// TestNodeStreamingHttpResponseStream: HttpResponseStream.from writes the
// prelude and 8 NUL bytes before the body, with its content type; the
// client reads the first chunk while the handler still waits to write the
// next (it goes on once the test has created the file it polls for).
func TestNodeStreamingHttpResponseStream(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.mjs": `
import fs from "node:fs";
export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201, headers: { "x-kind": "stream" }, cookies: ["a=b"] });
  stream.write("first;");
  while (!fs.existsSync(event.gate)) await new Promise((r) => setTimeout(r, 5));
  stream.write({ second: context.awsRequestId });
  stream.end(";last");
});`})
	gate := filepath.Join(t.TempDir(), "go")
	ev, _ := json.Marshal(map[string]string{"gate": gate})
	res := f.stream(string(ev))
	if res.ContentType != "application/vnd.awslambda.http-integration-response" {
		t.Errorf("content type %q", res.ContentType)
	}
	var got []byte
	buf := make([]byte, 256)
	for !bytes.Contains(got, []byte("first;")) {
		n, err := res.Stream.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read %q then %v", got, err)
		}
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(res.Stream)
	if err != nil {
		t.Fatalf("rest %q: %v", rest, err)
	}
	got = append(got, rest...)
	prelude, body, ok := bytes.Cut(got, make([]byte, 8))
	if !ok || string(prelude) != `{"statusCode":201,"headers":{"x-kind":"stream"},"cookies":["a=b"]}` {
		t.Fatalf("response %q", got)
	}
	if want := `first;{"second":"` + rid + `"};last`; string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
}

// TestNodeStreamingFailures: a handler failing after it wrote ends the
// stream with its error in the trailers; so do a non-async handler and a
// handler that returns without ending the stream. Invoke (buffered) gets
// the error as the invocation's.
func TestNodeStreamingFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, code, sent, errorType, message string
	}{
		{"throws", `awslambda.streamifyResponse(async (e, s) => { s.write("partial"); throw new TypeError("bad input"); })`,
			"partial", "TypeError", "bad input"},
		{"not async", `awslambda.streamifyResponse((e, s) => { s.write("x"); })`,
			"x", "string", "Streaming does not support non-async handlers."},
		{"not finished", `awslambda.streamifyResponse(async (e, s) => { s.write("x"); })`,
			"x", "string", "Response stream is not finished."},
		{"content type too late", `awslambda.streamifyResponse(async (e, s) => { s.write("x"); s.setContentType("text/plain"); })`,
			"x", "Runtime.InvalidStreamingOperation", "Cannot set content-type, too late."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFn(t, "nodejs20.x", "index.handler", map[string]string{"index.js": "exports.handler = " + c.code + ";"})
			res := f.stream(`{}`)
			b, err := io.ReadAll(res.Stream)
			var fe *runtime.FunctionError
			if !errors.As(err, &fe) {
				t.Fatalf("read %q, end %v", b, err)
			}
			doc := parseOrdered(t, fe.Payload)
			if string(b) != c.sent || doc.str("errorType") != c.errorType || doc.str("errorMessage") != c.message ||
				strings.Join(doc.keys, ",") != "errorType,errorMessage,trace" {
				t.Errorf("sent %q, error %s", b, fe.Payload)
			}
			// The instance lives on: the next invocation, buffered, fails the same way.
			if _, doc := f.fails(`{}`); doc.str("errorType") != c.errorType {
				t.Errorf("buffered: %v", doc.vals)
			}
		})
	}
}

// TestNodeStreamingBuffered: Invoke returns a streaming function's
// response whole; its return value is ignored with a warning, and its
// console output is the invocation's.
func TestNodeStreamingBuffered(t *testing.T) {
	t.Parallel()
	f := newFn(t, "nodejs22.x", "index.handler", map[string]string{"index.mjs": `
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
export const handler = awslambda.streamifyResponse(async (event, stream) => {
  console.log("streaming", event.n);
  await pipeline(Readable.from(["a", "b", "c"]), stream);
  return "ignored";
});`})
	res := f.ok(`{"n":3}`, nil)
	if string(res.Payload) != "abc" {
		t.Errorf("payload %q", res.Payload)
	}
	// The warning follows the end of the stream: wait for it.
	for _, want := range []string{"\tINFO\tstreaming 3", "\tWARN\tStreaming handlers ignore return values."} {
		deadline := time.Now().Add(5 * time.Second)
		for !slices.ContainsFunc(f.logs.all(), func(r logRec) bool { return strings.HasSuffix(r.msg, want) }) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line ending with %q", want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
