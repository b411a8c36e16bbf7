// Package console is Tollgate's web console and developer portal, served
// on the admin listener under /_tollgate/console/.
//
// Sign-in takes the management access key pair; a signed-in browser holds
// only a random session cookie (HttpOnly, SameSite=Strict, Secure over
// TLS). Pages are rendered on the server: each one reads through the
// management API's own wire operations, signed in process with the
// management credentials (see mgmtClient), so the console shares every
// validation and the audit trail with the AWS CLI and SDKs, and the secret
// never reaches the browser. State-changing requests carry the session's
// CSRF token. The assets (templates, CSS, a small script for live metrics
// and confirmations) are embedded in the binary.
package console

import (
	"crypto/sha256"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt"
)

// Prefix is where the console is served.
const Prefix = "/_tollgate/console/"

// CookieName is the session cookie's name.
const CookieName = "tollgate_console"

// maxForm bounds a console form body (the test-invoke body is the largest).
const maxForm = 1 << 20

//go:embed assets
var assets embed.FS

// Config configures the console.
type Config struct {
	// Mgmt is the management API handler the console reads and writes
	// through.
	Mgmt http.Handler
	// Auth verifies SigV4 signatures (POST /_tollgate/console/tokens).
	Auth mgmt.Authenticator
	// Credentials returns the management access key pair.
	Credentials func() (accessKeyID, secretAccessKey string)
	Region      string
	// Metrics is what /metrics serves (the live metrics page reads it).
	Metrics prometheus.Gatherer
	// DataPlane holds the data-plane base URLs (https://127.0.0.1:8443),
	// for invoke URLs; DataClient reaches them (the portal's "try it").
	DataPlane  []string
	DataClient *http.Client
	// PortalPublic opens the developer portal without sign-in.
	PortalPublic bool
	Logger       *slog.Logger
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Console is the console's HTTP handler.
type Console struct {
	cfg      Config
	log      *slog.Logger
	sessions *sessions
	failed   *failures
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New builds the console.
func New(cfg Config) (*Console, error) {
	c := &Console{cfg: cfg, log: cfg.Logger, sessions: newSessions(cfg.Now), failed: newFailures(cfg.Now), pages: map[string]*template.Template{}}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.cfg.DataClient == nil {
		c.cfg.DataClient = &http.Client{Timeout: 30 * time.Second}
	}
	names, err := fs.Glob(assets, "assets/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := template.New(path.Base(n)).Funcs(funcs).ParseFS(assets, "assets/layout.html", n)
		if err != nil {
			return nil, err
		}
		c.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	c.routes()
	return c, nil
}

func (c *Console) routes() {
	m := http.NewServeMux()
	p := strings.TrimSuffix(Prefix, "/")
	m.HandleFunc("GET "+p, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	})
	m.HandleFunc("GET "+Prefix+"assets/{file}", c.asset)
	m.HandleFunc("GET "+Prefix+"login", c.loginPage)
	m.HandleFunc("POST "+Prefix+"login", c.login)
	m.HandleFunc("POST "+Prefix+"logout", c.signedIn(c.logout))
	m.HandleFunc("POST "+Prefix+"tokens", c.tokens)

	m.HandleFunc("GET "+Prefix+"{$}", c.signedIn(c.apisPage))
	m.HandleFunc("GET "+Prefix+"apis/{api}", c.signedIn(c.apiPage))
	m.HandleFunc("POST "+Prefix+"apis/import", c.signedIn(c.importAPI))
	m.HandleFunc("POST "+Prefix+"apis/{api}/delete", c.signedIn(c.deleteAPI))
	m.HandleFunc("GET "+Prefix+"apis/{api}/stages/{stage}", c.signedIn(c.stagePage))
	m.HandleFunc("POST "+Prefix+"apis/{api}/stages/{stage}/rollback", c.signedIn(c.rollback))
	m.HandleFunc("POST "+Prefix+"apis/{api}/stages/{stage}/variables", c.signedIn(c.setVariable))
	m.HandleFunc("POST "+Prefix+"apis/{api}/stages/{stage}/throttling", c.signedIn(c.setThrottle))
	m.HandleFunc("GET "+Prefix+"apis/{api}/stages/{stage}/export", c.signedIn(c.export))
	m.HandleFunc("GET "+Prefix+"apis/{api}/stages/{stage}/sdk", c.signedIn(c.sdk))
	m.HandleFunc("GET "+Prefix+"portal/apis/{api}/stages/{stage}/sdk", c.portalAccess(c.portalSDK))
	m.HandleFunc("GET "+Prefix+"apis/{api}/diff", c.signedIn(c.diffPage))
	m.HandleFunc("POST "+Prefix+"apis/{api}/deployments", c.signedIn(c.deploy))
	m.HandleFunc("GET "+Prefix+"apis/{api}/resources/{resource}/methods/{verb}", c.signedIn(c.methodPage))
	m.HandleFunc("GET "+Prefix+"apis/{api}/test", c.signedIn(c.testPage))
	m.HandleFunc("POST "+Prefix+"apis/{api}/test", c.signedIn(c.testInvoke))
	m.HandleFunc("GET "+Prefix+"apikeys", c.signedIn(c.apiKeysPage))
	m.HandleFunc("POST "+Prefix+"apikeys", c.signedIn(c.apiKeysPage))
	m.HandleFunc("GET "+Prefix+"usageplans", c.signedIn(c.usagePlansPage))
	m.HandleFunc("GET "+Prefix+"metrics", c.signedIn(c.metricsPage))
	m.HandleFunc("GET "+Prefix+"metrics.json", c.signedIn(c.metricsJSON))
	m.HandleFunc("GET "+Prefix+"requests", c.signedIn(c.requestsPage))
	m.HandleFunc("GET "+Prefix+"portal/{$}", c.portalAccess(c.portalPage))
	m.HandleFunc("GET "+Prefix+"portal/apis/{api}/stages/{stage}", c.portalAccess(c.portalAPIPage))
	m.HandleFunc("POST "+Prefix+"portal/apis/{api}/stages/{stage}", c.portalAccess(c.portalTry))
	m.HandleFunc(Prefix, c.signedIn(func(w http.ResponseWriter, r *http.Request, v *view) {
		c.fail(w, r, v, http.StatusNotFound, errors.New("no such page"))
	}))
	c.mux = m
}

// ServeHTTP implements http.Handler: every answer carries the security
// headers, whatever it is.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// view is what a page handler knows about the request's session.
type view struct {
	SignedIn bool
	CSRF     string
	client   *mgmtClient
}

func (c *Console) client(r *http.Request) *mgmtClient {
	return &mgmtClient{handler: c.cfg.Mgmt, creds: c.cfg.Credentials, region: c.cfg.Region,
		remote: r.RemoteAddr, agent: r.UserAgent()}
}

// session returns the request's live session, if any.
func (c *Console) session(r *http.Request) (*view, bool) {
	ck, err := r.Cookie(CookieName)
	if err != nil {
		return nil, false
	}
	csrf, ok := c.sessions.lookup(ck.Value)
	if !ok {
		return nil, false
	}
	return &view{SignedIn: true, CSRF: csrf, client: c.client(r)}, true
}

// signedIn guards h: without a session a GET goes to the sign-in page
// (303 with next), anything else gets 403; a POST needs the session's
// CSRF token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, *view)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := c.session(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "Sign in first.", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.checkCSRF(w, r, v) {
			return
		}
		h(w, r, v)
	}
}

// portalAccess guards the developer portal: like signedIn, unless the
// portal is public, when visitors without a session may read it and use
// "try it" (which only sends what they could send the data plane
// themselves).
func (c *Console) portalAccess(h func(http.ResponseWriter, *http.Request, *view)) http.HandlerFunc {
	guarded := c.signedIn(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := c.session(r); ok || !c.cfg.PortalPublic {
			guarded(w, r)
			return
		}
		h(w, r, &view{client: c.client(r)})
	}
}

// checkCSRF reads the form (bounded) and compares its csrf field, or the
// X-CSRF-Token header, with the session's token.
func (c *Console) checkCSRF(w http.ResponseWriter, r *http.Request, v *view) bool {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// File uploads (OpenAPI import): the file, some form fields and
		// multipart framing.
		r.Body = http.MaxBytesReader(w, r.Body, maxImport+maxForm)
		err = r.ParseMultipartForm(maxImport + maxForm)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		err = r.ParseForm()
	}
	if err != nil {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostForm.Get("csrf")
	}
	if got == "" || !equalSecret(got, v.CSRF) {
		http.Error(w, "Missing or invalid CSRF token; reload the page and try again.", http.StatusForbidden)
		return false
	}
	return true
}

// asset serves an embedded CSS or JavaScript file.
func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := assets.ReadFile("assets/static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	_, _ = w.Write(b)
}

// page is what every template gets.
type page struct {
	Title    string
	Nav      string
	SignedIn bool
	CSRF     string
	Error    string
	Notice   string
	Prefix   string
	Data     any
}

// render writes the named page with status.
func (c *Console) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	p.Prefix = Prefix
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console template failed", "page", name, "err", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, buf.String())
}

// fail renders an error page: a management error with its status, any
// other with 500 (logged).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, status int, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		status = ae.Status
	} else if status == 0 || status >= 500 {
		status = http.StatusInternalServerError
		c.log.Error("console page failed", "path", r.URL.Path, "err", err)
	}
	p := page{Title: "Error", Error: err.Error()}
	if v != nil {
		p.SignedIn, p.CSRF = v.SignedIn, v.CSRF
	}
	c.render(w, status, "error", p)
}

// Sign-in.

type loginData struct {
	Next string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	next := safeNext(q.Get("next"))
	if tok := q.Get("token"); tok != "" {
		if linkNext, ok := c.sessions.useLink(tok); ok {
			c.startSession(w, r, safeNext(linkNext))
			return
		}
		c.render(w, http.StatusUnauthorized, "login", page{Title: "Sign in", Error: "This sign-in link is used, expired or unknown.", Data: loginData{Next: next}})
		return
	}
	c.render(w, http.StatusOK, "login", page{Title: "Sign in", Data: loginData{Next: next}})
}

// login checks the posted key pair against the management credentials, in
// constant time, and starts a session. The secret is neither logged nor
// kept.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	addr := remoteHost(r)
	if c.failed.blocked(addr) {
		c.render(w, http.StatusTooManyRequests, "login", page{Title: "Sign in",
			Error: "Too many failed sign-ins from this address; wait a minute and try again.", Data: loginData{Next: next}})
		return
	}
	id, secret := c.cfg.Credentials()
	okID := equalSecret(strings.TrimSpace(r.PostForm.Get("accessKeyId")), id)
	okSecret := equalSecret(r.PostForm.Get("secretAccessKey"), secret)
	if !okID || !okSecret || id == "" {
		c.failed.fail(addr)
		c.log.Warn("console sign-in refused", "remote", r.RemoteAddr)
		c.render(w, http.StatusUnauthorized, "login", page{Title: "Sign in",
			Error: "Invalid access key id or secret access key", Data: loginData{Next: next}})
		return
	}
	c.log.Info("console sign-in", "remote", r.RemoteAddr)
	c.startSession(w, r, next)
}

// remoteHost is the client's address without its port.
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func (c *Console) startSession(w http.ResponseWriter, r *http.Request, next string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: c.sessions.create(), Path: strings.TrimSuffix(Prefix, "/"),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, _ *view) {
	if ck, err := r.Cookie(CookieName); err == nil {
		c.sessions.end(ck.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: strings.TrimSuffix(Prefix, "/"), MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

// safeNext keeps next only when it is a path under the console (no open
// redirect): else the APIs list.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "/..") {
		return Prefix
	}
	return next
}

// tokens answers a SigV4-signed POST /_tollgate/console/tokens
// ({"next": PATH} or {}) with a one-time sign-in link:
// 201 {"url": "…", "expiresAt": epoch seconds}.
func (c *Console) tokens(w http.ResponseWriter, r *http.Request) {
	writeErr := func(status int, typ, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-ErrorType", typ)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
	if c.cfg.Auth == nil {
		writeErr(http.StatusForbidden, "AccessDeniedException", "Signed requests are not accepted here")
		return
	}
	check, err := c.cfg.Auth.Begin(r, "apigateway")
	if err != nil {
		awserr.Write(w, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10+1))
	if err != nil || len(body) > 4<<10 {
		writeErr(http.StatusBadRequest, "BadRequestException", "Invalid request body")
		return
	}
	if _, err := check(sha256.Sum256(body)); err != nil {
		awserr.Write(w, err)
		return
	}
	var in struct {
		Next string `json:"next"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeErr(http.StatusBadRequest, "BadRequestException", "Invalid request body: want {\"next\": PATH}")
			return
		}
	}
	next := Prefix
	if in.Next != "" {
		if safeNext(in.Next) != in.Next {
			writeErr(http.StatusBadRequest, "BadRequestException", "next must be a path under "+Prefix)
			return
		}
		next = in.Next
	}
	tok, exp := c.sessions.newLink(next)
	u := "http://" + r.Host + Prefix + "login?token=" + tok
	if r.TLS != nil {
		u = "https://" + r.Host + Prefix + "login?token=" + tok
	}
	if in.Next != "" {
		u += "&next=" + url.QueryEscape(in.Next)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"url": u, "expiresAt": exp.Unix()})
}
