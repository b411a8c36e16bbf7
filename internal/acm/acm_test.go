package acm

import (
	"crypto/x509"
	"encoding/json"
	"testing"
	"time"
)

func TestParseARN(t *testing.T) {
	p, ok := ParseARN("arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012")
	if !ok || p.Region != "eu-west-1" || p.Account != "123456789012" || p.ID != "12345678-1234-1234-1234-123456789012" {
		t.Errorf("ParseARN: %+v %v", p, ok)
	}
	for _, bad := range []string{"", "arn:aws:acm:us-east-1:1:key/x", "arn:aws:acm:us-east-1:1:certificate/", "arn:aws:acm:us-east-1:1:certificate/a/b",
		"arn:aws:s3:us-east-1:1:certificate/x", "arn:aws:acm:us-east-1:abc:certificate/x"} {
		if _, ok := ParseARN(bad); ok {
			t.Errorf("ParseARN(%q) accepted", bad)
		}
	}
}

// TestCovers: a name covers itself (case-insensitively); "*.rest" covers
// exactly one label in front of rest; a wildcard host only by the same
// wildcard; without SANs the CN counts.
func TestCovers(t *testing.T) {
	in := &Info{SubjectAlternativeNames: []string{"api.example.test", "*.example.test"}, Leaf: &x509.Certificate{}}
	for host, want := range map[string]bool{
		"api.example.test": true, "API.Example.Test": true, "v1.example.test": true, "example.test": false,
		"a.b.example.test": false, "*.example.test": true, "*.api.example.test": false, "other.test": false, ".example.test": false,
	} {
		if got := in.Covers(host); got != want {
			t.Errorf("Covers(%q) = %v, want %v", host, got, want)
		}
	}
	cn := &Info{Leaf: &x509.Certificate{}}
	cn.Leaf.Subject.CommonName = "cn.example.test"
	if !cn.Covers("cn.example.test") {
		t.Error("a certificate without SANs does not cover its CN")
	}
}

// TestTime: ACM timestamps are epoch seconds with a fraction, both ways.
func TestTime(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1446835267, 0), "1446835267.0"},
		{time.UnixMilli(1446835267250), "1446835267.25"},
	} {
		b, err := json.Marshal(TimeOf(c.t))
		if err != nil || string(b) != c.want {
			t.Errorf("marshal %v: %s %v, want %s", c.t, b, err, c.want)
		}
		var back Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Time().Equal(c.t) {
			t.Errorf("unmarshal %s: %v %v", b, back.Time(), err)
		}
	}
}
