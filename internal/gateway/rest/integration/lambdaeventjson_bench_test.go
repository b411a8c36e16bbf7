package integration

import (
	"encoding/json"
	"testing"
)

// BenchmarkProxyEventV1 encodes a typical AWS_PROXY event (a browser-like
// GET with ten headers, a query parameter and a path parameter) with the
// appender and, for reference, with encoding/json.
func BenchmarkProxyEventV1(b *testing.B) {
	headers := map[string]string{"Accept": "text/html", "Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en-GB,en;q=0.9",
		"Host": "px.execute-api.localhost", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)", "X-Amzn-Trace-Id": "Root=1-5f84c7a9-0123456789abcdef01234567",
		"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https", "Cache-Control": "no-cache"}
	multi := map[string][]string{}
	for k, v := range headers {
		multi[k] = []string{v}
	}
	ev := &ProxyEventV1{Resource: "/{proxy+}", Path: "/pets/7", HTTPMethod: "GET", Headers: headers, MultiValueHeaders: multi,
		QueryStringParameters: map[string]string{"q": "1"}, MultiValueQueryStringParameters: map[string][]string{"q": {"1"}},
		PathParameters: map[string]string{"proxy": "pets/7"},
		RequestContext: RequestContextV1{AccountID: "000000000000", APIID: "px", ResourceID: "p", ResourcePath: "/{proxy+}",
			Stage: "s", DeploymentID: "d", HTTPMethod: "GET", Path: "/s/pets/7", Protocol: "HTTP/1.1",
			RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", ExtendedRequestID: "abcDEF=", RequestTime: "07/Dec/2026:15:00:00 +0000",
			RequestTimeEpoch: 1796655600123, DomainName: "px.execute-api.localhost", DomainPrefix: "px",
			Identity: Identity{SourceIP: "127.0.0.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"}}}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = ev.AppendJSON(make([]byte, 0, 2048))
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(ev)
		}
	})
}
