package wsapi

import "testing"

// TestSelection: route selection expressions as AWS documents them [D]:
// a JSONPath into the message, static text, several ${} variables; a
// missing path gives "", objects and arrays their JSON text, a message
// that is not JSON no key at all.
func TestSelection(t *testing.T) {
	cases := []struct {
		expr, msg, want string
		ok              bool
	}{
		{"$request.body.action", `{"action":"join"}`, "join", true},
		{"$request.body.action", `{"other":1}`, "", true},
		{"$request.body.action", `not json`, "", false},
		{"$request.body.action", `{"action":{"b":[1,2]}}`, `{"b":[1,2]}`, true},
		{"$request.body.action", `{"action":12.5}`, "12.5", true},
		{"$request.body.action", `{"action":null}`, "", true},
		{"$request.body.a.b[1]", `{"a":{"b":["x","y"]}}`, "y", true},
		{"$request.body['a']", `{"a":"q"}`, "q", true},
		{"${request.body.service}/${request.body.action}", `{"service":"chat","action":"join"}`, "chat/join", true},
		{"static", `not json`, "static", true},
		{"$request.body.action", `["action"]`, "", true},
	}
	for _, c := range cases {
		s, err := CompileSelection(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		got, ok := s.Eval([]byte(c.msg))
		if got != c.want || ok != c.ok {
			t.Errorf("%s on %s = %q, %v; want %q, %v", c.expr, c.msg, got, ok, c.want, c.ok)
		}
	}
	for _, bad := range []string{"${request.body.x", "${request.header.x}", "$request.body..x", "$request.body[x]"} {
		if _, err := CompileSelection(bad); err == nil {
			t.Errorf("%s compiled", bad)
		}
	}
}

// FuzzSelection: no expression or message makes selection panic.
func FuzzSelection(f *testing.F) {
	f.Add("$request.body.action", `{"action":"x"}`)
	f.Add("${request.body.a}/${request.body.b[0]}", `{"a":1,"b":[2]}`)
	f.Fuzz(func(t *testing.T, expr, msg string) {
		s, err := CompileSelection(expr)
		if err != nil {
			return
		}
		s.Eval([]byte(msg))
	})
}
