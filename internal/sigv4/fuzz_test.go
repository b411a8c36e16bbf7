package sigv4

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzVerify checks that Verify never panics on arbitrary requests, never
// accepts a request it has no valid signature for, always accepts what
// aws-sdk-go-v2 signs (header and presigned forms), and never accepts a
// signed request after one of its signed components (method, path, query,
// a signed header, host, date, body) was changed into something not
// equivalent to what was signed.
func FuzzVerify(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDTOLLGATE/20261124/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
		"/restapis?limit=5&position=abc", "application/json", []byte(`{"name":"pets"}`), uint8(0), "x")
	f.Add("", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc", "a  b", []byte(nil), uint8(1), "%2F")
	f.Add("Bearer token", "/a:b/c@d?b=2&a=1&a=0&empty=&flag&sp=a%20b&plus=a+b", "\tv\t", []byte("x"), uint8(2), " ")
	f.Add("mock", "/restapis?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb", "v", []byte("{}"), uint8(3), "y")
	f.Add("AWS4-HMAC-SHA256 Credential=x/y/z/w/aws4_request,SignedHeaders=host,Signature=zz", "/%E2%82%AC/%25", "", []byte(nil), uint8(4), ":443")
	f.Add("AWS4-HMAC-SHA256", "/a%2541?q=%2525", "x", []byte("body"), uint8(5), "")
	f.Add("", "/prod/pets?limit=1", "x", []byte(nil), uint8(6), "0")
	f.Add("", "/prod/pets?limit=1", "x", []byte(nil), uint8(13), "&X-Amz-Signature=00")
	f.Add("", "/path", "x", []byte(nil), uint8(8), "%3A")
	f.Add("", "/a:b", "x", []byte(nil), uint8(1), "")

	f.Fuzz(func(t *testing.T, authz, target, header string, body []byte, op uint8, mut string) {
		v := newTestVerifier(testNow)

		// Arbitrary requests: no panic, never accepted.
		r := &http.Request{Method: http.MethodGet, RequestURI: target, Host: testHost, Header: http.Header{}}
		if u, err := url.ParseRequestURI(target); err == nil {
			r.URL = u
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		r.Header.Set("X-Amz-Date", testNow.Format(isoBasic))
		r.Header.Set("X-Fuzz", header)
		if id, err := v.Verify(r, body, "apigateway"); err == nil {
			t.Fatalf("unsigned request accepted: %+v", id)
		} else if _, ok := err.(*Error); !ok {
			t.Fatalf("error %T is not *Error", err)
		}

		// A request signed by the SDK...
		path, query, _ := strings.Cut(target, "?")
		if !strings.HasPrefix(path, "/") || !validHeaderValue(header) || hasAmzParam(query) {
			return
		}
		presign := op%16 >= 12
		method := http.MethodPost
		if presign {
			method = http.MethodGet
		}
		req, err := http.NewRequest(method, "https://"+testHost+path+"?"+query, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("X-Fuzz", header)
		if presign {
			req.Header.Del("X-Fuzz")
			body = nil
			req.Body, req.ContentLength = http.NoBody, 0
			signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), testAWSCreds(), req, hashHex(nil), "apigateway", testRegion, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if req, err = http.NewRequest(method, signedURL, nil); err != nil {
				t.Fatalf("presigned URL %q: %v", signedURL, err)
			}
			for k, vs := range hdr {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = vs
				}
			}
		} else {
			sdkSign(t, req, body, testAWSCreds(), "apigateway", testNow)
		}
		sr, sbody, err := overTheWire(t, req)
		if err != nil {
			return
		}

		// ... is accepted,
		if _, err := v.Verify(sr, sbody, "apigateway"); err != nil {
			t.Fatalf("SDK-signed request rejected: %s %s %q: %v", sr.Method, sr.RequestURI, sr.Header, err)
		}

		// ... and no longer after a non-equivalent change.
		equivalent := false
		switch op % 12 {
		case 0: // method
			sr.Method = []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, "post"}[len(mut)%5]
			equivalent = sr.Method == req.Method
		case 1, 8: // path
			old := sr.RequestURI
			p, q, _ := strings.Cut(old, "?")
			i := len(mut) % (len(p) + 1)
			if op%12 == 8 {
				sr.RequestURI = p[:i] + mut + p[min(len(p), i+len(mut)):] + "?" + q
			} else {
				sr.RequestURI = p[:i] + mut + p[i:] + "?" + q
			}
			equivalent = equivalentTarget(old, sr.RequestURI)
		case 2, 9: // query
			old := sr.RequestURI
			if op%12 == 2 {
				sr.RequestURI += "&" + mut
			} else {
				sr.RequestURI += mut
			}
			equivalent = equivalentTarget(old, sr.RequestURI)
		case 3: // signed header
			if presign {
				return
			}
			old := sr.Header.Get("X-Fuzz")
			sr.Header.Set("X-Fuzz", old+mut)
			equivalent = slices.Equal(strings.Fields(old), strings.Fields(old+mut))
		case 4: // host
			old := sr.Host
			sr.Host += mut
			equivalent = slices.Equal(strings.Fields(old), strings.Fields(sr.Host))
		case 5, 10: // body
			sbody = append(append([]byte(nil), sbody...), mut...)
			if mut == "" {
				sbody = append(sbody, 'x')
			}
		case 6: // date
			if presign {
				p, _, _ := strings.Cut(sr.RequestURI, "?")
				q := sr.URL.Query()
				q.Set("X-Amz-Date", testNow.Add(time.Second).Format(isoBasic))
				sr.RequestURI = p + "?" + q.Encode()
			} else {
				sr.Header.Set("X-Amz-Date", testNow.Add(time.Second).Format(isoBasic))
			}
		case 7, 11: // an unsigned header: must stay accepted
			sr.Header.Set("User-Agent", mut)
			equivalent = true
		}
		// A server parses r.URL from the request-target, and refuses targets
		// it cannot parse.
		u, perr := url.ParseRequestURI(sr.RequestURI)
		if perr != nil {
			return
		}
		sr.URL = u
		_, err = v.Verify(sr, sbody, "apigateway")
		if err == nil && !equivalent {
			t.Fatalf("op %d: tampered request accepted: %s %s host=%q %q body=%q", op%12, sr.Method, sr.RequestURI, sr.Host, sr.Header, sbody)
		}
		if err != nil && op%12 == 7 || err != nil && op%12 == 11 {
			t.Fatalf("unsigned header change rejected: %v", err)
		}
	})
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// equivalentTarget reports whether two request-targets address the same
// resource: the same path segments after percent-decoding each (so %2F is
// not '/'), and the same multiset of decoded query parameters. It uses only
// the standard library's decoders, independently of the verifier.
func equivalentTarget(a, b string) bool {
	if a == b {
		return true
	}
	ap, aq, _ := strings.Cut(a, "?")
	bp, bq, _ := strings.Cut(b, "?")
	as, ok1 := decodedSegments(ap)
	bs, ok2 := decodedSegments(bp)
	if !ok1 || !ok2 || !slices.Equal(as, bs) {
		return false
	}
	ak, ok1 := decodedQuery(aq)
	bk, ok2 := decodedQuery(bq)
	return ok1 && ok2 && slices.Equal(ak, bk)
}

func decodedSegments(p string) ([]string, bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = d
	}
	return segs, true
}

func decodedQuery(q string) ([]string, bool) {
	var out []string
	for _, seg := range strings.Split(q, "&") {
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out = append(out, dk+"\x00"+dv)
	}
	slices.Sort(out)
	return out, true
}

// hasAmzParam reports whether a raw query holds an X-Amz-* parameter, which
// would clash with (or switch to) presigned authentication.
func hasAmzParam(q string) bool {
	for _, seg := range strings.Split(q, "&") {
		k, _, _ := strings.Cut(seg, "=")
		if dk, err := url.QueryUnescape(k); err != nil || strings.HasPrefix(strings.ToLower(dk), "x-amz-") {
			return true
		}
	}
	return false
}
