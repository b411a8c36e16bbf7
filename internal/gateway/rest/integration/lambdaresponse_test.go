package integration

import (
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/pipeline"
)

func TestParseProxyResponseV1(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		ok      bool
		status  int
		headers [][2]string
		body    string
	}{
		{"no body", `{"statusCode": 200}`, true, 200, nil, ""},
		{"empty object", `{}`, true, 200, nil, ""},
		{"string status", `{"statusCode": "201"}`, true, 201, nil, ""},
		{"bool header", `{"headers": {"header-bool": true, "test-header": "value"}}`, true, 200, [][2]string{{"header-bool", "true"}, {"test-header", "value"}}, ""},
		{"null headers", `{"statusCode": 200, "headers": null}`, true, 200, nil, ""},
		{"multi", `{"multiValueHeaders": {"test-multi": ["value1", "value2"]}}`, true, 200, [][2]string{{"test-multi", "value1, value2"}}, ""},
		{"multi then single", `{"headers": {"test-multi": "value-solo"}, "multiValueHeaders": {"test-multi": ["value-multi"]}}`, true, 200, [][2]string{{"test-multi", "value-multi, value-solo"}}, ""},
		{"multi casing wins", `{"headers": {"test-multi": "value-solo"}, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}}`, true, 200, [][2]string{{"tesT-Multi", "value-multi, value-solo"}}, ""},
		{"body", `{"body": "hello", "isBase64Encoded": false}`, true, 200, nil, "hello"},
		{"other member", `{"statusCode": 200, "wrongFormat": 1}`, false, 0, nil, ""},
		{"empty", ``, false, 0, nil, ""},
		{"just a string", `"justAString"`, false, 0, nil, ""},
		{"array", `[1]`, false, 0, nil, ""},
		{"bad status", `{"statusCode": "abc"}`, false, 0, nil, ""},
		{"fractional status", `{"statusCode": 200.5}`, false, 0, nil, ""},
		{"multi scalar", `{"multiValueHeaders": {"a": "b"}}`, false, 0, nil, ""},
		{"object body", `{"body": {"a": 1}}`, false, 0, nil, ""},
		{"number header", `{"headers": {"a": 1}}`, false, 0, nil, ""},
		{"member twice: the last counts", `{"statusCode": 201, "statusCode": 202}`, true, 202, nil, ""},
		{"null member of any name", `{"statusCode": 200, "other": null}`, true, 200, nil, ""},
		{"null header value", `{"headers": {"a": null, "b": "c"}}`, true, 200, [][2]string{{"b", "c"}}, ""},
		{"one name in two casings", `{"headers": {"A": "1", "a": "2"}}`, true, 200, [][2]string{{"A", "1, 2"}}, ""},
		{"escaped body", `{"body": "a\"\u00e9\n"}`, true, 200, nil, "a\"\u00e9\n"},
		{"content after the object", `{"statusCode": 200} {}`, false, 0, nil, ""},
		{"status out of range", `{"statusCode": 600}`, false, 0, nil, ""},
		{"string base64 flag", `{"isBase64Encoded": "true"}`, false, 0, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := parseProxyResponseV1([]byte(c.payload))
			if !c.ok {
				var f *pipeline.Failure
				if err == nil || !errors.As(err, &f) || f.Status != 502 || f.Message != "Internal server error" {
					t.Fatalf("want a 502 failure, got %v %v", r, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.status != c.status || string(r.body) != c.body || len(r.headers) != len(c.headers) {
				t.Fatalf("got %+v", r)
			}
			for i := range c.headers {
				if r.headers[i] != c.headers[i] {
					t.Errorf("header %d: %v, want %v", i, r.headers[i], c.headers[i])
				}
			}
		})
	}
}
