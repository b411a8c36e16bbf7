package proxyevent

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// fuzzRequest builds a request from fuzzed parts.
func fuzzRequest(method, path, query, name, value string, body []byte) *Request {
	r := baseRequest()
	r.Method, r.RawPath, r.RawQuery, r.Body = method, path, query, body
	r.Headers = hdrs{{name, value}, {"Cookie", value}, {name, "second"}}
	return r
}

func FuzzAppendV2(f *testing.F) {
	f.Add("GET", "/dev/a", "a=1&a=2", "X-A", "v", []byte("body"))
	f.Add("POST", `/"\`, "%zz=%41&&=", "Content-Type", "application/json", []byte("{\"a\":1}"))
	f.Add("GET", "/", "", "cookie", "a=1; b=2", []byte{0xff})
	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte) {
		out := AppendV2(nil, fuzzRequest(method, path, query, name, value, body))
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
		var ev events.APIGatewayV2HTTPRequest
		dec := json.NewDecoder(strings.NewReader(string(out)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if utf8.ValidString(query) && ev.RawQueryString != query {
			t.Fatalf("rawQueryString %q, want %q", ev.RawQueryString, query)
		}
		for k := range ev.Headers {
			if k != strings.ToLower(k) && utf8.ValidString(k) {
				t.Fatalf("header name %q not lower-cased", k)
			}
			if k == "cookie" {
				t.Fatal("cookie header present")
			}
		}
		for _, c := range ev.Cookies {
			if c == "" || strings.Contains(c, "; ") {
				t.Fatalf("cookie %q", c)
			}
		}
	})
}

func FuzzAppendV1(f *testing.F) {
	f.Add("GET", "/dev/a", "a=1&a=2", "X-A", "v", []byte("body"))
	f.Add("PUT", "/", "x", "content-type", "text/plain; charset=latin1", []byte("é"))
	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte) {
		r := fuzzRequest(method, path, query, name, value, body)
		out := AppendV1(nil, r)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(out, &ev); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		out = AppendAuthorizerV1(nil, r, "arn", []string{value, name})
		if !json.Valid(out) {
			t.Fatalf("invalid authorizer JSON: %q", out)
		}
		out = AppendAuthorizerV2(nil, r, "arn", []string{value})
		if !json.Valid(out) {
			t.Fatalf("invalid authorizer JSON: %q", out)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"headers":{"a":"b"},"cookies":["c"],"body":"x","isBase64Encoded":false}`,
		`{"message":"hi"}`, `"s"`, `{"statusCode":"201","multiValueHeaders":{"a":["b"]}}`, `{"statusCode":200,"isBase64Encoded":true,"body":"AA=="}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		for _, decodeFn := range []func([]byte) (*Response, error){DecodeResponseV2, DecodeResponseV1} {
			r, err := decodeFn(payload)
			if err != nil {
				continue
			}
			if r.StatusCode < 100 || r.StatusCode > 599 {
				t.Fatalf("status %d", r.StatusCode)
			}
			ct := 0
			for _, h := range r.Headers {
				if strings.EqualFold(h.Name, "content-type") {
					ct++
				}
				if strings.EqualFold(h.Name, "content-length") {
					t.Fatal("content-length kept")
				}
			}
			if ct == 0 {
				t.Fatal("no content-type")
			}
		}
	})
}

func FuzzDecodeAuthorizerResponse(f *testing.F) {
	for _, s := range []string{`{"isAuthorized":true,"context":{"a":1}}`,
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if res, err := DecodeSimpleResponse(payload); err == nil {
			if !json.Valid(res.Context.AppendJSON(nil)) {
				t.Fatal("context is not valid JSON")
			}
		}
		if res, err := DecodePolicyResponse(payload); err == nil {
			_ = res.Allows(routeARN)
			if !json.Valid(res.Context.AppendJSON(nil)) {
				t.Fatal("context is not valid JSON")
			}
		}
		_ = IsUnauthorizedError(payload)
	})
}
