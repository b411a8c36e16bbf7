package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var sdkCases = []struct {
	name   string
	method string
	target string
	body   string
	header http.Header
}{
	{name: "get", method: http.MethodGet, target: "/restapis?limit=25&position=abc"},
	{name: "get-root", method: http.MethodGet, target: ""},
	{name: "post-json", method: http.MethodPost, target: "/restapis",
		body: `{"name":"pets","description":"héllo"}`, header: http.Header{"Content-Type": {"application/json"}}},
	{name: "patch", method: http.MethodPatch, target: "/restapis/a1b2c3/resources/r1",
		body:   `{"patchOperations":[{"op":"replace","path":"/pathPart","value":"x"}]}`,
		header: http.Header{"Content-Type": {"application/json"}, "X-Custom": {"  spaced   value  "}}},
	{name: "delete", method: http.MethodDelete, target: "/restapis/a1b2c3"},
	{name: "encoded-path", method: http.MethodGet,
		target: "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc"},
	{name: "encoded-path-put", method: http.MethodPut,
		target: "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc?tagKeys=a&tagKeys=b",
		body:   `{"tags":{"k":"v"}}`},
	{name: "path-raw-reserved", method: http.MethodGet, target: "/restapis/a:b@c,d;e=f!$'()*"},
	{name: "path-space-unicode", method: http.MethodGet, target: "/restapis/a%20b/%C3%BC%E2%82%AC"},
	{name: "path-percent", method: http.MethodGet, target: "/restapis/100%25/x"},
	{name: "query-repeated", method: http.MethodGet, target: "/restapis?b=2&a=3&a=1&a=2"},
	{name: "query-empty-values", method: http.MethodGet, target: "/restapis?empty=&flag&x="},
	{name: "query-spaces", method: http.MethodGet, target: "/restapis?q=a%20b&plus=a+b&lit=a%2Bb"},
	{name: "query-unicode", method: http.MethodGet, target: "/restapis?name=%C3%BC%E2%82%AC&%E1%88%B4=bar"},
	{name: "query-reserved", method: http.MethodGet, target: "/restapis?filter=a:b/c?d@e&x=%26%3D%2F"},
	{name: "multi-value-header", method: http.MethodGet, target: "/restapis",
		header: http.Header{"X-Multi": {"one", "two", " three  3 "}}},
	{name: "header-with-tab", method: http.MethodPost, target: "/restapis",
		body: "{}", header: http.Header{"X-Tab": {"a\tb"}}},
}

// TestSDKRoundTrip signs requests with aws-sdk-go-v2's signer and verifies
// them both as built (client side) and after a trip through the HTTP/1.1
// wire format (server side).
func TestSDKRoundTrip(t *testing.T) {
	at := testNow.Add(-3 * time.Minute)
	v := newTestVerifier(testNow)
	for _, tc := range sdkCases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			req := sdkRequest(t, tc.method, tc.target, body, tc.header)
			sdkSign(t, req, body, testAWSCreds(), "apigateway", at)

			id, err := v.Verify(req, body, "apigateway")
			if err != nil {
				t.Fatalf("client-side Verify: %v", err)
			}
			if id.AccessKeyID != testAKID || id.Service != "apigateway" || id.Region != testRegion || !id.SigningTime.Equal(at) {
				t.Errorf("identity = %+v", id)
			}

			sr, sbody, err := overTheWire(t, req)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(sr, sbody, "apigateway"); err != nil {
				t.Fatalf("server-side Verify of %s: %v", sr.RequestURI, err)
			}
		})
	}
}

// TestSDKOverHTTP sends SDK-signed requests to a real server.
func TestSDKOverHTTP(t *testing.T) {
	v := &Verifier{Region: testRegion, Credentials: testCredentials()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := v.Verify(r, body, "apigateway"); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	for _, tc := range sdkCases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			req := sdkRequest(t, tc.method, tc.target, body, tc.header)
			u, err := url.Parse(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.Scheme, req.URL.Host, req.Host = u.Scheme, u.Host, u.Host
			sdkSign(t, req, body, testAWSCreds(), "apigateway", time.Now())
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, out)
			}
		})
	}
}

// A session token is signed like any header and otherwise ignored.
func TestSDKSessionToken(t *testing.T) {
	creds := testAWSCreds()
	creds.SessionToken = "FwoGZXIvYXdzEJr//////////wEaDK+token=="
	req := sdkRequest(t, http.MethodGet, "/restapis", nil, nil)
	sdkSign(t, req, nil, creds, "apigateway", testNow)
	if req.Header.Get("X-Amz-Security-Token") == "" {
		t.Fatal("SDK did not add X-Amz-Security-Token")
	}
	sr, body, err := overTheWire(t, req)
	if err != nil {
		t.Fatal(err)
	}
	v := newTestVerifier(testNow)
	if _, err := v.Verify(sr, body, "apigateway"); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	sr.Header.Set("X-Amz-Security-Token", "other")
	if _, err := v.Verify(sr, body, "apigateway"); err == nil {
		t.Fatal("tampered security token accepted")
	}
}

// The execute-api and lambda service names verify the same way.
func TestSDKOtherServices(t *testing.T) {
	v := newTestVerifier(testNow)
	for _, svc := range []string{"execute-api", "lambda"} {
		req := sdkRequest(t, http.MethodPost, "/2015-03-31/functions/f%3A1/invocations", []byte(`{}`), nil)
		sdkSign(t, req, []byte(`{}`), testAWSCreds(), svc, testNow)
		sr, body, err := overTheWire(t, req)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := v.Verify(sr, body, svc); err != nil || id.Service != svc {
			t.Fatalf("%s: %+v %v", svc, id, err)
		}
		if _, err := v.Verify(sr, body, "apigateway"); err == nil {
			t.Fatalf("%s signature accepted for apigateway", svc)
		}
	}
}

func sdkPresign(t *testing.T, method, target string, expires int, payloadHash string, creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	req := sdkRequest(t, method, target, nil, nil)
	if expires >= 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		req.URL.RawQuery = q.Encode()
	}
	signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash, "execute-api", testRegion, at)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(method, signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = vs
		}
	}
	sr, _, err := overTheWire(t, out)
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

func TestSDKPresigned(t *testing.T) {
	at := testNow.Add(-10 * time.Minute)
	sessionCreds := testAWSCreds()
	sessionCreds.SessionToken = "session/token+value"
	cases := []struct {
		name    string
		target  string
		expires int
		payload string
		creds   aws.Credentials
	}{
		{"sorted-query", "/prod/pets?b=2&a=1", 900, hashHex(nil), testAWSCreds()},
		{"empty-body-hash", "/prod/pets", 3600, hashHex(nil), testAWSCreds()},
		{"no-expires", "/prod/pets", -1, hashHex(nil), testAWSCreds()},
		{"encoded-path-and-query", "/prod/a%2Fb/%C3%BC?q=x%20y&flag", 60 * 60 * 24 * 7, hashHex(nil), testAWSCreds()},
		{"session-token", "/prod/pets", 900, hashHex(nil), sessionCreds},
	}
	v := newTestVerifier(testNow)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sdkPresign(t, http.MethodGet, tc.target, tc.expires, tc.payload, tc.creds, at)
			id, err := v.Verify(r, nil, "execute-api")
			if err != nil {
				t.Fatalf("Verify %s: %v", r.RequestURI, err)
			}
			if !id.Presigned || id.AccessKeyID != testAKID || id.Service != "execute-api" {
				t.Errorf("identity = %+v", id)
			}
		})
	}
}
