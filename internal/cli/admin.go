package cli

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/supervise"
)

// The admin listener serves the management API and, beside it, the
// operational endpoints:
//
//	GET /healthz            readiness, for load balancers: always open
//	GET /metrics            Prometheus text
//	GET /_tollgate/stages   what the data plane serves, compile failures
//	GET /_tollgate/listeners the data-plane URLs (for `tollgate import`)
//	GET /_tollgate/cluster  the cluster's nodes, their revisions and lag
//	GET /debug/pprof/…      Go's profiler, only with --pprof
//	/_tollgate/console/…    the web console (its own sign-in), unless --console=false
//
// Every other request goes to the management API as it came (no path
// cleaning or redirects: AWS paths may hold encoded slashes and empty
// segments).

// Bounds of the operational endpoints.
const (
	// healthTimeout bounds /healthz's read of the store's revision.
	healthTimeout = 2 * time.Second
	// maxProfileSeconds bounds pprof's seconds parameter (CPU profile,
	// trace, delta profiles): a profile holds a request, and a CPU profile
	// the profiler, for that long.
	maxProfileSeconds = 60
)

// adminConfig is what the admin listener serves.
type adminConfig struct {
	Mgmt      http.Handler
	Health    func(context.Context) supervise.Health
	Metrics   http.Handler
	Stages    http.HandlerFunc
	Listeners http.HandlerFunc
	// Cluster lists the cluster's nodes (nil: not served).
	Cluster http.Handler
	PProf   bool
	Access  opsAccess
	// Console serves /_tollgate/console/ (nil: off).
	Console http.Handler
}

// newAdminHandler routes GET and HEAD requests for the operational paths to
// them and everything else to the management API.
func newAdminHandler(c adminConfig) http.Handler {
	ops := http.NewServeMux()
	ops.Handle("GET /healthz", healthHandler(c.Health))
	ops.Handle("GET /metrics", c.Access.guard(c.Metrics))
	ops.Handle("GET /_tollgate/stages", c.Access.guard(c.Stages))
	ops.Handle("GET /_tollgate/listeners", c.Access.guard(c.Listeners))
	if c.Cluster != nil {
		ops.Handle("GET /_tollgate/cluster", c.Access.guard(c.Cluster))
	}
	if c.PProf {
		ops.Handle("GET /debug/pprof/", c.Access.guard(pprofHandler()))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.Console != nil && consolePath(r.URL.Path) {
			c.Console.ServeHTTP(w, r)
			return
		}
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && opsPath(r.URL.Path, c.PProf) {
			ops.ServeHTTP(w, r)
			return
		}
		c.Mgmt.ServeHTTP(w, r)
	})
}

// consolePath reports whether path is the web console's (any method: it
// has forms and its own sign-in).
func consolePath(path string) bool {
	return path == strings.TrimSuffix(console.Prefix, "/") || strings.HasPrefix(path, console.Prefix)
}

// opsPath reports whether path is an operational endpoint's.
func opsPath(path string, pprofOn bool) bool {
	switch {
	case path == "/healthz", path == "/metrics", strings.HasPrefix(path, "/_tollgate/"):
		return true
	case pprofOn && strings.HasPrefix(path, "/debug/pprof/"):
		return true
	}
	return false
}

// healthBody is /healthz's answer:
// {"status":"ready","revision":57,"servingRevision":57,"lag":0}, or with
// 503 {"status":"not ready","reason":"…","revision":57,"servingRevision":41,"lag":16}
// (the revisions are missing when the store cannot be read).
type healthBody struct {
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Revision *int64 `json:"revision,omitempty"`
	// Serving is the store revision the data plane serves; Lag is how many
	// revisions it has yet to apply.
	Serving *int64 `json:"servingRevision,omitempty"`
	Lag     *int64 `json:"lag,omitempty"`
}

// healthHandler answers 200 while the gateway serves what the store holds
// and 503, with the reason, while it does not (see supervise.Health). It
// tells nothing more: store revisions and the failing component.
func healthHandler(health func(context.Context) supervise.Health) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		h := health(ctx)
		body, status := healthBody{Status: "ready"}, http.StatusOK
		if !h.Ready {
			body, status = healthBody{Status: "not ready", Reason: h.Reason}, http.StatusServiceUnavailable
		}
		if h.Revision > 0 || h.Ready {
			lag := h.Lag()
			body.Revision, body.Serving, body.Lag = &h.Revision, &h.Serving, &lag
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

// opsAccess decides who may read the operational endpoints other than
// /healthz. They are open when the admin listener accepts connections on
// loopback addresses only and no token is set (the default: only this
// machine can connect, as for the profiler and metrics of most servers).
// Otherwise a request needs `Authorization: Bearer <--metrics-token>`
// (what Prometheus sends) or a SigV4 signature made with the management
// credentials for service apigateway (what `tollgate import` and
// `curl --aws-sigv4` send).
type opsAccess struct {
	Open  bool
	Token string
	Auth  mgmt.Authenticator
}

func newOpsAccess(admin net.Addr, token string, auth mgmt.Authenticator) opsAccess {
	return opsAccess{Open: token == "" && isLoopback(admin), Token: token, Auth: auth}
}

// Describe says, for the banner, how the endpoints are reached.
func (a opsAccess) Describe() string {
	switch {
	case a.Open:
		return "open on loopback"
	case a.Token != "":
		return "bearer token or SigV4"
	}
	return "SigV4; set --metrics-token for a bearer token"
}

func (a opsAccess) guard(h http.Handler) http.Handler {
	if a.Open {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		if scheme, cred, ok := strings.Cut(authz, " "); ok && strings.EqualFold(scheme, "Bearer") {
			if a.Token == "" || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(a.Token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tollgate"`)
				awserr.Write(w, awserr.New(http.StatusUnauthorized, "UnauthorizedException", "Unauthorized"))
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		// Operational endpoints take GET and HEAD only: the signed payload
		// is the empty body.
		check, err := a.Auth.Begin(r, "apigateway")
		if err == nil {
			_, err = check(sha256.Sum256(nil))
		}
		if err != nil {
			if a.Token != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tollgate"`)
			}
			awserr.Write(w, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// isLoopback reports whether a listener bound to addr can be reached from
// this machine only.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// pprofHandler serves net/http/pprof with its seconds parameter bounded.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("seconds") {
			// profile reads an integer, trace a float: accept both forms.
			sec, err := strconv.ParseFloat(q.Get("seconds"), 64)
			if err != nil || !(sec > 0 && sec <= maxProfileSeconds) {
				http.Error(w, "seconds: want a number greater than 0 and at most "+strconv.Itoa(maxProfileSeconds), http.StatusBadRequest)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// newAdminServer is the admin listener's HTTP server.
func newAdminServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		// Above maxProfileSeconds, so that a bounded profile completes.
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
