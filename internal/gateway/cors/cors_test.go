package cors

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func intp(n int) *int { return &n }

func mustCompile(t testing.TB, c Config) *Policy {
	t.Helper()
	p, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// headers renders an answer as name: value lines.
func headers(a Answer) map[string]string {
	out := map[string]string{}
	var buf [8]Header
	for _, h := range a.AppendTo(buf[:0]) {
		out[h.Name] = h.Value
	}
	return out
}

func TestPreflight(t *testing.T) {
	full := Config{
		AllowOrigins:     []string{"https://app.example.com", "http://localhost:3000"},
		AllowMethods:     []string{"GET", "PUT", "DELETE"},
		AllowHeaders:     []string{"authorization", "content-type", "X-Api-Version"},
		ExposeHeaders:    []string{"x-request-id"},
		MaxAge:           intp(300),
		AllowCredentials: true,
	}
	for _, tc := range []struct {
		name                   string
		cfg                    Config
		origin, method, header string
		want                   map[string]string // empty: refused
	}{
		{"exact origin echoed", full, "https://app.example.com", "PUT", "content-type, Authorization", map[string]string{
			HeaderAllowOrigin: "https://app.example.com", HeaderAllowMethods: "GET,PUT,DELETE",
			HeaderAllowHeaders: "authorization,content-type,X-Api-Version", HeaderAllowCredentials: "true",
			HeaderMaxAge: "300", HeaderVary: "origin"}},
		{"origin compared ignoring case", full, "HTTPS://APP.example.com", "GET", "", map[string]string{
			HeaderAllowOrigin: "HTTPS://APP.example.com", HeaderAllowMethods: "GET,PUT,DELETE",
			HeaderAllowHeaders: "authorization,content-type,X-Api-Version", HeaderAllowCredentials: "true",
			HeaderMaxAge: "300", HeaderVary: "origin"}},
		{"second origin of the list, never the list", full, "http://localhost:3000", "DELETE", "", map[string]string{
			HeaderAllowOrigin: "http://localhost:3000", HeaderAllowMethods: "GET,PUT,DELETE",
			HeaderAllowHeaders: "authorization,content-type,X-Api-Version", HeaderAllowCredentials: "true",
			HeaderMaxAge: "300", HeaderVary: "origin"}},
		{"origin not listed", full, "https://evil.example.com", "GET", "", nil},
		{"origin with another port", full, "http://localhost:3001", "GET", "", nil},
		{"method not allowed", full, "https://app.example.com", "PATCH", "", nil},
		{"safelisted method always passes", full, "https://app.example.com", "POST", "content-type", map[string]string{
			HeaderAllowOrigin: "https://app.example.com", HeaderAllowMethods: "GET,PUT,DELETE",
			HeaderAllowHeaders: "authorization,content-type,X-Api-Version", HeaderAllowCredentials: "true",
			HeaderMaxAge: "300", HeaderVary: "origin"}},
		{"header not allowed", full, "https://app.example.com", "PUT", "content-type,x-other", nil},
		{"star origin", Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}}, "https://a.b", "GET", "",
			map[string]string{HeaderAllowOrigin: "*", HeaderAllowMethods: "GET"}},
		{"star wins over a listed origin", Config{AllowOrigins: []string{"https://a.b", "*"}}, "https://a.b", "GET", "",
			map[string]string{HeaderAllowOrigin: "*"}},
		{"https scheme wildcard", Config{AllowOrigins: []string{"https://*"}, AllowHeaders: []string{"*"}}, "https://x.y:8443", "GET", "x-a, x-b",
			map[string]string{HeaderAllowOrigin: "https://x.y:8443", HeaderAllowHeaders: "x-a, x-b", HeaderVary: "origin"}},
		{"https wildcard refuses http", Config{AllowOrigins: []string{"https://*"}}, "http://x.y", "GET", "", nil},
		{"http scheme wildcard", Config{AllowOrigins: []string{"http://*"}}, "http://x.y", "GET", "",
			map[string]string{HeaderAllowOrigin: "http://x.y", HeaderVary: "origin"}},
		{"wildcard needs a host", Config{AllowOrigins: []string{"https://*"}}, "https://", "GET", "", nil},
		{"star methods echo the request", Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}, "https://a", "PATCH", "",
			map[string]string{HeaderAllowOrigin: "*", HeaderAllowMethods: "PATCH"}},
		{"no methods configured: non-safelisted refused", Config{AllowOrigins: []string{"*"}}, "https://a", "PUT", "", nil},
		{"no headers configured: none may be requested", Config{AllowOrigins: []string{"*"}}, "https://a", "GET", "x-a", nil},
		{"empty header list items ignored", Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"a"}}, "https://a", "GET", " , a ,",
			map[string]string{HeaderAllowOrigin: "*", HeaderAllowHeaders: "a"}},
		{"max age zero and negative", Config{AllowOrigins: []string{"*"}, MaxAge: intp(-1)}, "https://a", "GET", "",
			map[string]string{HeaderAllowOrigin: "*", HeaderMaxAge: "-1"}},
		{"no origin", full, "", "GET", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustCompile(t, tc.cfg).Preflight(tc.origin, tc.method, tc.header)
			got := headers(a)
			if tc.want == nil {
				tc.want = map[string]string{}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
			if a.OK() != (len(tc.want) > 0) {
				t.Fatalf("OK() = %v", a.OK())
			}
		})
	}
}

func TestActual(t *testing.T) {
	cfg := Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET"},
		AllowHeaders: []string{"a"}, ExposeHeaders: []string{"x-request-id", "date"}, MaxAge: intp(10), AllowCredentials: true}
	p := mustCompile(t, cfg)
	got := headers(p.Actual("https://app.example.com"))
	want := map[string]string{HeaderAllowOrigin: "https://app.example.com", HeaderAllowCredentials: "true",
		HeaderExposeHeaders: "x-request-id,date", HeaderVary: "origin"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	for _, origin := range []string{"", "https://other.example.com", "null"} {
		if a := p.Actual(origin); a.OK() || len(headers(a)) != 0 {
			t.Errorf("Actual(%q) = %v, want nothing", origin, headers(a))
		}
	}
	star := mustCompile(t, Config{AllowOrigins: []string{"*"}})
	if got := headers(star.Actual("null")); !reflect.DeepEqual(got, map[string]string{HeaderAllowOrigin: "*"}) {
		t.Fatalf("star: %v", got)
	}
}

func TestIsPreflight(t *testing.T) {
	for _, tc := range []struct {
		method, origin, acrm string
		want                 bool
	}{
		{"OPTIONS", "https://a", "GET", true},
		{"OPTIONS", "", "GET", false},
		{"OPTIONS", "https://a", "", false},
		{"GET", "https://a", "GET", false},
	} {
		if got := IsPreflight(tc.method, tc.origin, tc.acrm); got != tc.want {
			t.Errorf("IsPreflight(%q,%q,%q) = %v", tc.method, tc.origin, tc.acrm, got)
		}
	}
}

func TestIsCORSHeader(t *testing.T) {
	for name, want := range map[string]bool{
		"Access-Control-Allow-Origin": true, "access-control-max-age": true, "ACCESS-CONTROL-X": true,
		"access-control": false, "vary": false, "x-access-control-allow-origin": false, "": false,
	} {
		if got := IsCORSHeader(name); got != want {
			t.Errorf("IsCORSHeader(%q) = %v", name, got)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		msg  string // "" = valid
	}{
		{"empty", Config{}, ""},
		{"full", Config{AllowOrigins: []string{"https://a", "https://*"}, AllowMethods: []string{"GET", "*"},
			AllowHeaders: []string{"*"}, ExposeHeaders: []string{"*"}, MaxAge: intp(86400), AllowCredentials: true}, ""},
		{"credentials with star", Config{AllowOrigins: []string{"https://a", "*"}, AllowCredentials: true},
			"allow-credentials is not supported if 'allow-origin' is *"},
		{"star without credentials", Config{AllowOrigins: []string{"*"}}, ""},
		{"max age too large", Config{MaxAge: intp(86401)}, "Invalid maxAge 86401: the value must be between -1 and 86400"},
		{"max age too small", Config{MaxAge: intp(-2)}, "Invalid maxAge -2: the value must be between -1 and 86400"},
		{"empty origin", Config{AllowOrigins: []string{""}}, "Invalid allowOrigins: entries must not be empty"},
		{"long method", Config{AllowMethods: []string{strings.Repeat("A", 65)}}, `Invalid allowMethods: "` + strings.Repeat("A", 65) + `" is longer than 64 characters`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.cfg)
			_, cerr := Compile(tc.cfg)
			if tc.msg == "" {
				if err != nil || cerr != nil {
					t.Fatalf("Validate = %v, Compile = %v", err, cerr)
				}
				return
			}
			if err == nil || err.Error() != tc.msg || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want %q wrapping ErrInvalid", err, tc.msg)
			}
			if cerr == nil {
				t.Fatal("Compile accepted an invalid configuration")
			}
		})
	}
}

// FuzzPreflight checks the answer's invariants on any request: a granted
// answer names "*" or the request's own origin, never "*" together with
// credentials, and only for origins the configuration allows.
func FuzzPreflight(f *testing.F) {
	f.Add("https://app.example.com", "PUT", "content-type")
	f.Add("http://x", "GET", "")
	f.Add("HTTPS://APP.EXAMPLE.COM", "get", ",,")
	creds := mustCompile(f, Config{AllowOrigins: []string{"https://app.example.com", "http://*"},
		AllowMethods: []string{"PUT"}, AllowHeaders: []string{"content-type"}, AllowCredentials: true})
	star := mustCompile(f, Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}})
	f.Fuzz(func(t *testing.T, origin, method, hdrs string) {
		for _, p := range []*Policy{creds, star} {
			for _, a := range []Answer{p.Preflight(origin, method, hdrs), p.Actual(origin)} {
				if !a.OK() {
					continue
				}
				if origin == "" {
					t.Fatal("granted without an origin")
				}
				if a.AllowOrigin != "*" && a.AllowOrigin != origin {
					t.Fatalf("allow-origin %q for origin %q", a.AllowOrigin, origin)
				}
				if p == creds {
					if a.AllowOrigin == "*" {
						t.Fatal("* with credentials")
					}
					if !strings.EqualFold(origin, "https://app.example.com") && !hasPrefixFold(origin, "http://") {
						t.Fatalf("origin %q granted", origin)
					}
				}
			}
		}
	})
}

func BenchmarkPreflight(b *testing.B) {
	p := mustCompile(b, Config{AllowOrigins: []string{"https://a.example.com", "https://app.example.com"},
		AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"authorization", "content-type"}, MaxAge: intp(300), AllowCredentials: true})
	var buf [8]Header
	b.ReportAllocs()
	for b.Loop() {
		a := p.Preflight("https://app.example.com", "PUT", "content-type, authorization")
		if len(a.AppendTo(buf[:0])) != 6 {
			b.Fatal("refused")
		}
	}
}

func BenchmarkActual(b *testing.B) {
	p := mustCompile(b, Config{AllowOrigins: []string{"https://*"}, ExposeHeaders: []string{"x-request-id"}})
	var buf [8]Header
	b.ReportAllocs()
	for b.Loop() {
		a := p.Actual("https://app.example.com")
		if len(a.AppendTo(buf[:0])) != 3 {
			b.Fatal("refused")
		}
	}
}
