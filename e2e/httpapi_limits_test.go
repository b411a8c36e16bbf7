package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHTTPAPILimits: HTTP APIs' quotas, set up with the AWS CLI v2: the
// request line and header values may take 10240 bytes (curl), more is 431;
// a body over 10 MB is 413 {"message":"Request Entity Too Large"},
// declared or chunked, to Lambda and HTTP backends (Go's client), exactly
// 10 MB passes; $context.dataProcessed in the access log counts the
// request and response bodies.
func TestHTTPAPILimits(t *testing.T) {
	requireAWSCLI(t)
	backend := newTestBackend(t)
	dp := startDataPlane(t, "", functionFlag(t, "fn", "httpv2")...)
	c := newCLI(t, dp.Gateway).v2()
	api := dp.newHTTPAPI(t, c, "limits")
	proxy := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "HTTP_PROXY", "--integration-method", "ANY",
		"--integration-uri", backend.URL+"/{proxy}", "--payload-format-version", "1.0")["IntegrationId"].(string)
	api.route(t, "ANY /p/{proxy+}", proxy)
	api.route(t, "POST /fn", api.lambdaIntegration(t, "fn", "2.0"))
	logPath := filepath.Join(t.TempDir(), "access.log")
	als, _ := json.Marshal(map[string]string{"DestinationArn": logPath,
		"Format": `{"requestId":"$context.requestId","status":"$context.status","dataProcessed":"$context.dataProcessed","len":"$context.responseLength"}`})
	c.obj("create-stage", "--api-id", api.ID, "--stage-name", "$default", "--auto-deploy", "--access-log-settings", string(als))
	api.waitFor(t, "/nothing", nil, 404)

	t.Run("head", func(t *testing.T) {
		// "GET /p/echo HTTP/1.1" (20) + Host + User-Agent and Accept as curl sends them.
		fixed := 20 + len(api.host()) + len("curl/x") + len("*/*")
		pad := func(n int) string { return strings.Repeat("h", n) }
		args := func(padLen int) []string {
			return []string{"-H", "Host: " + api.host(), "-A", "curl/x", "-H", "Accept: */*", "-H", "X-Pad: " + pad(padLen), dp.HTTP + "/p/echo"}
		}
		if r := curlResult(t, args(10240-fixed)...); r.Status != 200 {
			t.Errorf("10240 bytes: %d %.200s", r.Status, r.Body)
		}
		r := curlResult(t, args(10240-fixed+1)...)
		expect(t, "10241 bytes", r, 431, `{"message":"Request Header Fields Too Large"}`)
		if r.Header.Get("Apigw-Requestid") == "" {
			t.Errorf("431 without apigw-requestid: %v", r.Header)
		}
	})

	t.Run("body", func(t *testing.T) {
		limit := 10 << 20
		e := decodeEcho(t, "10 MB", api.send(t, "POST", "/p/echo", nil, string(pattern(limit))))
		if e.BodyLen != int64(limit) {
			t.Errorf("10 MB arrived with %d bytes", e.BodyLen)
		}
		for _, path := range []string{"/p/echo", "/fn"} {
			for _, chunked := range []bool{false, true} {
				var body io.Reader = bytes.NewReader(pattern(limit + 1))
				if chunked {
					body = io.MultiReader(body)
				}
				r, err := dp.send(t, "POST", dp.HTTP+path, http.Header{"Host": {api.host()}}, body)
				if err != nil {
					t.Errorf("%s chunked=%v: %v", path, chunked, err)
					continue
				}
				expect(t, fmt.Sprintf("%s chunked=%v", path, chunked), r, 413, `{"message":"Request Entity Too Large"}`)
				if r.Header.Get("Apigw-Requestid") == "" {
					t.Errorf("413 without apigw-requestid: %v", r.Header)
				}
			}
		}
	})

	t.Run("dataProcessed", func(t *testing.T) {
		r := api.send(t, "POST", "/p/echo", nil, "12345")
		id := r.Header.Get("Apigw-Requestid")
		want := strconv.Itoa(5 + len(r.Body))
		eventually(t, "access log line", func() error {
			for _, l := range readAccessLog(t, logPath) {
				if l["requestId"] == id {
					if l["dataProcessed"] != want || l["len"] != strconv.Itoa(len(r.Body)) {
						t.Errorf("access log %v, want dataProcessed %s", l, want)
					}
					return nil
				}
			}
			return fmt.Errorf("no line for %s", id)
		})
	})
	checkGatewayLog(t, dp.Gateway)
}
