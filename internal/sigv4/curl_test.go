package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// curlServer answers 200 "ok AKID SignedHeaders" when Verify accepts the
// request and 403 "Code: Message" otherwise.
func curlServer(t *testing.T, service string) *httptest.Server {
	t.Helper()
	v := &Verifier{Region: testRegion, Credentials: testCredentials()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, err := v.Verify(r, body, service)
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, err.Error())
			return
		}
		io.WriteString(w, "ok "+id.AccessKeyID+" "+strings.Join(id.SignedHeaders, ";"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runCurl runs the real curl with --aws-sigv4 and returns its output and
// HTTP status.
func runCurl(t *testing.T, provider, user string, args ...string) (string, string) {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required for this test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	full := append([]string{"-sS", "-w", "\n%{http_code}", "--aws-sigv4", provider, "--user", user}, args...)
	out, err := exec.CommandContext(ctx, path, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, out)
	}
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	return s[:i], s[i+1:]
}

// TestCurlRoundTrip checks that what the real curl --aws-sigv4 sends is
// accepted. curl 7.x signs the path as sent (no double encoding), the raw
// query string verbatim (unsorted, not re-encoded, '+' kept, "flag" without
// '='), host, x-amz-date and the headers given with -H (not the
// Content-Type that -d adds by itself), and collapses tabs and runs of
// spaces in header values to one space.
func TestCurlRoundTrip(t *testing.T) {
	srv := curlServer(t, "apigateway")
	const provider, user = "aws:amz:us-east-1:apigateway", testAKID + ":" + testSecret
	cases := []struct {
		name       string
		args       []string
		wantSigned string
	}{
		{"get", []string{srv.URL + "/restapis"}, "host;x-amz-date"},
		{"encoded-path", []string{srv.URL + "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc"}, "host;x-amz-date"},
		{"raw-reserved-path", []string{srv.URL + "/restapis/a:b@c"}, "host;x-amz-date"},
		{"lowercase-escape-path", []string{srv.URL + "/a%2fb/%e2%82%ac"}, "host;x-amz-date"},
		{"literal-percent-path", []string{srv.URL + "/a%25b"}, "host;x-amz-date"},
		{"sorted-query", []string{srv.URL + "/restapis?limit=5&position=abc"}, "host;x-amz-date"},
		{"unsorted-query", []string{srv.URL + "/restapis?position=abc&limit=5&limit=2&empty=&flag&sp=a%20b&plus=a+b&u=%E2%82%AC&l=%e2%82%ac"}, "host;x-amz-date"},
		{"post-body", []string{"-X", "POST", "-H", "Content-Type: application/json", "-d", `{"name":"pets"}`, srv.URL + "/restapis"}, "content-type;host;x-amz-date"},
		{"patch-headers", []string{"-X", "PATCH", "-H", "X-Custom:   a   b  ", "-H", "X-Tab: c\td", "-d", `{"patchOperations":[]}`, srv.URL + "/restapis/abc?mode=merge"}, "host;x-amz-date;x-custom;x-tab"},
		{"delete", []string{"-X", "DELETE", srv.URL + "/restapis/abc"}, "host;x-amz-date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runCurl(t, provider, user, tc.args...)
			if code != "200" || out != "ok "+testAKID+" "+tc.wantSigned {
				t.Fatalf("status %s: %s", code, out)
			}
		})
	}
}

func TestCurlRejected(t *testing.T) {
	srv := curlServer(t, "apigateway")
	cases := []struct {
		name, provider, user, url, wantPrefix string
	}{
		{"wrong-secret", "aws:amz:us-east-1:apigateway", testAKID + ":wrong", srv.URL + "/restapis?b=1&a=2",
			"InvalidSignatureException: The request signature we calculated does not match"},
		{"unknown-key", "aws:amz:us-east-1:apigateway", "AKIDUNKNOWN:" + testSecret, srv.URL + "/restapis",
			"UnrecognizedClientException: The security token included in the request is invalid."},
		{"wrong-service", "aws:amz:us-east-1:lambda", testAKID + ":" + testSecret, srv.URL + "/restapis",
			"InvalidSignatureException: Credential should be scoped to correct service: 'apigateway'. "},
		{"wrong-region", "aws:amz:eu-west-1:apigateway", testAKID + ":" + testSecret, srv.URL + "/restapis",
			"InvalidSignatureException: Credential should be scoped to a valid region, not 'eu-west-1'. "},
		// A path holding "%25" plus two hex digits is only verified in the
		// double-encoded form (see canonicalURIs), which curl does not use.
		{"encoded-percent-escape", "aws:amz:us-east-1:apigateway", testAKID + ":" + testSecret, srv.URL + "/a%2541",
			"InvalidSignatureException: The request signature we calculated does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runCurl(t, tc.provider, tc.user, tc.url)
			if code != "403" || !strings.HasPrefix(out, tc.wantPrefix) {
				t.Fatalf("status %s: %q", code, out)
			}
			if strings.Contains(out, testSecret) {
				t.Fatal("response leaks the secret")
			}
		})
	}
}
