package proxyevent

import (
	"encoding/base64"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestV2ReproducesCapturedEvent rebuilds the event AWS sent for a curl GET
// (aws-lambda-go testdata apigw-v2-request-no-authorizer.json, captured
// from a real HTTP API) and expects it member for member.
func TestV2ReproducesCapturedEvent(t *testing.T) {
	want := decode(t, testdata(t, "apigw-v2-request-no-authorizer.json"))
	r := &Request{
		Method:  "GET",
		RawPath: "/",
		Headers: hdrs{
			{"Host", "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com"},
			{"User-Agent", "curl/7.58.0"},
			{"Accept", "*/*"},
		},
		SourceIP:       "1.2.3.4",
		ForwardedProto: "https",
		ForwardedPort:  "443",
		TraceID:        "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
		RouteKey:       "$default",
		Stage:          "$default",
		RequestID:      "LV7fzho-PHcEJPw=",
		Time:           time.UnixMilli(1587481701067),
		DomainName:     "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
		AccountID:      "123456789012",
		APIID:          "aaaaaaaaaa",
		ClientCert: &ClientCert{
			ClientCertPEM: "-----BEGIN CERTIFICATE-----\nMIIEZTCCAk0CAQEwDQ...",
			IssuerDN:      "C=US,ST=Washington,L=Seattle,O=Amazon Web Services,OU=Security,CN=My Private CA",
			SerialNumber:  "1",
			SubjectDN:     "C=US,ST=Washington,L=Seattle,O=Amazon Web Services,OU=Security,CN=My Client",
			NotAfter:      "Aug  5 00:28:21 2120 GMT",
			NotBefore:     "Aug 29 00:28:21 2020 GMT",
		},
	}
	got := decode(t, AppendV2(nil, r))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("event differs from the captured one\n got: %v\nwant: %v", got, want)
	}
}

func TestV2(t *testing.T) {
	type check struct {
		path string
		want any // absent: the member must not exist
	}
	absent := struct{}{}
	for _, tc := range []struct {
		name   string
		mod    func(r *Request)
		checks []check
	}{
		{"stage prefix stays in rawPath and http.path", nil, []check{
			{"rawPath", "/dev/pets/7"}, {"requestContext.http.path", "/dev/pets/7"},
			{"routeKey", "GET /pets/{id}"}, {"requestContext.routeKey", "GET /pets/{id}"},
			{"requestContext.stage", "dev"}, {"pathParameters", map[string]any{"id": "7"}},
		}},
		{"rawQueryString always present", nil, []check{
			{"rawQueryString", ""}, {"queryStringParameters", absent},
		}},
		{"no cookies, no stage variables, no body", nil, []check{
			{"cookies", absent}, {"stageVariables", absent}, {"body", absent}, {"isBase64Encoded", false},
		}},
		{"no path parameters", func(r *Request) { r.PathParams = params{} }, []check{{"pathParameters", absent}}},
		{"nil path parameters", func(r *Request) { r.PathParams = nil }, []check{{"pathParameters", absent}}},
		{"query decoded, repeated keys joined", func(r *Request) {
			r.RawQuery = "a=1&a=2&b=x+y&c=%41%2C&d&&e=&f=%zz&=v&a=3"
		}, []check{
			{"rawQueryString", "a=1&a=2&b=x+y&c=%41%2C&d&&e=&f=%zz&=v&a=3"},
			{"queryStringParameters", map[string]any{"a": "1,2,3", "b": "x y", "c": "A,", "d": "", "e": "", "f": "%zz", "": "v"}},
		}},
		{"cookies split and merged, header removed", func(r *Request) {
			r.Headers = hdrs{{"Cookie", "s=abc; t=def"}, {"Accept", "*/*"}, {"cookie", "u=1;v=2; ; w=3"}}
		}, []check{
			{"cookies", []any{"s=abc", "t=def", "u=1;v=2", "w=3"}},
			{"headers.cookie", absent}, {"headers.accept", "*/*"},
		}},
		{"headers lower-cased and joined", func(r *Request) {
			r.Headers = hdrs{{"X-Multi", "a"}, {"Accept", "*/*"}, {"x-multi", "b, c"}, {"X-MULTI", "d"}}
		}, []check{
			{"headers.x-multi", "a,b, c,d"}, {"headers.accept", "*/*"},
		}},
		{"gateway headers", func(r *Request) {
			r.Headers = hdrs{{"Host", "h"}, {"Content-Length", "999"}, {"Connection", "keep-alive"},
				{"Transfer-Encoding", "chunked"}, {"X-Forwarded-Proto", "http"}, {"X-Forwarded-Port", "80"},
				{"X-Amzn-Trace-Id", "Root=client"}, {"Keep-Alive", "timeout=5"}, {"Upgrade", "h2c"}}
			r.Body = []byte("hello")
		}, []check{
			{"headers", map[string]any{"host": "h", "content-length": "5", "x-forwarded-for": "192.0.2.1",
				"x-forwarded-proto": "https", "x-forwarded-port": "443",
				"x-amzn-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"}},
		}},
		{"client x-forwarded-for kept in front", func(r *Request) {
			r.Headers = hdrs{{"X-Forwarded-For", "10.0.0.1"}, {"x-forwarded-for", "10.0.0.2"}}
		}, []check{{"headers.x-forwarded-for", "10.0.0.1, 10.0.0.2, 192.0.2.1"}}},
		{"without gateway-set values the client's pass", func(r *Request) {
			r.Headers = hdrs{{"X-Forwarded-Proto", "http"}, {"X-Forwarded-For", "10.0.0.1"}}
			r.ForwardedProto, r.ForwardedPort, r.TraceID, r.SourceIP = "", "", "", ""
		}, []check{
			{"headers", map[string]any{"x-forwarded-proto": "http", "x-forwarded-for": "10.0.0.1", "content-length": "0"}},
		}},
		{"text body", func(r *Request) {
			r.Method, r.Body = "POST", []byte(`{"a":"é"}`)
			r.Headers = hdrs{{"Content-Type", "application/json; charset=UTF-8"}}
		}, []check{{"body", `{"a":"é"}`}, {"isBase64Encoded", false}, {"requestContext.http.method", "POST"}}},
		{"form body is binary", func(r *Request) {
			r.Body = []byte("a=1&b=2")
			r.Headers = hdrs{{"content-type", "application/x-www-form-urlencoded"}}
		}, []check{{"body", base64.StdEncoding.EncodeToString([]byte("a=1&b=2"))}, {"isBase64Encoded", true}}},
		{"no content type is binary", func(r *Request) { r.Body = []byte("text") }, []check{
			{"body", "dGV4dA=="}, {"isBase64Encoded", true},
		}},
		{"invalid UTF-8 text is binary", func(r *Request) {
			r.Body = []byte{'a', 0xff}
			r.Headers = hdrs{{"Content-Type", "text/plain"}}
		}, []check{{"body", "Yf8="}, {"isBase64Encoded", true}}},
		{"stage variables", func(r *Request) { r.StageVariables = map[string]string{"fn": "f1", "v": "x"} }, []check{
			{"stageVariables", map[string]any{"fn": "f1", "v": "x"}},
		}},
		{"domain prefix of a custom domain", func(r *Request) { r.DomainName = "api.example.com" }, []check{
			{"requestContext.domainName", "api.example.com"}, {"requestContext.domainPrefix", "api"},
		}},
		{"explicit domain prefix", func(r *Request) { r.DomainPrefix = "p" }, []check{{"requestContext.domainPrefix", "p"}}},
		{"http description", nil, []check{
			{"requestContext.http", map[string]any{"method": "GET", "path": "/dev/pets/7", "protocol": "HTTP/1.1",
				"sourceIp": "192.0.2.1", "userAgent": "curl/8.5.0"}},
		}},
		{"user agent override and protocol", func(r *Request) { r.UserAgent, r.Protocol = "ua", "HTTP/1.0" }, []check{
			{"requestContext.http.userAgent", "ua"}, {"requestContext.http.protocol", "HTTP/1.0"},
		}},
		{"no user agent", func(r *Request) { r.Headers = nil }, []check{{"requestContext.http.userAgent", ""}}},
		{"times", nil, []check{
			{"requestContext.time", "04/Mar/2020:19:03:58 +0000"}, {"requestContext.timeEpoch", float64(1583348638390)},
		}},
		{"no authorizer, no authentication", nil, []check{
			{"requestContext.authorizer", absent}, {"requestContext.authentication", absent},
		}},
		{"jwt authorizer", func(r *Request) {
			r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: map[string]string{"sub": "u1", "cognito:groups": "[a b]"}, Scopes: []string{"read"}}}
		}, []check{{"requestContext.authorizer", map[string]any{"jwt": map[string]any{
			"claims": map[string]any{"sub": "u1", "cognito:groups": "[a b]"}, "scopes": []any{"read"}}}}}},
		{"jwt authorizer without scopes", func(r *Request) {
			r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: map[string]string{}}}
		}, []check{{"requestContext.authorizer.jwt", map[string]any{"claims": map[string]any{}, "scopes": nil}}}},
		{"lambda authorizer keeps types", func(r *Request) {
			c, _ := NewContext([]byte(`{"n":1,"b":true,"s":"x","o":{"k":[1]}}`))
			r.Authorizer = &Authorizer{Lambda: &LambdaAuth{Context: c}}
		}, []check{{"requestContext.authorizer", map[string]any{"lambda": map[string]any{
			"n": float64(1), "b": true, "s": "x", "o": map[string]any{"k": []any{float64(1)}}}}}}},
		{"lambda authorizer without context", func(r *Request) {
			r.Authorizer = &Authorizer{Lambda: &LambdaAuth{}}
		}, []check{{"requestContext.authorizer", map[string]any{"lambda": nil}}}},
		{"iam authorizer", func(r *Request) {
			r.Authorizer = &Authorizer{IAM: &IAMAuth{AccessKey: "AKIA1", AccountID: "111122223333", CallerID: "AIDA1",
				UserARN: "arn:aws:iam::111122223333:user/u", UserID: "AIDA1"}}
		}, []check{{"requestContext.authorizer.iam", map[string]any{"accessKey": "AKIA1", "accountId": "111122223333",
			"callerId": "AIDA1", "cognitoIdentity": nil, "principalOrgId": nil,
			"userArn": "arn:aws:iam::111122223333:user/u", "userId": "AIDA1"}}}},
		{"iam authorizer with cognito identity", func(r *Request) {
			r.Authorizer = &Authorizer{IAM: &IAMAuth{PrincipalOrgID: "o-1", CognitoIdentity: &CognitoIdentity{
				AMR: []string{"authenticated"}, IdentityID: "id1", IdentityPoolID: "pool1"}}}
		}, []check{
			{"requestContext.authorizer.iam.cognitoIdentity", map[string]any{"amr": []any{"authenticated"}, "identityId": "id1", "identityPoolId": "pool1"}},
			{"requestContext.authorizer.iam.principalOrgId", "o-1"},
		}},
		{"client certificate", func(r *Request) {
			r.ClientCert = &ClientCert{ClientCertPEM: "PEM", SubjectDN: "CN=c", IssuerDN: "CN=i", SerialNumber: "1",
				NotBefore: "May 28 12:30:02 2019 GMT", NotAfter: "Aug  5 09:36:04 2021 GMT"}
		}, []check{{"requestContext.authentication", map[string]any{"clientCert": map[string]any{
			"clientCertPem": "PEM", "subjectDN": "CN=c", "issuerDN": "CN=i", "serialNumber": "1",
			"validity": map[string]any{"notBefore": "May 28 12:30:02 2019 GMT", "notAfter": "Aug  5 09:36:04 2021 GMT"}}}}}},
		{"escaping", func(r *Request) {
			r.RawPath = `/a"b\c`
			r.Headers = hdrs{{"X-Q", "\"quoted\"\t\x01"}, {"X-Bad", "a\xffb"}}
		}, []check{{"rawPath", `/a"b\c`}, {"headers.x-q", "\"quoted\"\t\x01"}, {"headers.x-bad", "a\ufffdb"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := baseRequest()
			if tc.mod != nil {
				tc.mod(r)
			}
			out := AppendV2(nil, r)
			m := decode(t, out)
			if m["version"] != "2.0" {
				t.Errorf("version = %v", m["version"])
			}
			for _, c := range tc.checks {
				got, ok := at(m, c.path)
				if c.want == absent {
					if ok {
						t.Errorf("%s present (%v), want absent", c.path, got)
					}
					continue
				}
				if !ok {
					t.Errorf("%s absent, want %v", c.path, c.want)
					continue
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s = %#v, want %#v", c.path, got, c.want)
				}
			}
			var ev events.APIGatewayV2HTTPRequest
			strict(t, out, &ev)
		})
	}
}

// TestV2IntoLambdaGoTypes decodes a full event into aws-lambda-go's type
// (unknown members rejected) and checks the typed fields.
func TestV2IntoLambdaGoTypes(t *testing.T) {
	r := baseRequest()
	r.Method = "POST"
	r.RawQuery = "q=1&q=2"
	r.Headers = hdrs{{"Content-Type", "text/plain"}, {"Cookie", "a=1; b=2"}, {"User-Agent", "ua"}}
	r.Body = []byte("hi")
	r.StageVariables = map[string]string{"s": "v"}
	r.Authorizer = &Authorizer{JWT: &JWTAuth{Claims: map[string]string{"sub": "u"}, Scopes: []string{"a", "b"}}}
	var ev events.APIGatewayV2HTTPRequest
	strict(t, AppendV2(nil, r), &ev)
	want := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /pets/{id}", RawPath: "/dev/pets/7", RawQueryString: "q=1&q=2",
		Cookies: []string{"a=1", "b=2"},
		Headers: map[string]string{"content-type": "text/plain", "user-agent": "ua", "content-length": "2",
			"x-forwarded-for": "192.0.2.1", "x-forwarded-port": "443", "x-forwarded-proto": "https",
			"x-amzn-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"},
		QueryStringParameters: map[string]string{"q": "1,2"},
		PathParameters:        map[string]string{"id": "7"},
		StageVariables:        map[string]string{"s": "v"},
		Body:                  "hi",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "GET /pets/{id}", AccountID: "123456789012", Stage: "dev", RequestID: "JKJaXmPLvHcESHA=",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: map[string]string{"sub": "u"}, Scopes: []string{"a", "b"}}},
			APIID: "abc123", DomainName: "abc123.execute-api.us-east-1.amazonaws.com", DomainPrefix: "abc123",
			Time: "04/Mar/2020:19:03:58 +0000", TimeEpoch: 1583348638390,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/dev/pets/7",
				Protocol: "HTTP/1.1", SourceIP: "192.0.2.1", UserAgent: "ua"},
		},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("decoded\n %+v\nwant\n %+v", ev, want)
	}
}

// TestV2ShapesOfTestdata checks that events built for aws-lambda-go's
// authorizer testdata have exactly their members (header, claim and
// context names are data, compared by their maps' presence only).
func TestV2ShapesOfTestdata(t *testing.T) {
	lambdaCtx, _ := NewContext([]byte(`{"key":"value"}`))
	for _, tc := range []struct {
		file string
		auth *Authorizer
	}{
		{"apigw-v2-request-jwt-authorizer.json", &Authorizer{JWT: &JWTAuth{Claims: map[string]string{"claim1": "value1"}, Scopes: []string{"scope1"}}}},
		{"apigw-v2-request-lambda-authorizer.json", &Authorizer{Lambda: &LambdaAuth{Context: lambdaCtx}}},
		{"apigw-v2-request-iam.json", &Authorizer{IAM: &IAMAuth{CognitoIdentity: &CognitoIdentity{AMR: []string{"foo"}}, PrincipalOrgID: "AwsOrgId"}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want := decode(t, testdata(t, tc.file))
			r := baseRequest()
			r.RawQuery = "parameter1=value1"
			r.Headers = hdrs{{"Cookie", "cookie1"}}
			r.PathParams = params{{"proxy", "hello/world"}}
			r.StageVariables = map[string]string{"stageVariable1": "value1"}
			r.Headers = hdrs{{"Cookie", "c=1"}, {"Content-Type", "application/json"}}
			r.Body = []byte(`{"a": 1}`)
			r.Authorizer = tc.auth
			r.ClientCert = &ClientCert{}
			got := decode(t, AppendV2(nil, r))
			data := map[string]bool{"headers": true, "queryStringParameters": true, "pathParameters": true,
				"stageVariables": true, "requestContext.authorizer.jwt.claims": true, "requestContext.authorizer.lambda": true}
			gk, wk := map[string]bool{}, map[string]bool{}
			keyPaths(got, "", data, gk)
			keyPaths(want, "", data, wk)
			if !reflect.DeepEqual(gk, wk) {
				t.Fatalf("members differ\n got: %v\nwant: %v", sortedKeys(gk), sortedKeys(wk))
			}
		})
	}
}

func TestAppendRequestTime(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2020, 3, 12, 19, 3, 58, 0, time.UTC), "12/Mar/2020:19:03:58 +0000"},
		{time.Date(2020, 3, 12, 20, 3, 58, 999e6, time.FixedZone("x", 3600)), "12/Mar/2020:19:03:58 +0000"},
		{time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC), "02/Jan/2021:03:04:05 +0000"},
		{time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC), "02/Jan/2021:03:04:05 +0000"}, // cached
	} {
		if got := string(AppendRequestTime(nil, tc.t)); got != tc.want {
			t.Errorf("AppendRequestTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestIsTextual(t *testing.T) {
	for ct, want := range map[string]bool{
		"":                                  false,
		"text/plain":                        true,
		"TEXT/HTML; charset=UTF-8":          true,
		"text/csv; charset=\"utf-8\"":       true,
		"text/plain; charset=iso-8859-1":    false,
		"application/json":                  true,
		"application/json;charset=utf8":     true,
		"application/xml":                   true,
		"application/javascript":            true,
		"application/vnd.api+json":          true,
		"application/atom+xml; q=1":         true,
		"application/x-www-form-urlencoded": false,
		"multipart/form-data; boundary=x":   false,
		"application/octet-stream":          false,
		"image/png":                         false,
		"application/jsonx":                 false,
		" ; charset=utf-8":                  false,
	} {
		if got := IsTextual([]byte(ct)); got != want {
			t.Errorf("IsTextual(%q) = %v, want %v", ct, got, want)
		}
	}
}
