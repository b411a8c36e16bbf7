package upstream_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
)

// endless yields bytes for ever.
type endless struct{}

func (endless) Read(p []byte) (int, error) { return len(p), nil }

// TestLimitStreamPacing: the first 10 MB go out at once, the rest at 2
// MB/s, on a fake clock that only sleeping advances.
func TestLimitStreamPacing(t *testing.T) {
	now := time.Unix(1000, 0)
	var slept time.Duration
	lim := upstream.DefaultStreamLimits
	lim.Now = func() time.Time { return now }
	lim.Sleep = func(d time.Duration) { slept += d; now = now.Add(d) }
	s := upstream.LimitStream(endless{}, time.Time{}, lim)
	buf := make([]byte, 64<<10)
	var sent int64
	for sent < 10<<20 {
		n, _ := s.Read(buf)
		sent += int64(n)
	}
	if slept != 0 {
		t.Fatalf("slept %v within the first 10 MB", slept)
	}
	for sent < 16<<20 {
		n, _ := s.Read(buf)
		sent += int64(n)
	}
	// 6 MB at 2 MB/s: 3 s, less the last read's worth.
	over := float64(sent-(10<<20)) / float64(2<<20)
	if got := slept.Seconds(); got > over || got < over-0.2 {
		t.Errorf("slept %v for %d bytes past 10 MB (%.2f s at 2 MB/s)", slept, sent-(10<<20), over)
	}
}

func TestReadPrelude(t *testing.T) {
	nul := string(make([]byte, 8))
	for _, c := range []struct {
		name, in, prelude, body string
		err                     error
	}{
		{"whole", `{"statusCode":200}` + nul + "body", `{"statusCode":200}`, "body", nil},
		{"empty body", `{}` + nul, `{}`, "", nil},
		{"no delimiter", `{"statusCode":200}body`, "", "", upstream.ErrNoPrelude},
		{"too long", strings.Repeat(" ", upstream.MaxPrelude) + nul, "", "", upstream.ErrNoPrelude},
	} {
		prelude, body, err := upstream.ReadPrelude(iotestOneByte(c.in))
		if !errors.Is(err, c.err) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(body)
		if string(prelude) != c.prelude || string(b) != c.body {
			t.Errorf("%s: prelude %q body %q", c.name, prelude, b)
		}
	}
}

// iotestOneByte reads s a byte at a time, as a slow function writes.
func iotestOneByte(s string) io.Reader { return &oneByte{r: strings.NewReader(s)} }

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func TestParseLambdaFunctionStreaming(t *testing.T) {
	f, err := upstream.ParseLambdaFunction("arn:aws:apigateway:us-west-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-west-1:111122223333:function:my-function-name/response-streaming-invocations")
	if err != nil || !f.Streaming || f.Resolve(nil) != "arn:aws:lambda:us-west-1:111122223333:function:my-function-name" {
		t.Errorf("%+v %v", f, err)
	}
	f, err = upstream.ParseLambdaFunction("arn:aws:apigateway:us-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-1:111122223333:function:f/invocations")
	if err != nil || f.Streaming {
		t.Errorf("%+v %v", f, err)
	}
	for _, bad := range []string{
		"arn:aws:apigateway:us-west-1:lambda:path/2021-11-15/functions/f/invocations",
		"arn:aws:apigateway:us-west-1:lambda:path/2015-03-31/functions//invocations",
		"arn:aws:apigateway:us-west-1:lambda:path/2021-11-15/functions/response-streaming-invocations",
	} {
		if _, err := upstream.ParseLambdaFunction(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// streamTo forwards a GET to url in the streaming mode and returns the
// exchange's response.
func streamTo(t *testing.T, clients *upstream.Clients, url string, deadline time.Time) *gatewaytest.Response {
	t.Helper()
	resp := gatewaytest.NewResponse()
	x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "api.example.com", "/", nil), Resp: resp}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.SetRequestURI(url)
	if err := upstream.ForwardStream(x, clients.StreamClient(false), req, deadline, upstream.DefaultStreamLimits); err != nil {
		t.Fatalf("ForwardStream: %v", err)
	}
	if resp.Stream == nil {
		t.Fatal("the body is not streamed")
	}
	t.Cleanup(func() { _ = resp.Stream.(io.Closer).Close() })
	return resp
}

// TestForwardStream: the backend's headers are the client's before its
// body ends, its first bytes reach the client while it still writes (it
// writes the rest only once the test has read them), whatever the length
// it declares.
func TestForwardStream(t *testing.T) {
	for _, declared := range []bool{false, true} {
		next := make(chan struct{})
		backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if declared {
				w.Header().Set("Content-Length", "11")
			}
			w.Header().Set("X-Backend", "yes")
			w.WriteHeader(207)
			_, _ = io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-next
			_, _ = io.WriteString(w, "last;")
		}))
		resp := streamTo(t, upstream.NewClients(), backend.URL, time.Now().Add(10*time.Second))
		if resp.Code != 207 || resp.Headers.Get("X-Backend") != "yes" {
			t.Errorf("status %d, headers %v", resp.Code, resp.Headers)
		}
		buf := make([]byte, 64)
		n, err := io.ReadAtLeast(resp.Stream, buf, len("first;"))
		if err != nil || string(buf[:n]) != "first;" {
			t.Fatalf("first read %q, %v", buf[:n], err)
		}
		close(next)
		rest, err := io.ReadAll(resp.Stream)
		if err != nil || string(rest) != "last;" {
			t.Errorf("rest %q, %v", rest, err)
		}
		backend.Close()
	}
}

// TestForwardStreamLimits: a backend silent for longer than the idle
// timeout, or still sending at the deadline, is cut off with
// INTEGRATION_TIMEOUT.
func TestForwardStreamLimits(t *testing.T) {
	stop := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "x")
		w.(http.Flusher).Flush()
		for r.URL.Path == "/trickle" {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			_, _ = io.WriteString(w, "x")
			w.(http.Flusher).Flush()
		}
		<-stop
	}))
	defer backend.Close()
	defer close(stop) // first: the handlers wait for it
	for _, c := range []struct {
		name, path string
		clients    *upstream.Clients
		deadline   time.Duration
	}{
		{"idle", "/silent", upstream.NewClients().WithStreamIdle(200 * time.Millisecond), time.Minute},
		{"deadline", "/trickle", upstream.NewClients(), 300 * time.Millisecond},
	} {
		resp := streamTo(t, c.clients, backend.URL+c.path, time.Now().Add(c.deadline))
		b, err := io.ReadAll(resp.Stream)
		var f *pipeline.Failure
		if !errors.As(err, &f) || f.Type != pipeline.IntegrationTimeout || !bytes.HasPrefix(b, []byte("x")) {
			t.Errorf("%s: read %q, end %v", c.name, b, err)
		}
	}
}

// TestForwardReadsWhole: outside STREAM mode the backend's answer is read
// whole before the client gets anything (a body, chunked or not, as one
// Content-Length answer), up to MaxResponseBody; a longer one, or one
// that breaks off, is the gateway's 500 (API_CONFIGURATION_ERROR) with
// none of the backend's headers.
func TestForwardReadsWhole(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := upstream.MaxResponseBody
		switch r.URL.Path {
		case "/over":
			n++
		case "/short":
			w.Header().Set("Content-Length", "10")
			_, _ = io.WriteString(w, "12345")
			return // the server closes the connection 5 bytes short
		}
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		w.Header().Set("X-Backend", "yes")
		chunk := bytes.Repeat([]byte("b"), 1<<20)
		for n > 0 {
			k := min(n, len(chunk))
			_, _ = w.Write(chunk[:k])
			n -= k
		}
	}))
	defer backend.Close()
	clients := upstream.NewClients()
	forward := func(path string) (*gatewaytest.Response, error) {
		resp := gatewaytest.NewResponse()
		x := &pipeline.Exchange{Req: gatewaytest.NewRequest("GET", "api.example.com", "/", nil), Resp: resp}
		req := fasthttp.AcquireRequest()
		defer fasthttp.ReleaseRequest(req)
		req.SetRequestURI(backend.URL + path)
		return resp, upstream.Forward(x, clients.Client(false), req, 10*time.Second)
	}
	for _, q := range []string{"", "?chunked=1"} {
		resp, err := forward("/limit" + q)
		if err != nil || resp.Code != 200 || resp.Stream != nil || len(resp.BodyBuf) != upstream.MaxResponseBody {
			t.Errorf("exactly 10 MB%s: %v, %d, streamed %v, %d bytes", q, err, resp.Code, resp.Stream != nil, len(resp.BodyBuf))
		}
	}
	for _, path := range []string{"/over", "/over?chunked=1", "/short"} {
		resp, err := forward(path)
		var f *pipeline.Failure
		if !errors.As(err, &f) || f.Type != pipeline.APIConfigurationError {
			t.Errorf("%s: %v, want API_CONFIGURATION_ERROR", path, err)
		}
		if resp.Headers.Get("X-Backend") != "" || len(resp.BodyBuf) != 0 {
			t.Errorf("%s: the backend's answer reached the client: %v %d bytes", path, resp.Headers, len(resp.BodyBuf))
		}
	}
}
