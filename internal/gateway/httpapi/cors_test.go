package httpapi

import (
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// corsAPI has CORS for https://app.example (credentials, max-age, exposed
// headers), an HTTP backend on GET /items (which sends its own
// access-control-allow-origin), and an OPTIONS route on /claimed.
func corsAPI(t *testing.T) *api {
	srv := echoBackend(t)
	a := newAPI()
	a.snap.API.CorsConfiguration = &modelv2.Cors{AllowOrigins: []string{"https://app.example", "http://*"},
		AllowMethods: []string{"GET", "PUT"}, AllowHeaders: []string{"authorization", "x-custom"},
		ExposeHeaders: []string{"x-backend"}, MaxAge: model.Ptr(int64(600)), AllowCredentials: model.Ptr(true)}
	in := a.httpProxy(srv.URL + "/items")
	a.route("GET /items", in)
	a.route("OPTIONS /claimed", in)
	a.route("GET /claimed", in)
	return a
}

// TestCORSPreflight: the gateway answers preflights no route claims (204,
// the configured headers, no integration); an OPTIONS route that matches
// takes the request; a refused origin, method or header gets no CORS
// headers; without CORS configured a preflight is an ordinary request [D].
func TestCORSPreflight(t *testing.T) {
	door := corsAPI(t).stage(t, &Env{Clients: upstream.NewClients()}, "$default")
	pre := func(path, origin, method, headers string) map[string]string {
		r := do(door, "OPTIONS", path, nil, "Origin", origin, "Access-Control-Request-Method", method,
			"Access-Control-Request-Headers", headers)
		if r.Code != 204 || len(r.BodyBuf) != 0 {
			t.Errorf("preflight %s %s: %d %s", path, origin, r.Code, r.BodyBuf)
		}
		out := map[string]string{}
		for k := range r.Headers {
			out[k] = r.Headers.Get(k)
		}
		return out
	}
	h := pre("/items", "https://app.example", "PUT", "X-Custom")
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,PUT",
		"Access-Control-Allow-Headers": "authorization,x-custom", "Access-Control-Allow-Credentials": "true",
		"Access-Control-Max-Age": "600", "Vary": "origin",
	} {
		if h[k] != v {
			t.Errorf("preflight %s: %q, want %q (%v)", k, h[k], v, h)
		}
	}
	// Any route path: preflights need no route at all.
	if h := pre("/no/such/route", "http://localhost:3000", "GET", ""); h["Access-Control-Allow-Origin"] != "http://localhost:3000" {
		t.Errorf("scheme wildcard: %v", h)
	}
	for _, c := range []struct{ origin, method, headers string }{
		{"https://evil.example", "GET", ""}, {"https://app.example", "DELETE", ""}, {"https://app.example", "GET", "x-other"},
	} {
		if h := pre("/items", c.origin, c.method, c.headers); h["Access-Control-Allow-Origin"] != "" {
			t.Errorf("refused preflight %v: %v", c, h)
		}
	}
	// The OPTIONS route claims its preflights: the backend answers.
	r := do(door, "OPTIONS", "/claimed", nil, "Origin", "https://app.example", "Access-Control-Request-Method", "GET")
	if r.Code != 200 || decodeSeen(t, r.BodyBuf).Method != "OPTIONS" {
		t.Errorf("claimed preflight: %d %s", r.Code, r.BodyBuf)
	}

	// No CORS configuration: an OPTIONS request without a route is 404.
	a := corsAPI(t)
	a.snap.API.CorsConfiguration = nil
	door = a.stage(t, &Env{Clients: upstream.NewClients()}, "$default")
	expect(t, "no CORS", do(door, "OPTIONS", "/items", nil, "Origin", "https://app.example",
		"Access-Control-Request-Method", "GET"), 404, `{"message":"Not Found"}`)
}

// TestCORSActual: responses to requests with an allowed Origin carry the
// configured headers in place of the backend's; a disallowed or missing
// Origin gets none, and the backend's access-control-* headers are
// dropped either way; the gateway's own answers carry them too [D][U].
func TestCORSActual(t *testing.T) {
	door := corsAPI(t).stage(t, &Env{Clients: upstream.NewClients()}, "$default")
	r := do(door, "GET", "/items", nil, "Origin", "https://app.example")
	if r.Code != 200 || r.Headers.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		r.Headers.Get("Access-Control-Allow-Credentials") != "true" || r.Headers.Get("Access-Control-Expose-Headers") != "x-backend" ||
		r.Headers.Get("Access-Control-Max-Age") != "" || len(r.Headers.Values("Access-Control-Allow-Origin")) != 1 {
		t.Errorf("allowed origin: %d %v", r.Code, r.Headers)
	}
	for _, origin := range []string{"https://evil.example", ""} {
		var hdrs []string
		if origin != "" {
			hdrs = []string{"Origin", origin}
		}
		r := do(door, "GET", "/items", nil, hdrs...)
		for k := range r.Headers {
			if len(k) > 15 && k[:15] == "Access-Control-" {
				t.Errorf("origin %q: %s: %q", origin, k, r.Headers.Get(k))
			}
		}
	}
	r = do(door, "GET", "/nothing", nil, "Origin", "https://app.example")
	if r.Code != 404 || r.Headers.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("404 with an allowed origin: %d %v", r.Code, r.Headers)
	}
}
