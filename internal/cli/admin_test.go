package cli

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/supervise"
)

// TestAdminRouting: only GET/HEAD on the operational paths leave the
// management API; every other request reaches it exactly as sent (no
// cleaning, no redirect), e.g. with empty segments or encoded slashes.
func TestAdminRouting(t *testing.T) {
	var gotPath, gotRaw string
	mgmtHit := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotRaw = r.URL.Path, r.URL.RawPath
		w.WriteHeader(299)
	})
	ops := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
	}
	h := newAdminHandler(adminConfig{
		Mgmt:      mgmtHit,
		Health:    func(context.Context) supervise.Health { return supervise.Health{Ready: true} },
		Metrics:   ops(201),
		Stages:    ops(202),
		Listeners: ops(203),
		Access:    opsAccess{Open: true},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	cases := []struct {
		method, target string
		status         int
		path           string // what the management API saw
	}{
		{"GET", "/healthz", 200, ""},
		{"HEAD", "/metrics", 201, ""},
		{"GET", "/_tollgate/stages", 202, ""},
		{"GET", "/_tollgate/listeners", 203, ""},
		{"POST", "/metrics", 299, "/metrics"},
		{"GET", "//restapis", 299, "//restapis"},
		{"GET", "/restapis/a%2Fb/resources", 299, "/restapis/a%2Fb/resources"},
		{"GET", "/restapis/../healthz", 299, "/restapis/../healthz"},
		{"GET", "/debug/pprof/", 299, "/debug/pprof/"}, // pprof is off
	}
	for _, c := range cases {
		gotPath, gotRaw = "", ""
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		// Written by hand: clients clean paths such as "/a/../b".
		_, _ = conn.Write([]byte(c.method + " " + c.target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		conn.Close()
		seen := gotRaw
		if seen == "" {
			seen = gotPath
		}
		if res.StatusCode != c.status || seen != c.path {
			t.Errorf("%s %s: %d, management API saw %q; want %d, %q", c.method, c.target, res.StatusCode, seen, c.status, c.path)
		}
	}
}

// TestAdminConsoleRouting: the console takes every method under
// /_tollgate/console; with --console=false those paths are 404.
func TestAdminConsoleRouting(t *testing.T) {
	cfg := adminConfig{
		Mgmt:    http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) }),
		Health:  func(context.Context) supervise.Health { return supervise.Health{Ready: true} },
		Metrics: http.NotFoundHandler(), Stages: http.NotFound, Listeners: http.NotFound,
		Access:  opsAccess{Open: false, Token: "some-long-metrics-token"},
		Console: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }),
	}
	on := newAdminHandler(cfg)
	cfg.Console = nil
	off := newAdminHandler(cfg)
	for _, c := range []struct {
		method, target string
		on, off        int
	}{
		{"GET", "/_tollgate/console/", 204, 404},
		{"GET", "/_tollgate/console", 204, 404},
		{"POST", "/_tollgate/console/login", 204, 299},
		{"GET", "/_tollgate/console/apis/x/stages/dev", 204, 404},
		{"GET", "/_tollgate/consoleX", 404, 404},
	} {
		for name, h := range map[string]http.Handler{"on": on, "off": off} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.target, nil))
			want := c.on
			if name == "off" {
				want = c.off
			}
			if rec.Code != want {
				t.Errorf("console %s: %s %s: %d, want %d", name, c.method, c.target, rec.Code, want)
			}
		}
	}
}
