package e2e

// Harness for the HTTP API tests (httpapi_*_test.go): APIs made with the
// AWS CLI v2 (`aws apigatewayv2`), requests through the host form
// ({apiId}.execute-api.localhost) with Go's client and curl (curlResult
// and tryCurl are domains_serve_test.go's).

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// httpAPI is an HTTP API on a gateway, managed through the AWS CLI.
type httpAPI struct {
	dp  *dataPlane
	cli *cliRunner
	ID  string
}

// host is the API's execute-api host name.
func (h *httpAPI) host() string { return h.ID + ".execute-api.localhost" }

// newHTTPAPI creates an HTTP API with the AWS CLI (args are create-api's
// further arguments, e.g. --target for quick create).
func (dp *dataPlane) newHTTPAPI(t *testing.T, c *cliRunner, name string, args ...string) *httpAPI {
	t.Helper()
	out := c.obj(append([]string{"create-api", "--name", name, "--protocol-type", "HTTP"}, args...)...)
	return &httpAPI{dp: dp, cli: c, ID: out["ApiId"].(string)}
}

// send issues a request to the API (host form over plain HTTP).
func (h *httpAPI) send(t testing.TB, method, path string, header http.Header, body string) result {
	t.Helper()
	hdr := http.Header{"Host": {h.host()}}
	for k, vs := range header {
		hdr[k] = vs
	}
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	if rd == nil {
		return h.dp.do(t, method, h.dp.HTTP+path, hdr, nil)
	}
	return h.dp.do(t, method, h.dp.HTTP+path, hdr, rd)
}

// waitFor polls GET path until it answers status (deployments go live
// within milliseconds, asynchronously).
func (h *httpAPI) waitFor(t testing.TB, path string, header http.Header, status int) result {
	t.Helper()
	var r result
	deadline := time.Now().Add(5 * time.Second)
	for {
		r = h.send(t, "GET", path, header, "")
		if r.Status == status || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r.Status != status {
		t.Fatalf("GET %s: %s, want %d", path, r, status)
	}
	return r
}
