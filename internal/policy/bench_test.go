package policy

import "testing"

// benchPolicy is a typical REST API resource policy: allow everyone, deny
// callers outside two IP ranges, deny DELETE on /admin.
const benchPolicy = `{ "Version": "2012-10-17",
  "Statement": [
    { "Sid": "AllowInvoke", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*" },
    { "Sid": "DenyOutside", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
      "Condition": { "NotIpAddress": { "aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"] } } },
    { "Sid": "DenyAdminDelete", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/DELETE/admin/*" } ] }`

func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, mustExpand(b, benchPolicy))
	r := &Request{
		Action:    "execute-api:Invoke",
		Resource:  testBase + "/prod/GET/pets/1",
		Principal: Principal{Anonymous: true},
		Context: map[string][]string{
			"aws:SourceIp":        {"198.51.100.23"},
			"aws:SecureTransport": {"true"},
			"aws:CurrentTime":     {"2024-06-01T12:00:00Z"},
		},
	}
	if got := p.Evaluate(r); got != Allow {
		b.Fatalf("Evaluate = %v, want Allow", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(r) != Allow {
			b.Fatal("not allowed")
		}
	}
}

// BenchmarkEvaluateDeny is the same policy for a caller outside the ranges.
func BenchmarkEvaluateDeny(b *testing.B) {
	p := mustParse(b, mustExpand(b, benchPolicy))
	r := &Request{
		Action:    "execute-api:Invoke",
		Resource:  testBase + "/prod/DELETE/admin/users/1",
		Principal: Principal{Anonymous: true},
		Context:   map[string][]string{"aws:SourceIp": {"203.0.113.9"}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(r) != Deny {
			b.Fatal("not denied")
		}
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(mustExpand(b, benchPolicy))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
