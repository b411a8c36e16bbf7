package proxyevent

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// benchRequest is a browser-like POST with a JWT authorizer: 12 headers
// (one cookie header), a query and a small JSON body.
func benchRequest() *Request {
	r := baseRequest()
	r.Method = "POST"
	r.RawQuery = "page=2&size=50&sort=name&sort=-date"
	r.Headers = toBytes(hdrs{
		{"Host", "abc123.execute-api.us-east-1.amazonaws.com"},
		{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},
		{"Accept", "application/json, text/plain, */*"},
		{"Accept-Language", "en-GB,en;q=0.9"},
		{"Accept-Encoding", "gzip, deflate, br"},
		{"Content-Type", "application/json"},
		{"Content-Length", "96"},
		{"Origin", "https://app.example.com"},
		{"Referer", "https://app.example.com/orders"},
		{"Authorization", "Bearer eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"},
		{"Cookie", "session=abc123; theme=dark; lang=en"},
		{"X-Request-Id", "7f2c1f0e-4b1a-4d7e-9a51-1f6f0c2d9e11"},
	})
	r.Body = []byte(`{"orderId":"o-123","items":[{"sku":"a1","qty":2},{"sku":"b2","qty":1}],"note":"leave at door"}`)
	claims := map[string]string{}
	for i := range 12 {
		claims["claim"+strconv.Itoa(i)] = "value-" + strconv.Itoa(i)
	}
	r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: claims, Scopes: []string{"orders/write"}}}
	r.StageVariables = map[string]string{"env": "dev", "table": "orders"}
	return r
}

func BenchmarkAppendV2(b *testing.B) {
	r := benchRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV2(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendV1(b *testing.B) {
	r := benchRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV1(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendAuthorizerV2(b *testing.B) {
	r := benchRequest()
	r.Authorizer = nil
	buf := make([]byte, 0, 4096)
	id := []string{"Bearer x"}
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendAuthorizerV2(buf[:0], r, routeARN, id)
	}
}

// BenchmarkMarshalV2Reference builds the same event with aws-lambda-go's
// type and encoding/json, for comparison (maps built per request, as a
// reflection-based encoder needs them).
func BenchmarkMarshalV2Reference(b *testing.B) {
	r := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		h := map[string]string{}
		var cookies []string
		r.Headers.VisitHeaders(func(k, v []byte) {
			if string(k) == "Cookie" {
				cookies = append(cookies, "session=abc123", "theme=dark", "lang=en")
				return
			}
			h[string(k)] = string(v)
		})
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: r.RouteKey, RawPath: r.RawPath,
			RawQueryString: r.RawQuery, Cookies: cookies, Headers: h,
			QueryStringParameters: map[string]string{"page": "2", "size": "50", "sort": "name,-date"},
			PathParameters:        map[string]string{"id": "7"}, StageVariables: r.StageVariables, Body: string(r.Body),
			RequestContext: events.APIGatewayV2HTTPRequestContext{RouteKey: r.RouteKey, AccountID: r.AccountID,
				Stage: r.Stage, RequestID: r.RequestID, APIID: r.APIID, DomainName: r.DomainName, DomainPrefix: "abc123",
				Time: r.Time.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: r.Time.UnixMilli(),
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
						Claims: r.Authorizer.JWT.Claims, Scopes: r.Authorizer.JWT.Scopes}},
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: r.RawPath,
					Protocol: "HTTP/1.1", SourceIP: r.SourceIP, UserAgent: h["User-Agent"]}}}
		if _, err := json.Marshal(&ev); err != nil {
			b.Fatal(err)
		}
	}
}

var benchResponse = []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json","X-Trace":"t-1"},` +
	`"cookies":["session=abc; Path=/; HttpOnly"],"body":"{\"orderId\":\"o-123\",\"status\":\"created\"}","isBase64Encoded":false}`)

func BenchmarkDecodeResponseV2(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeResponseV2(benchResponse); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeResponseV2Inferred(b *testing.B) {
	payload := []byte(`{"orderId":"o-123","status":"created","items":[1,2,3]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeResponseV2(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeResponseV1(b *testing.B) {
	payload := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"{}"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeResponseV1(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSimpleResponse(b *testing.B) {
	payload := []byte(`{"isAuthorized":true,"context":{"tenant":"acme","tier":3}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeSimpleResponse(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePolicyResponse(b *testing.B) {
	payload := []byte(`{"principalId":"user","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*"}]},"context":{"tenant":"acme"}}`)
	b.ReportAllocs()
	for b.Loop() {
		res, err := DecodePolicyResponse(payload)
		if err != nil || !res.Allows(routeARN) {
			b.Fatal(err)
		}
	}
}
