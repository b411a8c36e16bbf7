package e2e

// Response streaming end to end: REST API methods with
// responseTransferMode STREAM to a Node.js streaming function (AWS_PROXY
// through the …/response-streaming-invocations URI) and to a Go HTTP
// backend (HTTP_PROXY), read with Go's HTTP client; and
// InvokeWithResponseStream with the AWS SDK for Go.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lambdaStreamURI is the integration URI that invokes fn for a streamed
// response (InvokeWithResponseStream).
func lambdaStreamURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:000000000000:function:" +
		fn + "/response-streaming-invocations"
}

// firstLine opens u and returns the response with its first body line
// read, and how long that took.
func firstLine(t *testing.T, u string) (*http.Response, *bufio.Reader, string, time.Duration) {
	t.Helper()
	start := time.Now()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("GET %s: status %d, first line %q: %v", u, res.StatusCode, line, err)
	}
	return res, br, line, time.Since(start)
}

// TestResponseStreaming: with responseTransferMode STREAM, the first bytes
// of a Node.js function (AWS_PROXY, HttpResponseStream) and of an HTTP
// backend (HTTP_PROXY) reach the client while they are still writing:
// each writes the rest of its response only after the client, having read
// the first line, opens the gate. The prelude's status, headers and
// cookies are the response's. A stream still going at the integration
// timeout is cut off; a BUFFERED method to the same function gets its
// prelude as a malformed proxy result (502).
func TestResponseStreaming(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "")
	dp.createManaged(t, "streamer", "nodejs20.x", "stream.http", dirZip(t, runtimeFixture("node")),
		func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(30) })

	gates := make(chan chan struct{}, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gate := make(chan struct{})
		gates <- gate
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n")
		w.(http.Flusher).Flush()
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "data: second\n")
	}))
	defer backend.Close()

	a := dp.newAPI(t, "streaming")
	stream := map[string]any{"responseTransferMode": "STREAM", "timeoutInMillis": 60000}
	a.method(t, "/fn", "GET", nil)
	a.integration(t, "/fn", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaStreamURI("streamer"),
		"responseTransferMode": "STREAM", "timeoutInMillis": 60000})
	a.method(t, "/short", "GET", nil)
	a.integration(t, "/short", "GET", map[string]any{"type": "AWS_PROXY", "httpMethod": "POST", "uri": lambdaStreamURI("streamer"),
		"responseTransferMode": "STREAM", "timeoutInMillis": 1000})
	a.lambdaProxy(t, "/buffered", "GET", "streamer", nil)
	a.proxy(t, "/events", "GET", backend.URL, stream)
	a.mock(t, "/ready", "GET", `{}`)
	a.deploy(t, "dev")
	dp.waitFor(t, a.url("dev", "/ready"), 200, "{}")

	// AWS_PROXY: the function waits for the gate file after its first line.
	gate := filepath.Join(t.TempDir(), "gate")
	res, br, line, ttfb := firstLine(t, a.url("dev", "/fn?gate="+gate))
	if line != "first GET /fn\n" {
		t.Fatalf("first line %q", line)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rest, err := io.ReadAll(br)
	total := ttfb + time.Since(start)
	if err != nil || string(rest) != "second\ndone\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
	if res.StatusCode != 201 || res.Header.Get("Content-Type") != "text/plain" || res.Header.Get("X-Streamed") != "yes" ||
		strings.Join(res.Header.Values("Set-Cookie"), "|") != "flavour=oat; Path=/|size=large" || res.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("status %d, header %v", res.StatusCode, res.Header)
	}
	t.Logf("AWS_PROXY STREAM: first line after %v (cold start included), whole response after %v", ttfb, total)

	// HTTP_PROXY: the backend waits for the gate channel.
	res, br, line, ttfb = firstLine(t, a.url("dev", "/events"))
	if line != "data: first\n" || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("first line %q, header %v", line, res.Header)
	}
	close(<-gates)
	if rest, err := io.ReadAll(br); err != nil || string(rest) != "data: second\n" {
		t.Errorf("HTTP_PROXY rest %q, %v", rest, err)
	}
	t.Logf("HTTP_PROXY STREAM: first line after %v", ttfb)

	// The integration timeout (1 s) ends a stream the function never
	// finishes: the client gets the first line, then a broken response.
	_, br, line, _ = firstLine(t, a.url("dev", "/short?hang=1"))
	if line != "first GET /short\n" {
		t.Errorf("short: first line %q", line)
	}
	if rest, err := io.ReadAll(br); err == nil {
		t.Errorf("short: the stream ended normally after %q", rest)
	}

	// BUFFERED to a streaming function: its output is no proxy result.
	expect(t, "buffered", dp.do(t, "GET", a.url("dev", "/buffered?gate="+gate), nil, nil), 502, `{"message": "Internal server error"}`)
	checkGatewayLog(t, dp.Gateway)
}

// TestInvokeWithResponseStreamGoSDK: the AWS SDK for Go reads a Node.js
// function's chunks as it writes them, and its failure in InvokeComplete.
func TestInvokeWithResponseStreamGoSDK(t *testing.T) {
	t.Parallel()
	g := startClientGateway(t)
	g.createManaged(t, "raw", "nodejs22.x", "stream.raw", dirZip(t, runtimeFixture("node")), nil)
	gate := filepath.Join(t.TempDir(), "gate")
	ev, _ := json.Marshal(map[string]any{"chunks": []string{"one;", "two;", "three"}, "gate": gate})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := g.lambdaClient(t).InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("raw"), Payload: ev})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ResponseStreamContentType) != "text/plain" || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("content type %q, version %q", aws.ToString(out.ResponseStreamContentType), aws.ToString(out.ExecutedVersion))
	}
	var got strings.Builder
	var complete *lambdatypes.InvokeWithResponseStreamCompleteEvent
	for ev := range out.GetStream().Events() {
		switch e := ev.(type) {
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			got.Write(e.Value.Payload)
			if got.String() == "one;" {
				if err := os.WriteFile(gate, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			complete = &e.Value
		}
	}
	if err := out.GetStream().Err(); err != nil || got.String() != "one;two;three" || complete == nil || complete.ErrorCode != nil {
		t.Errorf("payload %q, complete %+v, %v", got.String(), complete, err)
	}

	ev, _ = json.Marshal(map[string]any{"chunks": []string{"partial"}, "fail": "half-way"})
	out, err = g.lambdaClient(t).InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("raw"), Payload: ev})
	if err != nil {
		t.Fatal(err)
	}
	got.Reset()
	complete = nil
	for ev := range out.GetStream().Events() {
		switch e := ev.(type) {
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			got.Write(e.Value.Payload)
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			complete = &e.Value
		}
	}
	if got.String() != "partial" || complete == nil || aws.ToString(complete.ErrorCode) != "Error" || aws.ToString(complete.ErrorDetails) != "half-way" {
		t.Errorf("failure: payload %q, complete %+v", got.String(), complete)
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := g.lambdaClient(t).InvokeWithResponseStream(ctx, &lambdasdk.InvokeWithResponseStreamInput{FunctionName: aws.String("nope")}); !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}
}
