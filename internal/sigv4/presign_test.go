package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPresignedErrors(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 50, 0, 0, time.UTC)
	cases := []struct {
		name  string
		build func(t *testing.T) *http.Request
		code  string
		msg   string
	}{
		{name: "expired",
			build: func(t *testing.T) *http.Request {
				return sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), at)
			},
			code: CodeInvalidSignature,
			msg:  "Signature expired: 20261124T105000Z is now earlier than 20261124T105500Z (20261124T110000Z - 5 min.)"},
		{name: "not-yet-current",
			build: func(t *testing.T) *http.Request {
				return sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow.Add(time.Hour))
			},
			code: CodeInvalidSignature,
			msg:  "Signature not yet current: 20261124T120000Z is still later than 20261124T111500Z (20261124T110000Z + 15 min.)"},
		{name: "no-expires-past-skew",
			build: func(t *testing.T) *http.Request {
				return sdkPresign(t, http.MethodGet, "/prod/pets", -1, hashHex(nil), testAWSCreds(), testNow.Add(-20*time.Minute))
			},
			code: CodeInvalidSignature,
			msg:  "Signature expired: 20261124T104000Z is now earlier than 20261124T104500Z (20261124T110000Z - 15 min.)"},
		{name: "expires-too-long",
			build: func(t *testing.T) *http.Request {
				return sdkPresign(t, http.MethodGet, "/prod/pets", 604801, hashHex(nil), testAWSCreds(), at)
			},
			code: CodeIncompleteSignature, msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "expires-not-a-number",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), at)
				r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-Expires=300", "X-Amz-Expires=soon", 1)
				return r
			},
			code: CodeIncompleteSignature, msg: "X-Amz-Expires should be a number"},
		{name: "expires-negative",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), at)
				r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-Expires=300", "X-Amz-Expires=-1", 1)
				return r
			},
			code: CodeIncompleteSignature, msg: "X-Amz-Expires must be non-negative"},
		{name: "missing-parameters",
			build: func(t *testing.T) *http.Request {
				r, _ := rawRequest(t, "GET /prod/pets?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261124T105000Z HTTP/1.1\nHost: h\n\n")
				return r
			},
			code: CodeIncompleteSignature,
			msg: "AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"Re-examine the query-string parameters."},
		{name: "unsupported-algorithm",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", 1)
				return r
			},
			code: CodeIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."},
		{name: "duplicate-signature",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI += "&X-Amz-Signature=00"
				return r
			},
			code: CodeIncompleteSignature, msg: "The query-string parameter 'X-Amz-Signature' must appear only once."},
		{name: "host-not-signed",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", 1)
				return r
			},
			code: CodeInvalidSignature, msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "tampered-query",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets?limit=1", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI = strings.Replace(r.RequestURI, "limit=1", "limit=1000", 1)
				return r
			},
			code: CodeInvalidSignature, msg: mismatch},
		{name: "longer-expiry",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-Expires=300", "X-Amz-Expires=3600", 1)
				return r
			},
			code: CodeInvalidSignature, msg: mismatch},
		{name: "tampered-path",
			build: func(t *testing.T) *http.Request {
				r := sdkPresign(t, http.MethodGet, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
				r.RequestURI = strings.Replace(r.RequestURI, "/pets", "/users", 1)
				return r
			},
			code: CodeInvalidSignature, msg: mismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := newTestVerifier(testNow).Verify(tc.build(t), nil, "execute-api")
			if err == nil {
				t.Fatalf("accepted: %+v", id)
			}
			e := asError(t, err)
			if e.Code != tc.code || !strings.HasPrefix(e.Message, tc.msg) || tc.msg != mismatch && e.Message != tc.msg {
				t.Errorf("got %s %q\nwant %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
}

// A presigned URL is valid until date + X-Amz-Expires, inclusive.
func TestPresignedExpiryBoundary(t *testing.T) {
	at := testNow.Add(-time.Hour)
	r := sdkPresign(t, http.MethodGet, "/prod/pets", 3600, hashHex(nil), testAWSCreds(), at)
	if _, err := newTestVerifier(testNow).Verify(r, nil, "execute-api"); err != nil {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := newTestVerifier(testNow.Add(time.Second)).Verify(r, nil, "execute-api"); err == nil {
		t.Fatal("accepted one second after expiry")
	}
}

// A presigned URL signs the body's hash, as botocore and the SDKs presign
// for every service but S3: with a body, a URL that signed the empty-body
// hash fails, one that signed the body's hash works, and UNSIGNED-PAYLOAD
// (S3's, which would let the URL's holder send any body) is refused with
// AWS's signature mismatch, whose canonical request shows the body's hash.
func TestPresignedPayload(t *testing.T) {
	v := newTestVerifier(testNow)
	body := []byte(`{"name":"x"}`)
	r := sdkPresign(t, http.MethodPost, "/prod/pets", 300, hashHex(nil), testAWSCreds(), testNow)
	if _, err := v.Verify(r, body, "execute-api"); err == nil {
		t.Fatal("body hash not enforced")
	}
	r = sdkPresign(t, http.MethodPost, "/prod/pets", 300, hashHex(body), testAWSCreds(), testNow)
	if _, err := v.Verify(r, body, "execute-api"); err != nil {
		t.Fatalf("body hash signed: %v", err)
	}
	for _, b := range [][]byte{nil, body, []byte(`{"name":"tampered"}`)} {
		r = sdkPresign(t, http.MethodPost, "/prod/pets", 300, "UNSIGNED-PAYLOAD", testAWSCreds(), testNow)
		_, err := v.Verify(r, b, "execute-api")
		if err == nil {
			t.Fatalf("UNSIGNED-PAYLOAD accepted with body %q", b)
		}
		e := asError(t, err)
		if e.Code != CodeInvalidSignature || !strings.HasPrefix(e.Message, mismatch) || !strings.Contains(e.Message, "\nhost\n"+hashHex(b)+"'") {
			t.Errorf("body %q: got %s %q", b, e.Code, e.Message)
		}
	}
}

// The header form of UNSIGNED-PAYLOAD (X-Amz-Content-Sha256 with an
// Authorization header or a presigned URL) is refused before the body is
// needed: Begin fails, with AWS's message for a header that does not match
// the body.
func TestUnsignedPayloadHeaderRefusedEarly(t *testing.T) {
	v := newTestVerifier(testNow)
	signedReq, _ := signed(t, http.MethodPost, "/restapis", `{"a":1}`,
		http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, "apigateway", testRegion, testNow, testAWSCreds())
	presigned := sdkPresign(t, http.MethodPost, "/restapis", 300, "UNSIGNED-PAYLOAD", testAWSCreds(), testNow)
	presigned.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	for name, c := range map[string]struct {
		r       *http.Request
		service string
	}{"authorization-header": {signedReq, "apigateway"}, "presigned": {presigned, "execute-api"}} {
		_, err := v.Begin(c.r, c.service)
		if err == nil {
			t.Fatalf("%s: Begin accepted X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", name)
		}
		if e := asError(t, err); e.Code != CodeInvalidSignature || e.Message != msgBodyHashMismatch {
			t.Errorf("%s: got %s %q", name, e.Code, e.Message)
		}
	}
}
