package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// TestHeadLimit: the request line and header values may take 10240 bytes
// together; one more is 431 {"message":"Request Header Fields Too Large"}
// with the request id, before routing and without invoking anything [D
// quota; U answer].
func TestHeadLimit(t *testing.T) {
	env, fl := echoEnv()
	door := routedAPI("GET /pets/{id}").stage(t, env, "$default")
	// "GET /pets/1?a=1 HTTP/1.1": 3+1+7+1+3+1+8 = 24; Host: len(testHost).
	base := 24 + len(testHost)
	pad := func(n int) string { return strings.Repeat("v", n) }
	r := do(door, "GET", "/pets/1?a=1", nil, "X-Pad", pad(maxHeadSize-base))
	if r.Code != 200 {
		t.Fatalf("exactly 10240 bytes: %d", r.Code)
	}
	calls := fl.calls("arn:aws:lambda:us-east-1:" + account + ":function:echo")
	r = do(door, "GET", "/pets/1?a=1", nil, "X-Pad", pad(maxHeadSize-base-10), "X-More", pad(11))
	if r.Code != 431 || string(r.BodyBuf) != `{"message":"Request Header Fields Too Large"}` {
		t.Errorf("10241 bytes: %d %.100s", r.Code, r.BodyBuf)
	}
	if r.Headers.Get("apigw-requestid") == "" || r.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("431 headers: %v", r.Headers)
	}
	if fl.calls("arn:aws:lambda:us-east-1:"+account+":function:echo") != calls {
		t.Error("the integration ran for a refused request")
	}
	expect(t, "no route, too large", do(door, "GET", "/nowhere", nil, "X-Pad", pad(maxHeadSize)), 431,
		`{"message":"Request Header Fields Too Large"}`)
}

// TestBodyLimit: a body over 10 MB is 413 {"message":"Request Entity Too
// Large"}, declared or chunked, for Lambda and HTTP backends alike;
// exactly 10 MB passes.
func TestBodyLimit(t *testing.T) {
	srv := echoBackend(t)
	env, _ := echoEnv()
	env.Clients = upstream.NewClients()
	a := newAPI()
	a.route("POST /fn", a.lambda("echo", "2.0"))
	a.route("POST /http", a.httpProxy(srv.URL+"/x"))
	door := a.stage(t, env, "$default")
	for _, path := range []string{"/fn", "/http"} {
		for _, chunked := range []bool{false, true} {
			req := gatewaytest.NewRequest("POST", testHost, path, bytes.Repeat([]byte("a"), pipeline.MaxBody+1))
			req.ChunkedBody = chunked
			resp := gatewaytest.NewResponse()
			door.Serve(context.Background(), req, resp)
			resp.Body()
			expect(t, path+" chunked="+strconv.FormatBool(chunked), resp, 413, `{"message":"Request Entity Too Large"}`)
		}
	}
	// (A backend that answers its size: echoing 10 MB back would be an
	// answer over the limit, see TestResponseBodyLimit.)
	sized := sizedBackend(t)
	b := newAPI()
	b.route("POST /size", b.httpProxy(sized.URL+"/size"))
	door = b.stage(t, env, "$default")
	if r := do(door, "POST", "/size", bytes.Repeat([]byte("a"), pipeline.MaxBody)); r.Code != 200 || string(r.BodyBuf) != strconv.Itoa(pipeline.MaxBody) {
		t.Errorf("exactly 10 MB: %d %.100s", r.Code, r.BodyBuf)
	}
}

// sizedBackend answers /size with the size of the body it was sent, and
// /answer?n=N with N bytes.
func sizedBackend(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/size" {
			_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
			return
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		chunk := bytes.Repeat([]byte("b"), 64<<10)
		for size > 0 {
			k := min(size, len(chunk))
			_, _ = w.Write(chunk[:k])
			size -= k
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestResponseBodyLimit: a backend's answer is read whole, up to 10 MB
// (API Gateway's payload limit); a larger one, declared or chunked, fails
// the integration: 500 {"message":"Internal server error"} [U], none of
// the backend's bytes reaching the client.
func TestResponseBodyLimit(t *testing.T) {
	srv := sizedBackend(t)
	env, _ := echoEnv()
	env.Clients = upstream.NewClients()
	a := newAPI()
	a.route("GET /answer", a.httpProxy(srv.URL+"/answer"))
	door := a.stage(t, env, "$default")
	for _, chunked := range []string{"", "&chunked=1"} {
		if r := do(door, "GET", "/answer?n="+strconv.Itoa(pipeline.MaxBody)+chunked, nil); r.Code != 200 || len(r.BodyBuf) != pipeline.MaxBody {
			t.Errorf("exactly 10 MB%s: %d, %d bytes", chunked, r.Code, len(r.BodyBuf))
		}
		expect(t, "over 10 MB"+chunked, do(door, "GET", "/answer?n="+strconv.Itoa(pipeline.MaxBody+1)+chunked, nil),
			500, `{"message":"Internal Server Error"}`)
	}
}

// TestDataProcessed: $context.dataProcessed counts the request and
// response bodies [U].
func TestDataProcessed(t *testing.T) {
	env, _ := echoEnv()
	var out bytes.Buffer
	env.Logs = &observe.LogSinks{Stdout: &out}
	env.Clients = upstream.NewClients()
	srv := echoBackend(t)
	a := newAPI()
	a.route("POST /http", a.httpProxy(srv.URL+"/x"))
	door := a.stage(t, env, "$default", func(s *modelv2.Stage) {
		s.AccessLogSettings = &modelv2.AccessLogSettings{Format: model.Ptr(`$context.dataProcessed $context.responseLength`)}
	})
	r := do(door, "POST", "/http", []byte("12345"))
	_ = env.Logs.Close()
	line := strings.TrimSpace(out.String())
	if want := strconv.Itoa(5+len(r.BodyBuf)) + " " + strconv.Itoa(len(r.BodyBuf)); line != want {
		t.Errorf("access log %q, want %q", line, want)
	}
}
