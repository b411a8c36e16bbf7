package integration

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestAppendJSONMatchesMarshal checks that the hand-written encoder of the
// proxy event writes what encoding/json writes, byte for byte: nil and
// empty maps, nil value lists, optional members, strings that need
// escaping (HTML characters, control characters, invalid UTF-8, U+2028),
// the authorizer's context and the client certificate.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	str := func(s string) *string { return &s }
	tricky := []string{"", "plain", `q"uote`, `back\slash`, "<b>&amp;</b>", "tab\tnl\ncr\r", "\x00\x1f\x7f",
		"café ☕", "bad\xff\xfeutf8", "line\u2028sep\u2029", "/{proxy+}", "Root=1-5f84c7a9-0123456789abcdef01234567"}
	full := ProxyEventV1{
		Resource: "/{proxy+}", Path: "/s/hello", HTTPMethod: "POST",
		Headers:                         map[string]string{"Host": "x", "User-Agent": "bench", "X-A": "<&>"},
		MultiValueHeaders:               map[string][]string{"Host": {"x"}, "X-A": {"1", "2"}, "X-Nil": nil, "X-Empty": {}},
		QueryStringParameters:           map[string]string{"a": "1", "b": "x y"},
		MultiValueQueryStringParameters: map[string][]string{"a": {"0", "1"}, "b": {"x y"}},
		PathParameters:                  map[string]string{"proxy": "hello"},
		StageVariables:                  map[string]string{"v": "1"},
		RequestContext: RequestContextV1{AccountID: "000000000000", APIID: "px", ResourceID: "p", ResourcePath: "/{proxy+}",
			Stage: "s", DeploymentID: "d", HTTPMethod: "POST", Path: "/s/hello", Protocol: "HTTP/1.1",
			RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", ExtendedRequestID: "abcDEF=", RequestTime: "07/Dec/2026:15:00:00 +0000",
			RequestTimeEpoch: 1796655600123, DomainName: "px.execute-api.localhost", DomainPrefix: "px", OperationName: "op",
			Identity: Identity{SourceIP: "127.0.0.1", UserAgent: "bench", AccountID: str("1"), Caller: str("c"), AccessKey: str("AK"),
				User: str("u"), UserArn: str("arn:aws:iam::1:user/u"), APIKey: str("key"), APIKeyID: str("kid"), VpceID: str("vpce-1"), VpcID: str("vpc-1"),
				ClientCert: &ClientCert{ClientCertPem: "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----", SubjectDN: "CN=a",
					IssuerDN: "CN=b", SerialNumber: "1", Validity: Validity{NotBefore: "x", NotAfter: "y"}}},
			Authorizer: map[string]any{"principalId": "me", "integrationLatency": int64(3), "k": "<v>", "claims": map[string]any{"sub": "1", "n": 2.5}}},
		Body: str(`{"a":"<b>"}`), IsBase64Encoded: true,
	}
	events := []ProxyEventV1{{}, full,
		{Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}, Body: str("")},
		{RequestContext: RequestContextV1{Authorizer: map[string]any{}}}}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return tricky[r.IntN(len(tricky))] }
	for range 200 {
		ev := full
		ev.Resource, ev.Path, ev.HTTPMethod = pick(), pick(), pick()
		ev.Headers, ev.MultiValueHeaders = map[string]string{}, map[string][]string{}
		for range r.IntN(6) {
			k, v := pick(), pick()
			ev.Headers[k] = v
			ev.MultiValueHeaders[k] = append(ev.MultiValueHeaders[k], v, pick())
		}
		if r.IntN(3) == 0 {
			ev.QueryStringParameters, ev.MultiValueQueryStringParameters, ev.Body = nil, nil, nil
		}
		ev.RequestContext.RequestTimeEpoch = r.Int64() - r.Int64()
		ev.RequestContext.Identity.SourceIP, ev.RequestContext.Identity.UserAgent = pick(), pick()
		ev.RequestContext.Identity.Caller = str(pick())
		if r.IntN(2) == 0 {
			ev.RequestContext.Authorizer, ev.RequestContext.Identity.ClientCert = nil, nil
			ev.RequestContext.OperationName, ev.RequestContext.Identity.APIKey = "", nil
		}
		events = append(events, ev)
	}
	for i, ev := range events {
		want, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.AppendJSON([]byte("prefix")); !bytes.Equal(got[6:], want) || string(got[:6]) != "prefix" {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got[6:], want)
		}
	}
}
