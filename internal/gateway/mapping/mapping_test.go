package mapping

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate/internal/vtl"
)

const doc = `{"a":{"b":"x","n":5,"f":1.5,"t":true,"z":null},"items":[{"id":1,"name":"one"},{"id":2,"name":"two","a":{"x":"deep"}}],"x":"top","s p":"spaced","esc":"q\"<>/\n\u00e9"}`

func mustDoc(t *testing.T) any {
	t.Helper()
	d, err := vtl.ParseJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEvalPath(t *testing.T) {
	d := mustDoc(t)
	for _, c := range []struct{ path, json string }{
		{"$", doc[:0]}, // checked below
		{"$.a.b", `"x"`},
		{"$.a.n", `5`},
		{"$.a.f", `1.5`},
		{"$.a.t", `true`},
		{"$.a.z", `null`},
		{"$.a", `{"b":"x","n":5,"f":1.5,"t":true,"z":null}`},
		{"$['a']['b']", `"x"`},
		{`$["a"].b`, `"x"`},
		{"$['s p']", `"spaced"`},
		{"$.items[0]", `{"id":1,"name":"one"}`},
		{"$.items[1].name", `"two"`},
		{"$.items[-1].id", `2`},
		{"$.items[5]", `<nil>`},
		{"$.missing.deeper", `<nil>`},
		{"$.items[*].name", `["one","two"]`},
		{"$.items.*.id", `[1,2]`},
		{"$.a.*", `["x",5,1.5,true,null]`},
		{"$..x", `["top","deep"]`},
		{"$..name", `["one","two"]`},
		{"$..missing", `[]`},
		{" $.x ", `"top"`},
		{"$.esc", `"q\"<>/\né"`},
	} {
		if c.path == "$" {
			continue
		}
		v, err := EvalPath(d, c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		got := "<nil>"
		if v != nil || c.json == "null" {
			got = string(AppendJSON(nil, v))
		}
		if got != c.json {
			t.Errorf("%s: got %s, want %s", c.path, got, c.json)
		}
	}
	whole, _ := EvalPath(d, "$")
	if string(AppendJSON(nil, whole)) != `{"a":{"b":"x","n":5,"f":1.5,"t":true,"z":null},"items":[{"id":1,"name":"one"},{"id":2,"name":"two","a":{"x":"deep"}}],"x":"top","s p":"spaced","esc":"q\"<>/\né"}` {
		t.Errorf("$: key order or encoding changed: %s", AppendJSON(nil, whole))
	}
	for _, bad := range []string{"", "a.b", "$.", "$[", "$['a", "$[x]", "$a"} {
		if _, err := EvalPath(d, bad); !errors.Is(err, ErrJSONPath) {
			t.Errorf("%q: want ErrJSONPath, got %v", bad, err)
		}
	}
}

// fakeParams is a Params with fixed values.
type fakeParams map[string]string

func (f fakeParams) Param(n string) (string, bool) { v, ok := f[n]; return v, ok }
func (f fakeParams) All() *vtl.Map {
	m, h := vtl.NewMap(), vtl.NewMap()
	for _, k := range []string{"X-Id", "q"} {
		if v, ok := f[k]; ok {
			h.Put(k, v)
		}
	}
	m.Put("path", vtl.NewMap())
	m.Put("querystring", vtl.NewMap())
	m.Put("header", h)
	return m
}

func render(t *testing.T, src string, in *Input) string {
	t.Helper()
	out, err := vtl.MustParse("t", src).RenderString(context.Background(), vtl.Vars{"input": in, "util": Util{}})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return out
}

func TestInput(t *testing.T) {
	in := &Input{}
	in.Reset([]byte(doc), fakeParams{"X-Id": "7", "q": "cats"})
	for _, c := range []struct{ src, want string }{
		{`$input.body`, doc},
		{`$input.json('$.a.b')`, `"x"`},
		{`$input.json('$.items[*].id')`, `[1,2]`},
		{`$input.json('$.nothing')`, ``},
		{`$input.path('$.a.b')`, `x`},
		{`$input.path('$.a').b`, `x`},
		{`$input.path('$.items').size()`, `2`},
		{`#foreach($i in $input.path('$.items'))$i.id:$i.name#if($foreach.hasNext),#end#end`, `1:one,2:two`},
		{`$input.path('$.a.n') + 1`, `5 + 1`},
		{`#set($n = $input.path('$.a.n') + 1)$n`, `6`},
		{`$input.params('q')`, `cats`},
		{`[$input.params('none')]`, `[]`},
		{`$input.params().header.get('X-Id')`, `7`},
		{`$input.params().header.X-Id`, `7`}, // Velocity identifiers may contain '-'
		{`$input.params().path.size()`, `0`},
		{`$input.nothing`, `$input.nothing`},
	} {
		if got := render(t, c.src, in); got != c.want {
			t.Errorf("%s: got %q, want %q", c.src, got, c.want)
		}
	}
	empty := &Input{}
	empty.Reset(nil, nil)
	if got := render(t, `$input.json('$')|$input.path('$').size()|$input.params('x')|$input.params().size()`, empty); got != `{}|0||3` {
		t.Errorf("empty input: %q", got)
	}
	bad := &Input{}
	bad.Reset([]byte("not json"), nil)
	if got := render(t, `[$input.json('$.a')][$!input.path('$.a')]$input.body`, bad); got != `[][]not json` {
		t.Errorf("invalid JSON: %q", got)
	}
	if _, err := vtl.MustParse("t", `$input.path('a.b')`).RenderString(context.Background(), vtl.Vars{"input": in}); !errors.Is(err, ErrJSONPath) {
		t.Errorf("bad JSONPath: want ErrJSONPath, got %v", err)
	}
}

func TestEscapeJavaScript(t *testing.T) {
	for in, want := range map[string]string{
		"plain text 123":  "plain text 123",
		`it's`:            `it\'s`,
		`say "hi"`:        `say \"hi\"`,
		`back\slash`:      `back\\slash`,
		"a/b":             `a\/b`,
		"l1\nl2\r\tx\b\f": `l1\nl2\r\tx\b\f`,
		"\x01\x1f":        `\u0001\u001F`,
		"\x7f":            "\x7f",
		"é":               `\u00E9`,
		"€":               `\u20AC`,
		"😀":               `\uD83D\uDE00`,
		`{"k":"v"}`:       `{\"k\":\"v\"}`,
		"":                "",
	} {
		if got := EscapeJavaScript(in); got != want {
			t.Errorf("EscapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUtil(t *testing.T) {
	in := &Input{}
	in.Reset(nil, nil)
	for _, c := range []struct{ src, want string }{
		{`$util.escapeJavaScript("it's")`, `it\'s`},
		{`$util.escapeJavaScript("it's").replaceAll("\\'","'")`, `it's`},
		{`$util.parseJson('{"k":{"arr":[1,"two"]}}').k.arr[1]`, `two`},
		{`$util.parseJson('[1,2]').size()`, `2`},
		{`$util.urlEncode("a b&c=d/é*~")`, `a+b%26c%3Dd%2F%C3%A9*%7E`},
		{`$util.urlDecode("a+b%26c%3Dd%2F%C3%A9")`, `a b&c=d/é`},
		{`$util.base64Encode("héllo")`, `aMOpbGxv`},
		{`$util.base64Decode("aMOpbGxv")`, `héllo`},
		{`$util.base64Encode(12)`, `MTI=`},
		{`$!util.base64Encode($nothing)`, ``},
		{`$util.nope("x")`, `$util.nope("x")`},
	} {
		if got := render(t, c.src, in); got != c.want {
			t.Errorf("%s: got %q, want %q", c.src, got, c.want)
		}
	}
	for _, src := range []string{`$util.parseJson("{bad")`, `$util.base64Decode("***")`, `$util.urlDecode("%zz")`} {
		if _, err := vtl.MustParse("t", src).RenderString(context.Background(), vtl.Vars{"util": Util{}}); err == nil {
			t.Errorf("%s: want an error", src)
		}
	}
}
