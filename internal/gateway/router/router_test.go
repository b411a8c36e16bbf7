package router

import (
	"fmt"
	"testing"
)

type route struct{ name string }

func build(t testing.TB, defs map[string][]Verb) *Tree[route] {
	t.Helper()
	var tr Tree[route]
	for path, verbs := range defs {
		for _, v := range verbs {
			if err := tr.Add(path, v, &route{path + " " + v.String()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &tr
}

// TestPrecedence pins the cases measured on AWS (reference §2.2).
func TestPrecedence(t *testing.T) {
	cases := []struct {
		name string
		defs map[string][]Verb
		verb Verb
		path string
		want string // "" = no match (403 Missing Authentication Token)
		args string
	}{
		{"proxy fallback for methodless literal", map[string][]Verb{"/{proxy+}": {ANY}, "/jobs": nil, "/jobs/{op}": {GET}}, GET, "/jobs/reboot", "/jobs/{op} GET", "op=reboot"},
		{"literal without methods falls to proxy", map[string][]Verb{"/{proxy+}": {ANY}, "/jobs": nil, "/jobs/{op}": {GET}}, GET, "/jobs", "/{proxy+} ANY", "proxy=jobs"},
		{"param lacks verb falls to proxy", map[string][]Verb{"/{proxy+}": {ANY}, "/jobs": nil, "/jobs/{op}": {GET}}, POST, "/jobs/reboot", "/{proxy+} ANY", "proxy=jobs/reboot"},
		{"literal lacks verb falls to param", map[string][]Verb{"/users/me": {PATCH}, "/users/{userId}": {GET}}, GET, "/users/me", "/users/{userId} GET", "userId=me"},
		{"nothing has the verb", map[string][]Verb{"/users/me": {PATCH}, "/users/{userId}": {GET}}, POST, "/users/me", "", ""},
		{"literal beats param", map[string][]Verb{"/users/me": {GET}, "/users/{userId}": {GET}}, GET, "/users/me", "/users/me GET", ""},
		{"verb beats ANY", map[string][]Verb{"/a": {ANY, GET}}, GET, "/a", "/a GET", ""},
		{"ANY covers others", map[string][]Verb{"/a": {ANY, GET}}, DELETE, "/a", "/a ANY", ""},
		{"HEAD is not GET", map[string][]Verb{"/a": {GET}}, HEAD, "/a", "", ""},
		{"root needs its own method", map[string][]Verb{"/{proxy+}": {ANY}}, GET, "/", "", ""},
		{"root method", map[string][]Verb{"/": {GET}, "/{proxy+}": {ANY}}, GET, "", "/ GET", ""},
		{"greedy needs a segment", map[string][]Verb{"/parent/{proxy+}": {ANY}}, GET, "/parent/", "", ""},
		{"greedy keeps slashes", map[string][]Verb{"/files/{proxy+}": {ANY}}, GET, "/files/a//b/c", "/files/{proxy+} ANY", "proxy=a//b/c"},
		{"trailing slash matches", map[string][]Verb{"/pets": {GET}}, GET, "/pets/", "/pets GET", ""},
		{"greedy drops the trailing slash", map[string][]Verb{"/{proxy+}": {ANY}}, GET, "/a/b/", "/{proxy+} ANY", "proxy=a/b"},
		{"case sensitive", map[string][]Verb{"/Pets": {GET}}, GET, "/pets", "", ""},
		{"params not decoded", map[string][]Verb{"/u/{email}": {GET}}, GET, "/u/test%2Balias@x.com", "/u/{email} GET", "email=test%2Balias@x.com"},
		{"two params", map[string][]Verb{"/a/{x}/b/{y}": {GET}}, GET, "/a/1/b/2", "/a/{x}/b/{y} GET", "x=1,y=2"},
		{"param backtrack clears params", map[string][]Verb{"/a/{x}/b": {GET}, "/{p+}": {ANY}}, GET, "/a/1/c", "/{p+} ANY", "p=a/1/c"},
		{"empty segment is not a param", map[string][]Verb{"/a/{x}": {GET}}, GET, "/a//", "", ""},
		{"too deep for literal", map[string][]Verb{"/a": {GET}}, GET, "/a/b", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := build(t, c.defs)
			var m Match[route]
			ok := tr.Lookup(c.verb, c.path, &m)
			switch {
			case c.want == "" && ok:
				t.Fatalf("matched %s, want no match", m.Route.name)
			case c.want == "":
				return
			case !ok:
				t.Fatalf("no match, want %s", c.want)
			case m.Route.name != c.want:
				t.Fatalf("matched %s, want %s", m.Route.name, c.want)
			}
			args := ""
			for i := 0; i < m.Params.Len(); i++ {
				n, v := m.Params.At(i)
				if i > 0 {
					args += ","
				}
				args += n + "=" + v
			}
			if args != c.args {
				t.Errorf("params %q, want %q", args, c.args)
			}
		})
	}
}

func TestAddRejects(t *testing.T) {
	var tr Tree[route]
	for _, p := range []string{"pets", "/a//b", "/{p+}/x"} {
		if err := tr.Add(p, GET, &route{}); err == nil {
			t.Errorf("Add(%q) accepted", p)
		}
	}
	_ = tr.Add("/a/{x}", GET, &route{})
	if err := tr.Add("/a/{y}", POST, &route{}); err == nil {
		t.Error("conflicting parameter names accepted")
	}
	if err := tr.Add("/a/{x}", GET, &route{}); err == nil {
		t.Error("duplicate accepted")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	tr := build(t, map[string][]Verb{"/pets/{id}/toys/{toy}": {GET}, "/{proxy+}": {ANY}})
	var m Match[route]
	allocs := testing.AllocsPerRun(1000, func() {
		if !tr.Lookup(GET, "/pets/1/toys/ball", &m) || !tr.Lookup(POST, "/x/y/z", &m) {
			panic("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("Lookup allocates %.1f times", allocs)
	}
}

func bigTree(b *testing.B, n int) *Tree[route] {
	var tr Tree[route]
	for i := 0; i < n; i++ {
		if err := tr.Add(fmt.Sprintf("/svc%d/items/{id}", i), GET, &route{}); err != nil {
			b.Fatal(err)
		}
	}
	_ = tr.Add("/{proxy+}", ANY, &route{})
	return &tr
}

func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{10, 10000} {
		tr := bigTree(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var m Match[route]
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				tr.Lookup(GET, "/svc7/items/42", &m)
			}
		})
	}
}
