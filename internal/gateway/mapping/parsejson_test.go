package mapping

import (
	"testing"

	"github.com/tollgate/tollgate/internal/vtl"
)

// TestParseJSONMatchesVTL checks ParseJSON against vtl.ParseJSON.
func TestParseJSONMatchesVTL(t *testing.T) {
	for _, in := range []string{
		doc, `{}`, `[]`, ` [1, -2, 3.5, 1e3, -0, 0.5E-2] `, `9223372036854775807`, `9223372036854775808`,
		`-9223372036854775808`, `-9223372036854775809`, `12345678901234567890123`, `"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`,
		`"\ud83d"`, `"é€😀"`, "\"\xff\"", `{"a":1,"a":2,"b":{"c":[null,true,false]}}`, `true`, `null`,
		`{"k":"v",}`, `[1,]`, `01`, `1.`, `.5`, `-`, `"unterminated`, `{"a" 1}`, `[1 2]`, `tru`, `{} x`, ``, `"\x"`, "\"a\nb\"",
	} {
		want, werr := vtl.ParseJSON([]byte(in))
		got, gerr := ParseJSON([]byte(in))
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%q: vtl err %v, ours %v", in, werr, gerr)
			continue
		}
		if werr != nil {
			continue
		}
		if w, g := string(AppendJSON(nil, want)), string(AppendJSON(nil, got)); w != g {
			t.Errorf("%q: vtl %s, ours %s", in, w, g)
		}
		if w, g := vtl.Stringify(want), vtl.Stringify(got); w != g {
			t.Errorf("%q: vtl %s, ours %s (Stringify)", in, w, g)
		}
	}
}

func BenchmarkParseJSON(b *testing.B) {
	data := []byte(doc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
