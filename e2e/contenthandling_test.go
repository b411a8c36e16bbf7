package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDataplaneContentHandling checks contentHandling on HTTP integration
// requests and integration responses (reference §6.1): CONVERT_TO_BINARY
// base64-decodes a text payload, CONVERT_TO_TEXT base64-encodes a binary
// one (binary: its Content-Type is one of the API's binaryMediaTypes).
func TestDataplaneContentHandling(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo": // the body as received, as text
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write(b)
		case "/bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte("\x00\x01hi"))
		case "/b64":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "aGVsbG8=")
		}
	}))
	t.Cleanup(backend.Close)

	dp := startDataPlane(t, "")
	a := dp.newAPIWith(t, map[string]any{"name": "content-handling", "binaryMediaTypes": []string{"application/octet-stream"}})
	route := func(path, verb, backendPath, requestHandling, responseHandling string) {
		a.method(t, path, verb, nil)
		in := map[string]any{"type": "HTTP", "httpMethod": verb, "uri": backend.URL + backendPath}
		if requestHandling != "" {
			in["contentHandling"] = requestHandling
		}
		a.integration(t, path, verb, in)
		a.methodResponse(t, path, verb, "200", nil)
		out := map[string]any{}
		if responseHandling != "" {
			out["contentHandling"] = responseHandling
		}
		a.integrationResponse(t, path, verb, "200", out)
	}
	route("/tobin", "POST", "/echo", "CONVERT_TO_BINARY", "")
	route("/totext", "POST", "/echo", "CONVERT_TO_TEXT", "")
	route("/binout", "GET", "/bin", "", "CONVERT_TO_TEXT")
	route("/textout", "GET", "/b64", "", "CONVERT_TO_BINARY")
	route("/plain", "POST", "/echo", "", "")
	a.deploy(t, "dev")
	dp.waitFor(t, a.url("dev", "/textout"), 200, "hello")

	post := func(path, ct, body string) result {
		return dp.do(t, "POST", a.url("dev", path), http.Header{"Content-Type": {ct}}, strings.NewReader(body))
	}
	expect(t, "request CONVERT_TO_BINARY decodes a text payload", post("/tobin", "text/plain", "aGVsbG8="), 200, "hello")
	expect(t, "request CONVERT_TO_TEXT encodes a binary payload", post("/totext", "application/octet-stream", "\x00\x01hi"), 200, "AAFoaQ==")
	expect(t, "request CONVERT_TO_TEXT leaves text alone", post("/totext", "text/plain", "plain text"), 200, "plain text")
	expect(t, "no contentHandling passes bytes through", post("/plain", "application/octet-stream", "\x00\x01hi"), 200, "\x00\x01hi")
	expect(t, "response CONVERT_TO_TEXT encodes a binary backend body", dp.do(t, "GET", a.url("dev", "/binout"), nil, nil), 200, "AAFoaQ==")
	expect(t, "response CONVERT_TO_BINARY decodes a text backend body", dp.do(t, "GET", a.url("dev", "/textout"), nil, nil), 200, "hello")
	r := post("/tobin", "text/plain", "not base64!")
	expect(t, "CONVERT_TO_BINARY of a payload that is not base64", r, 500, `{"message": "Internal server error"}`)
}
