package httpapi

import "testing"

// TestSplitHost: a Host header without a port is returned whole (the usual
// case, taken without net.SplitHostPort), one with a port is split, and one
// that does not parse is returned whole.
func TestSplitHost(t *testing.T) {
	for _, c := range []struct{ in, host, port string }{
		{"abc123.execute-api.localhost", "abc123.execute-api.localhost", ""},
		{"api.example.com:8443", "api.example.com", "8443"},
		{"[::1]:443", "::1", "443"},
		{"::1", "::1", ""},
		{"", "", ""},
	} {
		if h, p := splitHost(c.in); h != c.host || p != c.port {
			t.Errorf("splitHost(%q) = %q, %q; want %q, %q", c.in, h, p, c.host, c.port)
		}
	}
}

// BenchmarkSplitHost measures the usual Host header, without a port.
func BenchmarkSplitHost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		splitHost("abc123.execute-api.localhost")
	}
}
