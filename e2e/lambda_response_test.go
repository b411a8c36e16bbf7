package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLambdaProxyResponse: what a function returns becomes the response
// by AWS's rules, case by case as recorded in
// test_aws_proxy_response_payload_format_validation (the function returns
// the request body it is sent), plus binary bodies with binaryMediaTypes
// and Accept, and output that is not JSON.
func TestLambdaProxyResponse(t *testing.T) {
	t.Parallel()
	dp := startDataPlane(t, "")
	dp.createFunction(t, "respond", "respond", nil)
	a := dp.newAPI(t, "proxy-response")
	dp.call(t, "PATCH", "/restapis/"+a.ID, map[string]any{"patchOperations": []map[string]any{
		{"op": "add", "path": "/binaryMediaTypes/image~1png"}}})
	a.lambdaProxy(t, "/{proxy+}", "ANY", "respond", nil)
	a.deploy(t, "test")
	eventually(t, "deployment", func() error {
		if r := a.rawSend(t, "POST", "/test/x", nil, `{"statusCode": 200}`); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})

	cases := []struct {
		name    string
		output  string // what the function returns
		accept  string
		status  int
		body    string
		headers map[string]string // expected response headers (canonical names)
	}{
		{"no-body", `{"statusCode": 200}`, "", 200, "", map[string]string{"Content-Type": "application/json"}},
		{"with-headers", `{"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}`, "", 200, "",
			map[string]string{"Test-Header": "value", "Header-Bool": "true", "Content-Type": "application/json"}},
		{"with-headers-null", `{"statusCode": 200, "headers": null}`, "", 200, "", nil},
		{"wrong-format", `{"statusCode": 200, "wrongValue": "value"}`, "", 502, bodyInternal,
			map[string]string{"X-Amzn-Errortype": "InternalServerErrorException"}},
		{"empty-response", ``, "", 502, bodyInternal, nil},
		{"b64-encoded-true", `{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}`, "", 200, "dGVzdC1kYXRh", nil},
		{"b64-encoded-false", `{"statusCode": 200, "body": "dGVzdC1kYXRh"}`, "", 200, "dGVzdC1kYXRh", nil},
		{"multi-headers-valid", `{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}`, "", 200, "",
			map[string]string{"Test-Multi": "value1, value2"}},
		{"multi-headers-overwrite", `{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`, "", 200, "",
			map[string]string{"Test-Multi": "value-multi, value-solo"}},
		{"multi-headers-invalid", `{"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}`, "", 502, bodyInternal, nil},
		{"invalid-status-code", `{"statusCode": "test"}`, "", 502, bodyInternal, nil},
		{"status-code-str", `{"statusCode": "201"}`, "", 201, "", nil},
		{"just-string", `"justAString"`, "", 502, bodyInternal, nil},
		{"only-headers", `{"headers": {"test-header": "value"}}`, "", 200, "", map[string]string{"Test-Header": "value"}},
		// Beyond the recording: binary bodies, custom status and type,
		// output that is not JSON at all.
		{"b64-binary-accepted", `{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true, "headers": {"Content-Type": "image/png"}}`, "image/png", 200, "test-data",
			map[string]string{"Content-Type": "image/png"}},
		{"b64-binary-not-first-accept", `{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}`, "application/json, image/png", 200, "dGVzdC1kYXRh", nil},
		{"custom-status-and-type", `{"statusCode": 418, "headers": {"Content-Type": "text/plain"}, "body": "teapot"}`, "", 418, "teapot",
			map[string]string{"Content-Type": "text/plain"}},
		{"not-json", `this is not JSON`, "", 502, bodyInternal, nil},
		{"array", `[1, 2]`, "", 502, bodyInternal, nil},
		{"body-not-string", `{"statusCode": 200, "body": {"a": 1}}`, "", 502, bodyInternal, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{"User-Agent": "python/test", "Content-Type": "application/json"}
			if c.accept != "" {
				h["Accept"] = c.accept
			}
			r := a.rawSend(t, "POST", "/test/x", h, c.output)
			if r.Status != c.status || r.Body != c.body {
				t.Errorf("got %s, want %d %q", r, c.status, c.body)
			}
			for k, v := range c.headers {
				if got := r.Header.Values(k); strings.Join(got, ", ") != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if r.Header.Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId")
			}
		})
	}

	// multiValueHeaders' casing wins over headers' (the raw response).
	t.Run("multi-headers-overwrite-casing", func(t *testing.T) {
		out := `{"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}}`
		raw := rawRequest(t, hostOf(dp.HTTP), fmt.Sprintf("POST /test/x HTTP/1.1\r\nHost: %s.execute-api.localhost\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
			a.ID, len(out), out), 10*time.Second)
		if !strings.Contains(raw, "\r\ntesT-Multi: value-multi, value-solo\r\n") {
			t.Errorf("response lacks the header with multiValueHeaders' casing:\n%s", raw)
		}
	})

	// Malformed output is logged with its cause.
	dp.waitLog(t, "Malformed Lambda proxy response")
	checkGatewayLog(t, dp.Gateway)
}
