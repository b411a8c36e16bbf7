package sigv4

import (
	"net/http"
	"slices"
	"testing"
)

func TestCanonicalURIs(t *testing.T) {
	cases := []struct {
		raw  string
		want []string
	}{
		{"/", []string{"/"}},
		{"/restapis/abc", []string{"/restapis/abc"}},
		{"/tags/arn%3Aaws%3A%3A%2Frestapis%2Fabc", []string{"/tags/arn%253Aaws%253A%253A%252Frestapis%252Fabc", "/tags/arn%3Aaws%3A%3A%2Frestapis%2Fabc"}},
		{"/a:b/c@d", []string{"/a%3Ab/c%40d", "/a:b/c@d"}},
		{"/a%20b", []string{"/a%2520b", "/a%20b"}},
		{"/a%25b", []string{"/a%2525b", "/a%25b"}},
		// "%25" + two hex digits: only the double-encoded form.
		{"/a%2541", []string{"/a%252541"}},
		{"/x%25fF", []string{"/x%2525fF"}},
		{"//example//", []string{"//example//"}},
	}
	for _, tc := range cases {
		if got := canonicalURIs(tc.raw); !slices.Equal(got, tc.want) {
			t.Errorf("canonicalURIs(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=10&a=1", "a=1&a=10&a=2"},
		{"flag&empty=&x", "empty=&flag=&x="},
		{"q=a+b&r=a%20b&s=a%2Bb", "q=a%20b&r=a%20b&s=a%2Bb"},
		{"u=%c3%bc&%E1%88%B4=bar", "%E1%88%B4=bar&u=%C3%BC"},
		{"x=a:b/c?d@e;f", "x=a%3Ab%2Fc%3Fd%40e%3Bf"},
		{"a=1&&b=2&", "a=1&b=2"},
		{"=v", "=v"},
		{"k=v=w", "k=v%3Dw"},
		{"-._~=-._~", "-._~=-._~"},
	}
	for _, tc := range cases {
		pairs, err := parseQuery(tc.raw)
		if err != nil {
			t.Fatalf("parseQuery(%q): %v", tc.raw, err)
		}
		if got := canonicalQuery(pairs, false); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}

	pairs, _ := parseQuery("X-Amz-Signature=abc&b=1&X-Amz-Date=x")
	if got := canonicalQuery(pairs, true); got != "X-Amz-Date=x&b=1" {
		t.Errorf("presigned canonical query = %q", got)
	}
	if got := canonicalQueries(pairs, "X-Amz-Signature=abc&b=1&X-Amz-Date=x", true); len(got) != 1 {
		t.Errorf("presigned candidates = %q", got)
	}
	pairs, _ = parseQuery("b=1&a=2")
	if got := canonicalQueries(pairs, "b=1&a=2", false); !slices.Equal(got, []string{"a=2&b=1", "b=1&a=2"}) {
		t.Errorf("header candidates = %q", got)
	}
}

func TestCanonicalHeaderBlocks(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPut, "https://example.com/x", http.NoBody)
	r.ContentLength = 42
	r.Header["X-Multi"] = []string{" one ", "two  too", "  "}
	r.Header["x_odd"] = []string{"raw key"} // not canonicalisable by Go
	r.Header.Set("X-Tab", "a\t\tb  c")
	names := splitSignedHeaders("content-length;host;x-absent;x-multi;x_odd;x-tab")
	got := canonicalHeaderBlocks(r, names)
	want := []string{
		"content-length:42\nhost:example.com\nx-absent:\nx-multi:one,two too,\nx_odd:raw key\nx-tab:a\t\tb c\n",
		"content-length:42\nhost:example.com\nx-absent:\nx-multi:one,two too,\nx_odd:raw key\nx-tab:a b c\n",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestUnescapeQueryErrors(t *testing.T) {
	for _, s := range []string{"%", "%4", "%zz", "a%g1"} {
		if _, err := unescapeQuery(s); err == nil || err.Code != CodeMalformedQueryString {
			t.Errorf("unescapeQuery(%q) = %v", s, err)
		}
	}
}
