package proxyevent

import (
	"errors"
	"reflect"
	"testing"
)

func TestDecodeResponseV2(t *testing.T) {
	ct := func(v string) Header { return Header{"content-type", v} }
	textCT := ct("text/plain; charset=utf-8")
	jsonCT := ct("application/json")
	for _, tc := range []struct {
		name, in string
		want     *Response // nil: error
	}{
		{"object without statusCode is the body", `{"message":"hi"}`,
			&Response{200, []Header{jsonCT}, []byte(`{"message":"hi"}`), true}},
		{"body member without statusCode is still the body", ` {"body":"hi"} `,
			&Response{200, []Header{jsonCT}, []byte(`{"body":"hi"}`), true}},
		{"string", `"Hello"`, &Response{200, []Header{jsonCT}, []byte("Hello"), true}},
		{"escaped string", `"a\"b\u00e9"`, &Response{200, []Header{jsonCT}, []byte(`a"bé`), true}},
		{"number", `42`, &Response{200, []Header{jsonCT}, []byte("42"), true}},
		{"array", `[1, 2]`, &Response{200, []Header{jsonCT}, []byte("[1, 2]"), true}},
		{"null", `null`, &Response{200, []Header{jsonCT}, []byte("null"), true}},
		{"null statusCode counts as absent", `{"statusCode":null,"body":"x"}`,
			&Response{200, []Header{jsonCT}, []byte(`{"statusCode":null,"body":"x"}`), true}},
		{"structured", `{"statusCode":201,"headers":{"Content-Type":"application/xml","X-A":"1,2"},"body":"<a/>"}`,
			&Response{201, []Header{{"Content-Type", "application/xml"}, {"X-A", "1,2"}}, []byte("<a/>"), false}},
		{"structured without content type", `{"statusCode":200,"body":"hi"}`,
			&Response{200, []Header{textCT}, []byte("hi"), false}},
		{"no body", `{"statusCode":204}`, &Response{204, []Header{textCT}, nil, false}},
		{"cookies become set-cookie lines", `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"headers":{"set-cookie":"c=3"}}`,
			&Response{200, []Header{{"set-cookie", "a=1; Path=/"}, {"set-cookie", "b=2"}, {"set-cookie", "c=3"}, textCT}, nil, false}},
		{"multiValueHeaders ignored", `{"statusCode":200,"multiValueHeaders":{"X-M":["1","2"]},"headers":{"X-S":"s"}}`,
			&Response{200, []Header{{"X-S", "s"}, textCT}, nil, false}},
		{"malformed multiValueHeaders ignored too", `{"statusCode":200,"multiValueHeaders":7}`,
			&Response{200, []Header{textCT}, nil, false}},
		{"unknown members ignored", `{"statusCode":200,"extra":{"x":1},"body":"b"}`,
			&Response{200, []Header{textCT}, []byte("b"), false}},
		{"base64 body", `{"statusCode":200,"isBase64Encoded":true,"body":"AAEC","headers":{"content-type":"image/png"}}`,
			&Response{200, []Header{{"content-type", "image/png"}}, []byte{0, 1, 2}, false}},
		{"unpadded base64", `{"statusCode":200,"isBase64Encoded":true,"body":"aGk"}`,
			&Response{200, []Header{textCT}, []byte("hi"), false}},
		{"numbers and booleans in headers", `{"statusCode":200,"headers":{"X-N":5,"X-B":true,"X-Null":null}}`,
			&Response{200, []Header{{"X-N", "5"}, {"X-B", "true"}, textCT}, nil, false}},
		{"framing headers dropped", `{"statusCode":200,"headers":{"Content-Length":"99","Transfer-Encoding":"chunked","Connection":"close","X":"y"}}`,
			&Response{200, []Header{{"X", "y"}, textCT}, nil, false}},
		{"string status", `{"statusCode":"404"}`, &Response{404, []Header{textCT}, nil, false}},
		{"not JSON", `{"statusCode":200`, nil},
		{"empty", ``, nil},
		{"status not integral", `{"statusCode":200.5}`, nil},
		{"status out of range", `{"statusCode":600}`, nil},
		{"status of the wrong type", `{"statusCode":true}`, nil},
		{"status string not a number", `{"statusCode":"ok"}`, nil},
		{"headers not an object", `{"statusCode":200,"headers":[]}`, nil},
		{"header value an object", `{"statusCode":200,"headers":{"x":{}}}`, nil},
		{"body not a string", `{"statusCode":200,"body":{"a":1}}`, nil},
		{"isBase64Encoded not a boolean", `{"statusCode":200,"isBase64Encoded":"true"}`, nil},
		{"bad base64", `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`, nil},
		{"cookies not a list", `{"statusCode":200,"cookies":"a=1"}`, nil},
		{"cookie not a string", `{"statusCode":200,"cookies":[1]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeResponseV2([]byte(tc.in))
			if tc.want == nil {
				if err == nil || !errors.Is(err, ErrMalformedResponse) {
					t.Fatalf("got %+v, %v; want an ErrMalformedResponse", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Body) == 0 && len(tc.want.Body) == 0 {
				got.Body, tc.want.Body = nil, nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeResponseV1(t *testing.T) {
	textCT := Header{"content-type", "text/plain; charset=utf-8"}
	for _, tc := range []struct {
		name, in string
		want     *Response
	}{
		{"minimal", `{"statusCode":200}`, &Response{200, []Header{textCT}, nil, false}},
		{"merged headers", `{"statusCode":200,"headers":{"X-S":"s","x-m":"single","Content-Type":"text/html"},"multiValueHeaders":{"X-M":["1","2"],"Set-Cookie":["a=1","b=2"]},"body":"<p>"}`,
			&Response{200, []Header{{"X-M", "1"}, {"X-M", "2"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"},
				{"X-S", "s"}, {"Content-Type", "text/html"}}, []byte("<p>"), false}},
		{"unknown members ignored", `{"statusCode":200,"cookies":["x"],"foo":1}`, &Response{200, []Header{textCT}, nil, false}},
		{"base64", `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, &Response{200, []Header{textCT}, []byte("hi"), false}},
		{"base64Encoded is not read", `{"statusCode":200,"base64Encoded":true,"body":"aGk="}`, &Response{200, []Header{textCT}, []byte("aGk="), false}},
		{"no statusCode", `{"body":"hi"}`, nil},
		{"null statusCode", `{"statusCode":null}`, nil},
		{"not an object", `"hi"`, nil},
		{"not JSON", `hi`, nil},
		{"multiValueHeaders not an object", `{"statusCode":200,"multiValueHeaders":1}`, nil},
		{"multi value not a list", `{"statusCode":200,"multiValueHeaders":{"a":"b"}}`, nil},
		{"multi value element", `{"statusCode":200,"multiValueHeaders":{"a":[{}]}}`, nil},
		{"headers not an object", `{"statusCode":200,"headers":"x"}`, nil},
		{"header value", `{"statusCode":200,"headers":{"a":[]}}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeResponseV1([]byte(tc.in))
			if tc.want == nil {
				if err == nil || !errors.Is(err, ErrMalformedResponse) {
					t.Fatalf("got %+v, %v; want an ErrMalformedResponse", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Body) == 0 && len(tc.want.Body) == 0 {
				got.Body, tc.want.Body = nil, nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
