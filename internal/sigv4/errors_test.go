package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// signed returns a server-side request signed by aws-sdk-go-v2.
func signed(t testing.TB, method, target, body string, header http.Header, service, region string, at time.Time, creds aws.Credentials) (*http.Request, []byte) {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	req := sdkRequest(t, method, target, b, header)
	sdkSignRegion(t, req, b, creds, service, region, at)
	sr, sb, err := overTheWire(t, req)
	if err != nil {
		t.Fatal(err)
	}
	return sr, sb
}

// okRequest is a valid signed POST, for tests to tamper with.
func okRequest(t *testing.T) (*http.Request, []byte) {
	return signed(t, http.MethodPost, "/restapis/abc/resources?mode=merge&x=1", `{"name":"pets"}`,
		http.Header{"Content-Type": {"application/json"}, "X-Custom": {"v1"}},
		"apigateway", testRegion, testNow, testAWSCreds())
}

// manual returns a request carrying the given Authorization header and
// X-Amz-Date (omitted when empty).
func manual(t *testing.T, authorization, amzDate string) (*http.Request, []byte) {
	raw := "GET /restapis HTTP/1.1\nHost: " + testHost + "\n"
	if amzDate != "" {
		raw += "X-Amz-Date: " + amzDate + "\n"
	}
	if authorization != "" {
		raw += "Authorization: " + authorization + "\n"
	}
	return rawRequest(t, raw+"\n")
}

const (
	goodScope = "Credential=" + testAKID + "/20261124/us-east-1/apigateway/aws4_request"
	zeroSig   = "Signature=0000000000000000000000000000000000000000000000000000000000000000"
	mismatch  = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details." +
		"\n\nThe Canonical String for this request should have been\n'"
)

func TestErrors(t *testing.T) {
	cases := []struct {
		name   string
		build  func(t *testing.T) (*http.Request, []byte)
		now    time.Time // zero: testNow
		code   string
		msg    string
		prefix bool // msg is only a prefix of the message
	}{
		{name: "missing-authentication",
			build: func(t *testing.T) (*http.Request, []byte) { return manual(t, "", "20261124T110000Z") },
			code:  CodeMissingAuthenticationToken, msg: "Missing Authentication Token"},
		{name: "malformed-query-escape",
			build: func(t *testing.T) (*http.Request, []byte) {
				return rawRequest(t, "GET /restapis?a=%zz HTTP/1.1\nHost: h\n\n")
			},
			code: CodeMalformedQueryString, msg: "Illegal hex character in escape % pattern: %zz"},
		{name: "malformed-query-trailing",
			build: func(t *testing.T) (*http.Request, []byte) {
				return rawRequest(t, "GET /restapis?a=%4 HTTP/1.1\nHost: h\n\n")
			},
			code: CodeMalformedQueryString, msg: "Incomplete trailing escape % sequence"},
		{name: "bearer-token",
			build: func(t *testing.T) (*http.Request, []byte) { return manual(t, "Bearer abc.def", "20261124T110000Z") },
			code:  CodeIncompleteSignature,
			msg:   "'abc.def' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc.def'."},
		{name: "space-inside-credential",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 Credential= AKID/20261124/us-east-1/apigateway/aws4_request, SignedHeaders=host, "+zeroSig, "20261124T110000Z")
			},
			code: CodeIncompleteSignature,
			msg: "'AKID/20261124/us-east-1/apigateway/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: " +
				"'AWS4-HMAC-SHA256 Credential= AKID/20261124/us-east-1/apigateway/aws4_request, SignedHeaders=host, " + zeroSig + "'."},
		{name: "garbage-no-date",
			build: func(t *testing.T) (*http.Request, []byte) { return manual(t, "mock", "") },
			code:  CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=mock"},
		{name: "missing-signature-and-signed-headers",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope, "20261124T110000Z")
			},
			code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization=AWS4-HMAC-SHA256 " + goodScope},
		{name: "missing-date",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope+", SignedHeaders=host, "+zeroSig, "")
			},
			code: CodeIncompleteSignature,
			msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256 " + goodScope + ", SignedHeaders=host, " + zeroSig},
		{name: "unsupported-algorithm",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA512 "+goodScope+", SignedHeaders=host;x-amz-date, "+zeroSig, "20261124T110000Z")
			},
			code: CodeIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{name: "host-not-signed",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope+", SignedHeaders=x-amz-date, "+zeroSig, "20261124T110000Z")
			},
			code: CodeInvalidSignature, msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "empty-signed-headers",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope+",SignedHeaders=,"+zeroSig, "20261124T110000Z")
			},
			code: CodeInvalidSignature, msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "duplicate-signed-header",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope+", SignedHeaders=host;x-amz-date;HOST, "+zeroSig, "20261124T110000Z")
			},
			code: CodeIncompleteSignature, msg: "SignedHeaders lists 'host' more than once."},
		{name: "bad-amz-date",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 "+goodScope+", SignedHeaders=host;x-amz-date, "+zeroSig, "2026-11-24T11:00:00Z")
			},
			code: CodeIncompleteSignature,
			msg:  "Date must be in ISO-8601 'basic format'. Got '2026-11-24T11:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "bad-http-date",
			build: func(t *testing.T) (*http.Request, []byte) {
				return rawRequest(t, "GET / HTTP/1.1\nHost: h\nDate: yesterday\nAuthorization: AWS4-HMAC-SHA256 "+goodScope+", SignedHeaders=date;host, "+zeroSig+"\n\n")
			},
			code: CodeIncompleteSignature,
			msg:  "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "signature-expired",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion,
					time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), testAWSCreds())
			},
			code: CodeInvalidSignature,
			msg:  "Signature expired: 20261124T100000Z is now earlier than 20261124T104500Z (20261124T110000Z - 15 min.)"},
		{name: "signature-expired-by-one-second",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion,
					time.Date(2026, 11, 24, 10, 44, 59, 0, time.UTC), testAWSCreds())
			},
			code: CodeInvalidSignature,
			msg:  "Signature expired: 20261124T104459Z is now earlier than 20261124T104500Z (20261124T110000Z - 15 min.)"},
		{name: "signature-not-yet-current",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion,
					time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), testAWSCreds())
			},
			code: CodeInvalidSignature,
			msg:  "Signature not yet current: 20261124T120000Z is still later than 20261124T111500Z (20261124T110000Z + 15 min.)"},
		{name: "credential-four-parts",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/apigateway, SignedHeaders=host;x-amz-date, "+zeroSig, "20261124T110000Z")
			},
			code: CodeIncompleteSignature,
			msg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20261124/us-east-1/apigateway'"},
		{name: "wrong-service",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "lambda", testRegion, testNow, testAWSCreds())
			},
			code: CodeInvalidSignature, msg: "Credential should be scoped to correct service: 'apigateway'. "},
		{name: "wrong-region",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", "eu-west-1", testNow, testAWSCreds())
			},
			code: CodeInvalidSignature, msg: "Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{name: "wrong-terminator",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/apigateway/aws5_request, SignedHeaders=host;x-amz-date, "+zeroSig, "20261124T110000Z")
			},
			code: CodeInvalidSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "scope-date-mismatch",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, "+zeroSig, "20261124T105000Z")
			},
			code: CodeInvalidSignature,
			msg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261124', from '20261124T105000Z'. "},
		{name: "scope-everything-wrong",
			build: func(t *testing.T) (*http.Request, []byte) {
				return manual(t, "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/lambda/aws5_request, SignedHeaders=host;x-amz-date, "+zeroSig, "20261124T105000Z")
			},
			code: CodeInvalidSignature,
			msg: "Credential should be scoped to a valid region, not 'eu-west-1'. " +
				"Credential should be scoped to correct service: 'apigateway'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261124', from '20261124T105000Z'. "},
		{name: "unknown-access-key",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion, testNow,
					aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: testSecret})
			},
			code: CodeUnrecognizedClient, msg: "The security token included in the request is invalid."},
		{name: "body-hash-mismatch",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, _ := signed(t, http.MethodPost, "/restapis", `{"a":1}`,
					http.Header{"X-Amz-Content-Sha256": {hashHex([]byte(`{"a":1}`))}}, "apigateway", testRegion, testNow, testAWSCreds())
				return r, []byte(`{"a":2}`)
			},
			code: CodeInvalidSignature, msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "unsigned-payload-in-header-form",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodPost, "/restapis", `{"a":1}`,
					http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, "apigateway", testRegion, testNow, testAWSCreds())
			},
			code: CodeInvalidSignature, msg: "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{name: "wrong-secret",
			build: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, http.MethodGet, "/restapis?limit=5", "", nil, "apigateway", testRegion, testNow,
					aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "not-the-secret"})
			},
			code: CodeInvalidSignature,
			msg: mismatch + "GET\n/restapis\nlimit=5\nhost:" + testHost + "\nx-amz-date:20261124T110000Z\n\nhost;x-amz-date\n" +
				hashHex(nil) + "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261124T110000Z\n" +
				"20261124/us-east-1/apigateway/aws4_request\n"},
		{name: "tampered-signed-header",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.Header.Set("X-Custom", "v2")
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch + "POST\n/restapis/abc/resources\nmode=merge&x=1\ncontent-length:15\ncontent-type:application/json\nhost:" +
				testHost + "\nx-amz-date:20261124T110000Z\nx-custom:v2\n", prefix: true},
		{name: "tampered-query",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.RequestURI = strings.Replace(r.RequestURI, "x=1", "x=2", 1)
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch + "POST\n/restapis/abc/resources\nmode=merge&x=2\n", prefix: true},
		{name: "added-query-parameter",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.RequestURI += "&admin=true"
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch, prefix: true},
		{name: "tampered-body",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, _ := okRequest(t)
				return r, []byte(`{"name":"cats"}`)
			},
			code: CodeInvalidSignature, msg: mismatch, prefix: true},
		{name: "tampered-method",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.Method = http.MethodPut
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch + "PUT\n", prefix: true},
		{name: "tampered-path",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.RequestURI = strings.Replace(r.RequestURI, "/abc/", "/abd/", 1)
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch + "POST\n/restapis/abd/resources\n", prefix: true},
		{name: "tampered-host",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.Host = "evil.example.com"
				return r, b
			},
			code: CodeInvalidSignature, msg: mismatch, prefix: true},
		{name: "both-mechanisms",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.RequestURI += "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
				return r, b
			},
			code: CodeIncompleteSignature,
			msg:  "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified"},
		{name: "two-authorization-headers",
			build: func(t *testing.T) (*http.Request, []byte) {
				r, b := okRequest(t)
				r.Header.Add("Authorization", r.Header.Get("Authorization"))
				return r, b
			},
			code: CodeIncompleteSignature, msg: "Only one 'Authorization' header is allowed."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, body := tc.build(t)
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			id, err := newTestVerifier(now).Verify(r, body, "apigateway")
			if err == nil {
				t.Fatalf("accepted: %+v", id)
			}
			e := asError(t, err)
			if e.Code != tc.code {
				t.Errorf("code = %q, want %q (message %q)", e.Code, tc.code, e.Message)
			}
			if tc.prefix && !strings.HasPrefix(e.Message, tc.msg) || !tc.prefix && tc.name != "wrong-secret" && e.Message != tc.msg {
				t.Errorf("message = %q\nwant %q (prefix %v)", e.Message, tc.msg, tc.prefix)
			}
			if tc.name == "wrong-secret" && !strings.HasPrefix(e.Message, tc.msg) {
				t.Errorf("message = %q\nwant prefix %q", e.Message, tc.msg)
			}
			if strings.Contains(e.Message, testSecret) || strings.Contains(e.Error(), testSecret) {
				t.Error("message leaks the secret")
			}
			if e.Error() != e.Code+": "+e.Message {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

// The skew window is inclusive on both ends.
func TestSkewBoundaries(t *testing.T) {
	v := newTestVerifier(testNow)
	for _, at := range []time.Time{testNow.Add(-DefaultMaxSkew), testNow.Add(DefaultMaxSkew)} {
		r, b := signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion, at, testAWSCreds())
		if _, err := v.Verify(r, b, "apigateway"); err != nil {
			t.Errorf("signed at %v: %v", at, err)
		}
	}
	v.MaxSkew = 90 * time.Second
	r, b := signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", testRegion, testNow.Add(-2*time.Minute), testAWSCreds())
	_, err := v.Verify(r, b, "apigateway")
	if e := asError(t, err); e.Message != "Signature expired: 20261124T105800Z is now earlier than 20261124T105830Z (20261124T110000Z - 90 sec.)" {
		t.Errorf("message = %q", e.Message)
	}
}

func TestNilCredentials(t *testing.T) {
	r, b := okRequest(t)
	v := &Verifier{Region: testRegion, Now: func() time.Time { return testNow }}
	_, err := v.Verify(r, b, "apigateway")
	if e := asError(t, err); e.Code != CodeUnrecognizedClient {
		t.Errorf("got %v", e)
	}
}

// An empty Region accepts any region in the credential scope.
func TestAnyRegion(t *testing.T) {
	r, b := signed(t, http.MethodGet, "/restapis", "", nil, "apigateway", "ap-southeast-2", testNow, testAWSCreds())
	v := &Verifier{Credentials: testCredentials(), Now: func() time.Time { return testNow }}
	id, err := v.Verify(r, b, "apigateway")
	if err != nil || id.Region != "ap-southeast-2" {
		t.Fatalf("%+v %v", id, err)
	}
}

// Parameters separated by "," without spaces, extra spaces and unknown
// parameters are tolerated.
func TestAuthorizationHeaderSpacing(t *testing.T) {
	r, b := okRequest(t)
	orig := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(orig, " ")
	params := strings.Split(rest, ", ")
	for _, h := range []string{
		alg + " " + strings.Join(params, ","),
		alg + "   " + strings.Join(params, " ,  ") + "  ",
		alg + " " + strings.Join(params, " "),
		alg + " " + params[2] + ", " + params[0] + ", Extra=1, " + params[1],
	} {
		r.Header.Set("Authorization", h)
		if _, err := newTestVerifier(testNow).Verify(r, b, "apigateway"); err != nil {
			t.Errorf("%q: %v", h, err)
		}
	}
}

// X-Amz-Content-Sha256 equal to the body hash is accepted.
func TestContentSHA256Header(t *testing.T) {
	body := `{"a":1}`
	r, b := signed(t, http.MethodPost, "/restapis", body,
		http.Header{"X-Amz-Content-Sha256": {hashHex([]byte(body))}}, "apigateway", testRegion, testNow, testAWSCreds())
	if _, err := newTestVerifier(testNow).Verify(r, b, "apigateway"); err != nil {
		t.Fatal(err)
	}
}

// r.URL rewritten by middleware (a stripped stage prefix) does not change
// what is verified: the request-target as sent is.
func TestRewrittenURLIgnored(t *testing.T) {
	r, b := signed(t, http.MethodGet, "/prod/pets?x=1", "", nil, "execute-api", testRegion, testNow, testAWSCreds())
	r.URL.Path = "/pets"
	r.URL.RawQuery = "x=2"
	if _, err := newTestVerifier(testNow).Verify(r, b, "execute-api"); err != nil {
		t.Fatal(err)
	}
}
