package policy

import (
	"bytes"
	"testing"
)

const (
	testAccount = "123456789012"
	testBase    = "arn:aws:execute-api:us-east-1:123456789012:abc123"
	aliceARN    = "arn:aws:iam::123456789012:user/alice"
	otherARN    = "arn:aws:iam::999999999999:user/mallory"
)

// ctx builds a request context from key/value pairs; a key may repeat.
func ctx(kv ...string) map[string][]string {
	if len(kv)%2 != 0 {
		panic("ctx: odd number of arguments")
	}
	m := map[string][]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

// anon is an anonymous execute-api:Invoke request.
func anon(resource string, c map[string][]string) Request {
	return Request{Action: "execute-api:Invoke", Resource: resource, Principal: Principal{Anonymous: true}, Context: c}
}

// as is an execute-api:Invoke request by an IAM principal.
func as(arn, resource string, c map[string][]string) Request {
	return Request{Action: "execute-api:Invoke", Resource: resource, Principal: Principal{ARN: arn}, Context: c}
}

func withAction(r Request, action string) Request {
	r.Action = action
	return r
}

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func mustExpand(t testing.TB, doc string) string {
	t.Helper()
	out, err := ExpandExecuteAPI([]byte(doc), "us-east-1", testAccount, "abc123")
	if err != nil {
		t.Fatalf("ExpandExecuteAPI(%s): %v", doc, err)
	}
	return string(out)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
