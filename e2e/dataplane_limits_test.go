package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const bodyTooLarge = "HTTP content length exceeded 10485760 bytes."

// TestDataplaneLimits: the 10 MB body limit (declared and chunked),
// integration timeouts, unreachable backends, oversized headers and slow
// clients.
func TestDataplaneLimits(t *testing.T) {
	dp := startDataPlane(t, "")
	be := newTestBackend(t)
	a := dp.newAPI(t, "limits")
	a.mock(t, "/mock", "POST", `{"ok":true}`)
	a.proxy(t, "/p/{proxy+}", "ANY", be.URL+"/{proxy}", nil)
	a.proxy(t, "/slow", "GET", be.URL+"/sleep?d=3s", map[string]any{"timeoutInMillis": 50})
	a.method(t, "/slowhttp", "GET", nil)
	a.integration(t, "/slowhttp", "GET", map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": be.URL + "/sleep?d=3s", "timeoutInMillis": 50})
	a.methodResponse(t, "/slowhttp", "GET", "200", nil)
	a.integrationResponse(t, "/slowhttp", "GET", "200", nil)
	// A closed port: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	a.proxy(t, "/refused", "GET", closed+"/x", nil)
	a.method(t, "/refusedhttp", "GET", nil)
	a.integration(t, "/refusedhttp", "GET", map[string]any{"type": "HTTP", "httpMethod": "GET", "uri": closed + "/x"})
	a.methodResponse(t, "/refusedhttp", "GET", "200", nil)
	a.integrationResponse(t, "/refusedhttp", "GET", "200", nil)
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/p/sleep?d=0s"), 200, "slept")

	t.Run("body limit", func(t *testing.T) {
		limit := 10 << 20
		// Exactly 10 MB passes.
		e := decodeEcho(t, "10 MB", dp.do(t, "POST", a.url("s", "/p/echo"), nil, bytes.NewReader(pattern(limit))))
		if e.BodyLen != int64(limit) {
			t.Errorf("10 MB body arrived with %d bytes", e.BodyLen)
		}
		for _, c := range []struct {
			name, path string
			chunked    bool
			size       int
		}{
			{"Content-Length, proxy", "/p/echo", false, limit + 1},
			{"Content-Length, mock", "/mock", false, limit + 1},
			{"Content-Length 11 MB, proxy", "/p/echo", false, 11 << 20},
			{"Content-Length 11 MB, unknown route", "/nowhere", false, 11 << 20},
			{"chunked, proxy", "/p/echo", true, limit + 1},
			{"chunked, mock", "/mock", true, limit + 1},
		} {
			var body io.Reader = bytes.NewReader(pattern(c.size))
			if c.chunked {
				body = io.MultiReader(body) // unknown length: chunked
			}
			r, err := dp.send(t, "POST", a.url("s", c.path), nil, body)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			expect(t, c.name, r, 413, bodyTooLarge)
			checkIDs(t, c.name, r)
		}
		// Over HTTPS too.
		tlsc := dp.tlsClient(t, nil)
		res, err := tlsc.Post(dp.HTTPS+"/_aws/execute-api/"+a.ID+"/s/mock", "application/json", bytes.NewReader(pattern(11<<20)))
		if err != nil {
			t.Errorf("HTTPS 11 MB: %v", err)
		} else {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			expect(t, "HTTPS 11 MB", result{Status: res.StatusCode, Header: res.Header, Body: string(b)}, 413, bodyTooLarge)
		}
		// Other early answers to large bodies arrive too (no reset while the
		// client is still sending).
		for _, chunked := range []bool{false, true} {
			var body io.Reader = bytes.NewReader(pattern(8 << 20))
			if chunked {
				body = io.MultiReader(body)
			}
			r, err := dp.send(t, "POST", a.url("nostage", "/mock"), nil, body)
			if err != nil {
				t.Errorf("8 MB to an unknown stage (chunked %v): %v", chunked, err)
				continue
			}
			expect(t, "8 MB to an unknown stage", r, 403, bodyForbidden)
		}
		// The gateway still answers afterwards.
		dp.waitFor(t, a.url("s", "/p/sleep?d=0s"), 200, "slept")
	})

	t.Run("integration timeout", func(t *testing.T) {
		for _, p := range []string{"/slow", "/slowhttp"} {
			start := time.Now()
			r := dp.do(t, "GET", a.url("s", p), nil, nil)
			expect(t, p, r, 504, `{"message": "Endpoint request timed out"}`)
			if r.Header.Get("x-amzn-ErrorType") == "" {
				t.Errorf("%s: no x-amzn-ErrorType", p)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: timed out after %v, want about 50ms", p, d)
			}
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		for _, p := range []string{"/refused", "/refusedhttp"} {
			r := dp.do(t, "GET", a.url("s", p), nil, nil)
			expect(t, p, r, 500, bodyInternal)
			if r.Header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
				t.Errorf("%s: x-amzn-ErrorType %q", p, r.Header.Get("x-amzn-ErrorType"))
			}
			checkIDs(t, p, r)
		}
	})

	t.Run("oversized headers", func(t *testing.T) {
		for name, headers := range map[string]string{
			"one 32 KB header":   "X-Big: " + strings.Repeat("a", 32<<10) + "\r\n",
			"200 headers of 1KB": strings.Repeat("X-Many: "+strings.Repeat("b", 1<<10)+"\r\n", 200),
		} {
			raw := "GET /_aws/execute-api/" + a.ID + "/s/p/echo HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n"
			start := time.Now()
			out := rawRequest(t, hostOf(dp.HTTP), raw, 5*time.Second)
			if time.Since(start) > 4*time.Second {
				t.Errorf("%s: the gateway did not answer", name)
				continue
			}
			res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
			if err != nil {
				t.Errorf("%s: %v: %q", name, err, out[:min(len(out), 200)])
				continue
			}
			if res.StatusCode < 400 || res.StatusCode > 499 {
				t.Errorf("%s: status %d, want a 4xx", name, res.StatusCode)
			}
			checkIDs(t, name, result{Status: res.StatusCode, Header: res.Header})
		}
		// Headers within AWS's 10,240 bytes pass.
		r := dp.do(t, "GET", a.url("s", "/p/echo"), http.Header{"X-Ok": {strings.Repeat("c", 9000)}}, nil)
		if e := decodeEcho(t, "9 KB header", r); len(e.Header.Get("X-Ok")) != 9000 {
			t.Error("9 KB header lost")
		}
	})

	t.Run("malformed request", func(t *testing.T) {
		out := rawRequest(t, hostOf(dp.HTTP), "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 5*time.Second)
		res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
		if err != nil {
			t.Fatalf("%v: %q", err, out)
		}
		if res.StatusCode != 400 {
			t.Errorf("malformed request: %d", res.StatusCode)
		}
		checkIDs(t, "malformed request", result{Status: res.StatusCode, Header: res.Header})
	})

	t.Run("slowloris", func(t *testing.T) {
		// Twenty clients trickle their headers; the others are served.
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for i := 0; i < 20; i++ {
			c, err := net.Dial("tcp", hostOf(dp.HTTP))
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.WriteString(c, "GET /_aws/execute-api/"+a.ID+"/s/p/echo HTTP/1.1\r\nHost: x\r\n")
				for {
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
						if _, err := io.WriteString(c, "X-A: b\r\n"); err != nil {
							return
						}
					}
				}
			}()
		}
		time.Sleep(100 * time.Millisecond)
		for i := 0; i < 20; i++ {
			start := time.Now()
			r := dp.do(t, "GET", a.url("s", "/p/sleep?d=0s"), nil, nil)
			if r.Status != 200 || time.Since(start) > time.Second {
				t.Errorf("request %d during slowloris: %s after %v", i, r, time.Since(start))
			}
		}
		close(stop)
		wg.Wait()
	})
}

// TestDataplaneGatewayResponses: default gateway responses, and a
// PutGatewayResponse customisation that only goes live with the next
// deployment.
func TestDataplaneGatewayResponses(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "gwresponses")
	a.mock(t, "/v", "GET", `{"v":"$stageVariables.v"}`)
	a.method(t, "/never", "POST", nil)
	a.integration(t, "/never", "POST", map[string]any{"type": "MOCK", "passthroughBehavior": "NEVER"})
	a.deploy(t, "s")
	a.patchStage(t, "s", replaceOp("/variables/v", "0"))
	dp.waitFor(t, a.url("s", "/v"), 200, `{"v":"0"}`)

	mat := func(h http.Header) result { return dp.do(t, "GET", a.url("s", "/nope"), h, nil) }
	expectMAT(t, "default", mat(nil))
	r := dp.do(t, "POST", a.url("s", "/never"), http.Header{"Content-Type": {"text/plain"}}, strings.NewReader("x"))
	expect(t, "default 415", r, 415, `{"message":"Unsupported Media Type"}`)

	a.dp.call(t, "PUT", "/restapis/"+a.ID+"/gatewayresponses/MISSING_AUTHENTICATION_TOKEN", map[string]any{
		"statusCode": "404",
		"responseParameters": map[string]string{
			"gatewayresponse.header.X-Echo":                      "method.request.header.X-In",
			"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
		},
		"responseTemplates": map[string]string{
			"application/json": `{"msg":$context.error.messageString,"type":"$context.error.responseType","path":"$context.path"}`,
		},
	})
	a.dp.call(t, "PUT", "/restapis/"+a.ID+"/gatewayresponses/DEFAULT_4XX", map[string]any{
		"responseParameters": map[string]string{"gatewayresponse.header.X-Cors": "'yes'"},
	})

	// Not live yet: force a recompile of the stage (new stage variable)
	// and check the old gateway responses still answer.
	a.patchStage(t, "s", replaceOp("/variables/v", "1"))
	dp.waitFor(t, a.url("s", "/v"), 200, `{"v":"1"}`)
	r = mat(http.Header{"X-In": {"hello"}})
	expectMAT(t, "customised but not deployed", r)
	if r.Header.Get("X-Echo") != "" || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("customisation live before deployment: %v", r.Header)
	}

	a.deploy(t, "s")
	want := `{"msg":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN","path":"/s/nope"}`
	eventually(t, "customised gateway response", func() error {
		r = mat(http.Header{"X-In": {"hello"}})
		if r.Status != 404 || r.Body != want {
			return errorf("got %s", r)
		}
		return nil
	})
	if r.Header.Get("X-Echo") != "hello" || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		r.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("customised response headers: %v", r.Header)
	}
	if r.Header.Get("X-Cors") != "" {
		t.Error("a customised type must not inherit DEFAULT_4XX")
	}
	checkIDs(t, "customised", r)
	// An absent source header is simply omitted.
	if r := mat(nil); r.Status != 404 || r.Header.Get("X-Echo") != "" {
		t.Errorf("no X-In: %s %v", r, r.Header)
	}
	// DEFAULT_4XX reaches the types not customised themselves.
	r = dp.do(t, "POST", a.url("s", "/never"), http.Header{"Content-Type": {"text/plain"}}, strings.NewReader("x"))
	expect(t, "415 under DEFAULT_4XX", r, 415, `{"message":"Unsupported Media Type"}`)
	if r.Header.Get("X-Cors") != "yes" {
		t.Errorf("415 lacks DEFAULT_4XX's header: %v", r.Header)
	}
	// Unknown stages still answer AWS's plain Forbidden.
	expect(t, "unknown stage", dp.do(t, "GET", a.url("nostage", "/v"), nil, nil), 403, bodyForbidden)

	var got map[string]any
	out := dp.call(t, "GET", "/restapis/"+a.ID+"/gatewayresponses/MISSING_AUTHENTICATION_TOKEN", nil)
	b, _ := json.Marshal(out)
	_ = json.Unmarshal(b, &got)
	if got["statusCode"] != "404" {
		t.Errorf("GetGatewayResponse: %s", b)
	}
}
