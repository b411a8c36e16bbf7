package vtl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeInput stands in for API Gateway's $input in tests.
type fakeInput struct {
	body   any // parsed JSON body
	params map[string]string
}

func (in *fakeInput) Method(name string, args []any) (any, error) {
	switch name {
	case "path":
		if len(args) != 1 {
			return nil, ErrNoSuchMethod
		}
		p, _ := args[0].(string)
		return jsonPathLite(in.body, p), nil
	case "json":
		p, _ := args[0].(string)
		return Stringify(jsonPathLite(in.body, p)), nil
	case "params":
		if len(args) == 0 {
			m := NewMap()
			for k, v := range in.params {
				m.Put(k, v)
			}
			return m, nil
		}
		k, _ := args[0].(string)
		return in.params[k], nil
	}
	return nil, ErrNoSuchMethod
}

func (in *fakeInput) Property(name string) (any, bool) {
	if name == "body" {
		return "raw", true
	}
	return nil, false
}

// jsonPathLite supports "$", "$.a.b" only.
func jsonPathLite(v any, p string) any {
	if p == "$" {
		return v
	}
	for _, seg := range strings.Split(strings.TrimPrefix(p, "$."), ".") {
		m, ok := v.(*Map)
		if !ok {
			return nil
		}
		v, _ = m.Get(seg)
	}
	return v
}

var jsEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `'`, `\'`, "\n", `\n`, "\t", `\t`)

// fakeUtil stands in for $util.
type fakeUtil struct{}

func (fakeUtil) Method(name string, args []any) (any, error) {
	if name == "escapeJavaScript" && len(args) == 1 {
		s := Stringify(args[0])
		return jsEscaper.Replace(s), nil
	}
	if name == "fail" {
		return nil, errors.New("boom")
	}
	return nil, ErrNoSuchMethod
}

func (fakeUtil) Property(string) (any, bool) { return nil, false }

func render(t testing.TB, src string, vars Vars, opts ...Option) (string, error) {
	t.Helper()
	tpl, err := Parse("test", src, opts...)
	if err != nil {
		return "", err
	}
	return tpl.RenderString(context.Background(), vars)
}

func testVars() Vars {
	body, _ := ParseJSON([]byte(`{"name":"Zoë","age":42,"tags":["a","b"],"addr":{"city":"Paris"},"price":9.5}`))
	return Vars{
		"input":   &fakeInput{body: body, params: map[string]string{"id": "7", "q": "x y"}},
		"util":    fakeUtil{},
		"context": NewMapOf("requestId", "req-1", "stage", "prod", "identity", NewMapOf("sourceIp", "1.2.3.4")),
		"stageVariables": map[string]any{
			"env": "dev",
		},
		"s":    "Hello World",
		"n":    int64(5),
		"i":    7,
		"f":    1.5,
		"l":    NewList(int64(1), "a", true),
		"gl":   []any{"x", "y"},
		"gm":   map[string]any{"b": 2, "a": 1},
		"b":    true,
		"null": nil,
	}
}

// NewMapOf builds an ordered map from key/value pairs (test helper).
func NewMapOf(kv ...any) *Map {
	m := NewMap()
	for i := 0; i+1 < len(kv); i += 2 {
		m.Put(kv[i], kv[i+1])
	}
	return m
}

func TestRender(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"text", "plain", "plain"},
		{"ref", "$s", "Hello World"},
		{"silent", "[$!nope][$nope][${nope}][$!{nope}]", "[][$nope][${nope}][]"},
		{"nil-var", "$null $!null", "$null "},
		{"braced", "${s}!", "Hello World!"},
		{"int", "$i $n", "7 5"},
		{"float", "$f", "1.5"},
		{"input-path", `$input.path('$.name') $input.path('$.addr').city $input.path('$.tags').size()`, "Zoë Paris 2"},
		{"input-path-missing", `"$input.path('$.nope')"`, `"$input.path('$.nope')"`},
		{"input-json", `$input.json('$.tags')`, "[a, b]"},
		{"input-params", `$input.params('id') $input.params().q $input.body`, "7 x y raw"},
		{"util", `$util.escapeJavaScript("a'b""c")`, `a\'b\"c`},
		{"util-replaceall", `$util.escapeJavaScript("it's").replaceAll("\\'","'")`, `it's`},
		{"context", `$context.requestId $context.identity.sourceIp $context['stage']`, "req-1 1.2.3.4 prod"},
		{"stagevars", `$stageVariables.env ${stageVariables['env']} $stageVariables['env']`, "dev dev dev"},
		{"go-map-order", `$gm #foreach($k in $gm.keySet())$k#end`, "{a=1, b=2} ab"},
		{"go-slice", `$gl $gl.size() $gl[1] #foreach($x in $gl)$x#end`, "[x, y] 2 y xy"},
		{"go-slice-add", `$gl.add("z")`, ""}, // error case handled below
		{"set", `#set($x = $n * 2)$x`, "10"},
		{"if", `#if($n > 3)big#else small#end`, "big"},
		{"foreach", `#foreach($t in $input.path('$.tags'))$t$foreach.index#end`, "a0b1"},
		{"foreach-map", `#foreach($e in $input.path('$').entrySet())$e.key,#end`, "name,age,tags,addr,price,"},
		{"range", `#foreach($x in [1..3])$x#end`, "123"},
		{"list-literal", `#set($l2 = [1, "a", $s])$l2`, "[1, a, Hello World]"},
		{"map-literal", `#set($m = {"b": 1, "a": 2})$m`, "{b=1, a=2}"},
		{"arith", `#set($x = 5 / 2)#set($y = 5.0 / 2)#set($z = 7 % 3)$x $y $z`, "2 2.5 1"},
		{"compare-words", `#if($n eq 5 and not false)ok#end`, "ok"},
		{"string-interp", `#set($g = "Hi $s!")$g`, "Hi Hello World!"},
		{"single-quoted", `#set($g = 'Hi $s')$g`, "Hi $s"},
		{"comments", "a## x\nb#* y *#c", "abc"},
		{"unparsed", "#[[$s #if]]#", "$s #if"},
		{"escape", `\$s \#if`, "$s #if"},
		{"break", `#foreach($x in [1..9])#if($x > 2)#break#end$x#end`, "12"},
		{"stop", `a#stop b`, "a"},
		{"velocityCount", `#foreach($x in $l)$velocityCount#end`, "123"},
		{"string-methods", `$s.length() $s.substring(6) $s.indexOf("o") $s.toUpperCase() $s.trim().contains("W")`, "11 World 4 HELLO WORLD true"},
		{"utf16", `#set($u = "a😀b")$u.length() $u.substring(3) $u.indexOf("b") $u.charAt(0)`, "4 b 3 a"},
		{"double-format", `#set($d = 1.0)$d #set($e = 1e10)$e #set($g = 0.5)$g`, "1.01.0E100.5"}, // blanks before #set after a reference are eaten
		{"list-add", `$l.add(4)$l`, "true[1, a, true, 4]"},
		{"map-put", `#set($m = {})$!m.put("k", 1)$m.k`, "1"},
		{"split", `#set($c = "a,b,c")#foreach($p in $c.split(","))[$p]#end`, "[a][b][c]"},
		{"replaceAll-groups", `$s.replaceAll("(\w+) (\w+)", "$2 $1")`, "World Hello"},
		{"matches", `$s.matches("Hello.*") $s.matches("World")`, "true false"},
		{"crlf", "#if(true)\r\nx\r\n#end\r\n", "x\r\n"},
	}
	for _, tc := range tests {
		if tc.name == "go-slice-add" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			got, err := render(t, tc.src, testVars())
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		limit     bool
	}{
		{"unclosed-if", "a\n  #if(true)\nx", 2, 3, false},
		{"stray-end", "a\nb #end", 2, 3, false},
		{"bad-expr", "#set($x = 1 +)", 1, 14, false},
		{"unterminated-string", "\n#set($x = \"abc)", 2, 11, false},
		{"macro", "#macro(x)#end", 1, 1, false},
		{"method-error", "\n\n  $util.fail()", 3, 8, false},
		{"substring-error", "$s.substring(99)", 1, 3, false},
		{"immutable-slice", `$gl.add("z")`, 1, 4, false},
		{"loop-limit", "#foreach($i in [1..2000])#end", 1, 1, true},
		{"depth-limit", strings.Repeat("#if(true)", 200) + strings.Repeat("#end", 200), 1, 0, true},
		{"output-limit", `#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($i in [1..999])#set($s = "$s$s")#end`, 1, 0, true},
		{"range-limit", "#set($r = [1..100000000])", 1, 11, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.src, testVars())
			if err == nil {
				t.Fatal("expected error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if tc.col != 0 && (e.Line != tc.line || e.Col != tc.col) {
				t.Errorf("error at %d:%d, want %d:%d (%v)", e.Line, e.Col, tc.line, tc.col, err)
			}
			if errors.Is(err, ErrLimit) != tc.limit {
				t.Errorf("errors.Is(ErrLimit) = %v, want %v (%v)", !tc.limit, tc.limit, err)
			}
		})
	}
}

func TestLimitsOptions(t *testing.T) {
	if _, err := Parse("big", strings.Repeat("x", 100), WithMaxTemplateSize(10)); !errors.Is(err, ErrLimit) {
		t.Errorf("template size: %v", err)
	}
	tpl := MustParse("t", "#foreach($i in [1..10])#foreach($j in [1..10])x#end#end", WithMaxTotalIterations(50))
	if _, err := tpl.RenderString(context.Background(), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("total iterations: %v", err)
	}
	tpl = MustParse("t", "#foreach($i in [1..100])xxxxxxxxxx#end", WithMaxOutputSize(500))
	if _, err := tpl.RenderString(context.Background(), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("output: %v", err)
	}
	tpl = MustParse("t", "#set($l = [])#foreach($i in [1..100])$l.add($i)#end", WithMaxCollectionSize(50))
	if _, err := tpl.RenderString(context.Background(), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("collection: %v", err)
	}
	tpl = MustParse("t", "#set($l = [1])$l.add($l)$l")
	if _, err := tpl.RenderString(context.Background(), nil); err != nil {
		t.Errorf("self-referencing list: %v", err)
	}
	tpl = MustParse("t", "#set($a = [1])#set($b = [$a])$a.add($b)$a")
	if _, err := tpl.RenderString(context.Background(), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("cyclic lists: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tpl = MustParse("t", "#foreach($i in [1..1000])x#end")
	if _, err := tpl.RenderString(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

func TestConcurrentRender(t *testing.T) {
	tpl := MustParse("t", `#set($x = [])#foreach($i in [1..20])#set($d = $x.add($i))#end$x.size() $input.params('id') $s`)
	vars := testVars()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				out, err := tpl.RenderString(context.Background(), vars)
				if err != nil || out != "20 7 Hello World" {
					t.Errorf("got %q, %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseJSON(t *testing.T) {
	v, err := ParseJSON([]byte(`{"z":1,"a":[1.5,"x",null,true,{"k":1e2}],"big":12345678901234567890}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Stringify(v); got != "{z=1, a=[1.5, x, null, true, {k=100.0}], big=1.2345678901234567E19}" {
		t.Errorf("got %s", got)
	}
	if _, err := ParseJSON([]byte(`{"a":1} x`)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestStringify(t *testing.T) {
	for v, want := range map[any]string{
		1.0: "1.0", 1e7: "1.0E7", 1.5e-5: "1.5E-5", 123456.789: "123456.789", -0.001: "-0.001",
		int64(-3): "-3", true: "true", "s": "s", 1e21: "1.0E21",
	} {
		if got := Stringify(v); got != want {
			t.Errorf("Stringify(%v) = %q, want %q", v, got, want)
		}
	}
}

// corpusSeeds returns corpus templates for fuzzing.
func corpusSeeds(f *testing.F) []string {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	var seeds []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, chunk := range strings.Split(string(data), "\n=== ") {
			if nl := strings.IndexByte(chunk, '\n'); nl >= 0 {
				seeds = append(seeds, chunk[nl+1:])
			}
		}
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse("fuzz", src, WithMaxDepth(50))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		_ = tpl
	})
}

func FuzzRender(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := Parse("fuzz", src,
			WithMaxLoopIterations(100), WithMaxTotalIterations(1000), WithMaxOutputSize(1<<16),
			WithMaxDepth(50), WithMaxCollectionSize(1000))
		if err != nil {
			return
		}
		out, err := tpl.AppendRender(context.Background(), nil, testVars())
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not *Error: %v", err)
			}
			if strings.Contains(e.Msg, "internal error") {
				t.Fatalf("panic: %v", err)
			}
		}
		if len(out) > 1<<16+1<<16 {
			t.Fatalf("output %d bytes exceeds limit", len(out))
		}
	})
}
