package transform

import (
	"crypto/md5"
	"testing"
)

func TestTransformations(t *testing.T) {
	sum := md5.Sum([]byte("abc"))
	for _, tc := range []struct {
		name, in, want string
	}{
		{"NONE", "a%20B", "a%20B"},
		{"COMPRESS_WHITE_SPACE", "a \t\n\r\f\vb  c\xa0d", "a b c d"},
		{"COMPRESS_WHITE_SPACE", "a b", "a b"},
		{"HTML_ENTITY_DECODE", "&lt;script&gt; &quot;x&quot; &#60;&#x3C;&amp;&nbsp;&#8364;", "<script> \"x\" <<&\xa0€"},
		{"HTML_ENTITY_DECODE", "a & b", "a & b"},
		{"LOWERCASE", "SeLeCt", "select"},
		{"CMD_LINE", `C:\> "P^ing" 'x' , y ; Z /c (a)`, "c:> ping x y z/c(a)"},
		{"URL_DECODE", "a%20b+c%2Fd%zz%4", "a b c/d%zz%4"},
		{"URL_DECODE_UNI", "%u0027%uFF1C%27+x", "'<' x"},
		{"BASE64_DECODE", "c2VsZWN0", "select"},
		{"BASE64_DECODE", "c2VsZWN0!!!", "select"},
		{"BASE64_DECODE_EXT", "c2V s.ZW!N0", "select"},
		{"HEX_DECODE", "414243zz", "ABC"},
		{"MD5", "abc", string(sum[:])},
		{"REPLACE_COMMENTS", "sel/* x */ect /* open", "sel ect  "},
		{"REPLACE_COMMENTS", "a */ b", "a */ b"},
		{"ESCAPE_SEQ_DECODE", `a\nb\x41\101\\\"\q`, "a\nbAA\\\"\\q"},
		{"SQL_HEX_DECODE", "SELECT 0x414243 FROM t", "SELECT ABC FROM t"},
		{"CSS_DECODE", `\3c script\3e \x`, "<script>x"},
		{"JS_DECODE", `\u003cscript\x3e\101\n\'`, "<script>A\n'"},
		{"NORMALIZE_PATH", "/a//b/./c/../d/", "/a/b/d/"},
		{"NORMALIZE_PATH", "/../../etc/passwd", "/etc/passwd"},
		{"NORMALIZE_PATH", "../a/./b", "../a/b"},
		{"NORMALIZE_PATH_WIN", `\a\..\b\\c`, "/b/c"},
		{"REMOVE_NULLS", "a\x00b", "ab"},
		{"REPLACE_NULLS", "a\x00b", "a b"},
		{"UTF8_TO_UNICODE", "a€b", "a%u20acb"},
		{"removeWhitespace", " a\tb c ", "abc"},
		{"removeCommentsChar", "a/*b*/c--d#e", "abcde"},
	} {
		f := ByName[tc.name]
		var buf []byte
		if got := string(f(&buf, []byte(tc.in))); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestChain: each step reads the previous step's result, never a buffer
// it is writing.
func TestChain(t *testing.T) {
	var bufs [2][]byte
	fs := []Func{URLDecode, URLDecode, Lowercase, CompressWhiteSpace, None, RemoveNulls}
	in := []byte("%2527%20OR%20%27A%27%3D%27a%27\x00  X")
	if got := string(Chain(fs, &bufs, in)); got != "' or 'a'='a' x" {
		t.Fatalf("Chain = %q", got)
	}
	if string(in) != "%2527%20OR%20%27A%27%3D%27a%27\x00  X" {
		t.Fatalf("Chain changed its input: %q", in)
	}
}

func FuzzTransformations(f *testing.F) {
	for _, s := range []string{"%u", "&#x", `\u12`, "/../..", "0x", "\xff\xfe", `\`, "&", "/*", "a\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := string(in)
		for name, fn := range ByName {
			var buf []byte
			fn(&buf, in)
			if string(in) != orig {
				t.Fatalf("%s changed its input", name)
			}
		}
	})
}
