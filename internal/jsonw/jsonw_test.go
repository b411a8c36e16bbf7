package jsonw

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x1f", `"\u0000\u001f"`},
		{"<&>", `"<&>"`},
		{"é€😀", `"é€😀"`},
		{"\u2028", "\"\u2028\""},
		{"a\xffb", `"a\ufffdb"`},
		{"\xe2\x82", `"\ufffd\ufffd"`},
	} {
		if got := string(String(nil, tc.in)); got != tc.want {
			t.Errorf("String(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := string(Bytes(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("Bytes(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	b := Key(nil, "k")
	b = Int(b, -12)
	b = append(b, ',')
	b = Bool(b, true)
	b = append(b, ',')
	b = StringOrNull(b, "")
	b = append(b, ',')
	b = StringOrNull(b, "x")
	if got, want := string(b), `"k":-12,true,null,"x"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got := string(Escaped(nil, `"`)); got != `\"` {
		t.Fatalf("Escaped = %s", got)
	}
	if got := string(EscapedBytes(nil, []byte(`\`))); got != `\\` {
		t.Fatalf("EscapedBytes = %s", got)
	}
}

// FuzzString checks that any input yields valid JSON that decodes to the
// input (with invalid UTF-8 replaced).
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00", "\xff", "é", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(nil, s)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q", out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back != want && utf8.ValidString(s) {
			t.Fatalf("round trip %q -> %q", s, back)
		}
	})
}

func BenchmarkString(b *testing.B) {
	s := strings.Repeat("Mozilla/5.0 (X11; Linux x86_64) \"quoted\" ", 4)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = String(buf[:0], s)
	}
}
