package sigv4

import (
	"strings"
	"testing"
	"time"
)

// Cases of the AWS SigV4 test suite (aws-sig-v4-test-suite, as carried by
// awslabs/aws-c-auth under tests/aws-signing-test-suite/v4): the request as
// it goes over the wire and the published signature. Credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1,
// service "service", time 20150830T123600Z. The suite signs paths without
// the non-S3 double encoding, which the verifier accepts as the single-
// encoded form; the "-unnormalized" variants are the ones that apply.
var suiteVectors = []struct {
	name          string
	request       string // without Authorization; "\n" line ends, blank line before the body
	signedHeaders string
	signature     string
}{
	{"get-vanilla", "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-vanilla-query", "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-unreserved", "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	{"get-utf8", "GET /%E1%88%B4 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
	{"get-space-unnormalized", "GET /example%20space/ HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
	{"get-slashes-unnormalized", "GET //example// HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"},
	{"get-relative-unnormalized", "GET /example/.. HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"},
	{"get-vanilla-query-order-key-case", "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{"get-vanilla-query-order-encoded", "GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"},
	{"get-vanilla-query-unreserved", "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	{"get-vanilla-utf8-query", "GET /?%E1%88%B4=bar HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
	{"get-vanilla-with-session-token", "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\nX-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n",
		"host;x-amz-date;x-amz-security-token", "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
	{"get-header-key-duplicate", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\nX-Amz-Date:20150830T123600Z\n\n",
		"host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	{"get-header-value-order", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\nX-Amz-Date:20150830T123600Z\n\n",
		"host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
	{"get-header-value-trim", "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\nMy-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z\n\n",
		"host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{"post-vanilla", "POST / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-header-key-case", "POST / HTTP/1.1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n",
		"host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-vanilla-query", "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
		"host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
	{"post-header-value-case", "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:VALUE1\nX-Amz-Date:20150830T123600Z\n\n",
		"host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
	// The 2015 edition of post-x-www-form-urlencoded.
	{"post-x-www-form-urlencoded", "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
		"content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	// The aws-c-auth edition, which also signs content-length and x-amz-content-sha256.
	{"post-x-www-form-urlencoded-c-auth", "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nContent-Length:13\nHost:example.amazonaws.com\nX-Amz-Content-Sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nX-Amz-Date:20150830T123600Z\n\nParam1=value1",
		"content-length;content-type;host;x-amz-content-sha256;x-amz-date", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
}

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func suiteRequest(t *testing.T, raw, signedHeaders, signature string) string {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	return head + "\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
		signedHeaders + ", Signature=" + signature + "\n\n" + body
}

func TestSuiteVectors(t *testing.T) {
	v := newTestVerifier(suiteTime)
	for _, tc := range suiteVectors {
		t.Run(tc.name, func(t *testing.T) {
			r, body := rawRequest(t, suiteRequest(t, tc.request, tc.signedHeaders, tc.signature))
			id, err := v.Verify(r, body, "service")
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if id.AccessKeyID != "AKIDEXAMPLE" || id.Service != "service" || id.Region != "us-east-1" ||
				!id.SigningTime.Equal(suiteTime) || strings.Join(id.SignedHeaders, ";") != tc.signedHeaders || id.Presigned {
				t.Errorf("identity = %+v", id)
			}

			// One flipped signature digit must fail.
			bad := []byte(tc.signature)
			bad[10] ^= 1
			r, body = rawRequest(t, suiteRequest(t, tc.request, tc.signedHeaders, string(bad)))
			if _, err := v.Verify(r, body, "service"); err == nil {
				t.Fatal("tampered signature accepted")
			}
		})
	}
}

// The mismatch message carries the canonical request and string to sign,
// exactly as published for get-vanilla.
func TestSuiteMismatchMessage(t *testing.T) {
	v := newTestVerifier(suiteTime)
	r, body := rawRequest(t, suiteRequest(t, suiteVectors[0].request, "host;x-amz-date", strings.Repeat("0", 64)))
	_, err := v.Verify(r, body, "service")
	e := asError(t, err)
	want := "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details." +
		"\n\nThe Canonical String for this request should have been\n'" +
		"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'" +
		"\n\nThe String-to-Sign should have been\n'" +
		"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
		"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'\n"
	if e.Code != CodeInvalidSignature || e.Message != want {
		t.Errorf("got %s %q\nwant %q", e.Code, e.Message, want)
	}
}

// The Date header (RFC 1123) may stand in for X-Amz-Date: the string to
// sign then carries the ISO 8601 basic form of that date.
func TestDateHeader(t *testing.T) {
	canonical := "GET\n/\n\ndate:Sun, 30 Aug 2015 12:36:00 GMT\nhost:example.amazonaws.com\n\ndate;host\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	sig := manualSign("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service", "20150830T123600Z", canonical)
	raw := "GET / HTTP/1.1\nHost:example.amazonaws.com\nDate:Sun, 30 Aug 2015 12:36:00 GMT\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature=" + sig + "\n\n"
	r, body := rawRequest(t, raw)
	id, err := newTestVerifier(suiteTime.Add(time.Minute)).Verify(r, body, "service")
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !id.SigningTime.Equal(suiteTime) {
		t.Errorf("SigningTime = %v", id.SigningTime)
	}
}
