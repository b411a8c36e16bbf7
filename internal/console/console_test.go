package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/mgmt"
	"github.com/tollgate/tollgate/internal/mgmt/apigw"
	"github.com/tollgate/tollgate/internal/mgmt/apigwv2"
	"github.com/tollgate/tollgate/internal/secret"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

const (
	testKey    = "AKIACONSOLETEST00001"
	testSecret = "consoleTestSecretValue/abcdefghijklmnopqr"
)

// harness is the console on an in-process management API (SQLite store,
// SigV4 with the test key pair).
type harness struct {
	t       *testing.T
	console *Console
	mgmt    http.Handler
	auth    mgmt.Authenticator
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, portalPublic bool) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	box, err := secret.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	verifier := &sigv4.Verifier{Region: "us-east-1", Credentials: sigv4.CredentialsFunc(func(id string) (string, bool) {
		return testSecret, id == testKey
	})}
	auth := mgmt.SigV4{Verifier: verifier}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	server := mgmt.New(mgmt.Config{Auth: auth, Logger: log, Services: []mgmt.Registrar{
		apigw.New(apigw.Config{Store: st, Region: "us-east-1", AccountID: "000000000000", Secrets: box}),
		apigwv2.New(apigwv2.Config{Store: st, Region: "us-east-1", AccountID: "000000000000"}),
	}})
	c, err := New(Config{Mgmt: server, Auth: auth, Region: "us-east-1", PortalPublic: portalPublic, Logger: log,
		Credentials: func() (string, string) { return testKey, testSecret },
		DataPlane:   []string{"http://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, console: c, mgmt: server, auth: auth, logs: logs}
}

// call sends a signed management call and decodes its answer.
func (h *harness) call(method, path string, in, out any) {
	h.t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sign(h.t, req, body)
	rec := httptest.NewRecorder()
	h.mgmt.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		h.t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			h.t.Fatal(err)
		}
	}
}

func sign(t *testing.T, req *http.Request, body []byte) {
	t.Helper()
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret},
		req, hex.EncodeToString(sum[:]), "apigateway", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// petsAPI creates the quickstart's API with two deployments on stage dev.
func (h *harness) petsAPI() (apiID, first, second string) {
	var api struct{ ID string }
	h.call("POST", "/restapis", map[string]any{"name": "pets"}, &api)
	var res struct {
		Item []struct{ ID string } `json:"item"`
	}
	h.call("GET", "/restapis/"+api.ID+"/resources", nil, &res)
	var pets struct{ ID string }
	h.call("POST", "/restapis/"+api.ID+"/resources/"+res.Item[0].ID, map[string]any{"pathPart": "pets"}, &pets)
	h.call("PUT", "/restapis/"+api.ID+"/resources/"+pets.ID+"/methods/GET", map[string]any{"authorizationType": "NONE"}, nil)
	h.call("PUT", "/restapis/"+api.ID+"/resources/"+pets.ID+"/methods/GET/integration", map[string]any{"type": "MOCK",
		"requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`}}, nil)
	var d1, d2 struct{ ID string }
	h.call("POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "dev", "description": "first deployment"}, &d1)
	h.call("PUT", "/restapis/"+api.ID+"/resources/"+pets.ID+"/methods/POST", map[string]any{"authorizationType": "NONE"}, nil)
	h.call("PUT", "/restapis/"+api.ID+"/resources/"+pets.ID+"/methods/POST/integration", map[string]any{"type": "MOCK"}, nil)
	h.call("POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "dev", "description": "second"}, &d2)
	return api.ID, d1.ID, d2.ID
}

// do sends a browser request to the console.
func (h *harness) do(method, target string, form url.Values, cookie string) *http.Response {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://127.0.0.1:4566"+target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.console.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// signIn signs in with the key pair and returns the cookie value and the
// session's CSRF token.
func (h *harness) signIn() (cookie, csrf string) {
	h.t.Helper()
	res := h.do("POST", Prefix+"login", url.Values{"accessKeyId": {testKey}, "secretAccessKey": {testSecret}}, "")
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("sign-in: %d", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == CookieName {
			cookie = c.Value
		}
	}
	page := readBody(h.do("GET", Prefix+"apikeys", nil, cookie))
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		h.t.Fatal("no CSRF token in a signed-in page")
	}
	return cookie, m[1]
}

// TestEveryPageNeedsSignIn: without a session every console page sends
// the browser to the sign-in page (nothing of the API shows) and every
// POST is refused.
func TestEveryPageNeedsSignIn(t *testing.T) {
	h := newHarness(t, false)
	apiID, first, _ := h.petsAPI()
	gets := []string{"", "apis/" + apiID, "apis/" + apiID + "/stages/dev", "apis/" + apiID + "/test", "apis/" + apiID + "/diff",
		"apis/" + apiID + "/stages/dev/export", "apikeys", "usageplans", "metrics", "metrics.json", "requests", "portal/",
		"portal/apis/" + apiID + "/stages/dev", "portal/apis/" + apiID + "/stages/dev/sdk?type=javascript",
		"apis/" + apiID + "/stages/dev/sdk?type=javascript", "apis/" + apiID + "/resources/x/methods/GET", "no/such/page"}
	for _, p := range gets {
		res := h.do("GET", Prefix+p, nil, "")
		body := readBody(res)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, Prefix+"login?next=") {
			t.Errorf("GET %s: %d Location %q, want 303 to the sign-in page", p, res.StatusCode, loc)
		}
		if strings.Contains(body, "pets") || strings.Contains(body, first) {
			t.Errorf("GET %s shows API data before sign-in: %s", p, body)
		}
	}
	// A forged cookie is no session.
	if res := h.do("GET", Prefix, nil, "forged"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", res.StatusCode)
	}
	for _, p := range []string{"apis/" + apiID + "/stages/dev/rollback", "apis/" + apiID + "/stages/dev/variables", "apis/" + apiID + "/test", "apikeys", "logout",
		"portal/apis/" + apiID + "/stages/dev", "apis/import", "apis/" + apiID + "/delete", "apis/" + apiID + "/deployments",
		"apis/" + apiID + "/stages/dev/throttling"} {
		res := h.do("POST", Prefix+p, url.Values{"deploymentId": {first}, "name": {"x"}, "value": {"y"}, "show": {"k"}, "stageName": {"dev"}}, "")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a session: %d, want 403", p, res.StatusCode)
		}
	}
	// Nothing changed: the API and its stage are as they were.
	var stage struct {
		DeploymentID string `json:"deploymentId"`
	}
	h.call("GET", "/restapis/"+apiID+"/stages/dev", nil, &stage)
	var deps struct {
		Item []struct{ ID string } `json:"item"`
	}
	h.call("GET", "/restapis/"+apiID+"/deployments", nil, &deps)
	if stage.DeploymentID == first || len(deps.Item) != 2 {
		t.Errorf("POSTs without a session changed the API: stage on %s, %d deployments", stage.DeploymentID, len(deps.Item))
	}
	// The sign-in page and its assets are open.
	for _, p := range []string{"login", "assets/console.css", "assets/console.js"} {
		if res := h.do("GET", Prefix+p, nil, ""); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	if res := h.do("GET", "/_tollgate/console", nil, ""); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != Prefix {
		t.Errorf("/_tollgate/console: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestSignIn: the form has the contract's inputs; a wrong pair is refused
// without a cookie; the right one gets an HttpOnly, SameSite=Strict cookie
// (Secure over TLS) and goes to next only when next is a console path.
// The secret is never logged.
func TestSignIn(t *testing.T) {
	h := newHarness(t, false)
	page := readBody(h.do("GET", Prefix+"login?next="+url.QueryEscape(Prefix+"apikeys"), nil, ""))
	for _, want := range []string{`<form method="post" action="/_tollgate/console/login">`, `name="accessKeyId"`,
		`name="secretAccessKey" type="password"`, `name="next" value="/_tollgate/console/apikeys"`} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	for name, form := range map[string]url.Values{
		"wrong secret": {"accessKeyId": {testKey}, "secretAccessKey": {"nope"}},
		"wrong key":    {"accessKeyId": {"AKIAOTHER"}, "secretAccessKey": {testSecret}},
		"empty":        {},
	} {
		res := h.do("POST", Prefix+"login", form, "")
		body := readBody(res)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Invalid access key id or secret access key") {
			t.Errorf("%s: %d %s", name, res.StatusCode, body)
		}
		if len(res.Cookies()) != 0 {
			t.Errorf("%s: cookie set: %v", name, res.Cookies())
		}
	}
	for next, want := range map[string]string{
		Prefix + "apikeys":          Prefix + "apikeys",
		"//evil.example/x":          Prefix,
		"https://evil.example/":     Prefix,
		"/restapis":                 Prefix,
		Prefix + "../../restapis":   Prefix,
		"/_tollgate/console/\\evil": Prefix,
	} {
		res := h.do("POST", Prefix+"login", url.Values{"accessKeyId": {testKey}, "secretAccessKey": {testSecret}, "next": {next}}, "")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next %q: %d Location %q, want %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
		sc := res.Header.Get("Set-Cookie")
		if !strings.HasPrefix(sc, CookieName+"=") || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") ||
			!strings.Contains(sc, "Path=/_tollgate/console") || strings.Contains(sc, "Secure") {
			t.Errorf("cookie: %s", sc)
		}
		if v := strings.TrimPrefix(strings.Split(sc, ";")[0], CookieName+"="); len(v) < 22 {
			t.Errorf("session token too short: %q", v)
		}
	}
	// Over TLS the cookie is Secure.
	req := httptest.NewRequest("POST", "https://127.0.0.1:4566"+Prefix+"login",
		strings.NewReader(url.Values{"accessKeyId": {testKey}, "secretAccessKey": {testSecret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	h.console.ServeHTTP(rec, req)
	if sc := rec.Header().Get("Set-Cookie"); !strings.Contains(sc, "Secure") {
		t.Errorf("cookie over TLS: %s", sc)
	}
	if strings.Contains(h.logs.String(), testSecret) {
		t.Error("the secret reached the log")
	}
}

// TestSecurityHeaders: every answer, signed in or not, carries CSP,
// X-Frame-Options DENY, nosniff and no-store.
func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, false)
	cookie, _ := h.signIn()
	for _, p := range []string{"login", "assets/console.css", "", "apikeys", "nosuch"} {
		for _, ck := range []string{"", cookie} {
			res := h.do("GET", Prefix+p, nil, ck)
			hd := res.Header
			if !strings.HasPrefix(hd.Get("Content-Security-Policy"), "default-src 'self'") ||
				!strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				hd.Get("X-Frame-Options") != "DENY" || hd.Get("X-Content-Type-Options") != "nosniff" ||
				hd.Get("Cache-Control") != "no-store" || hd.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("GET %s (signed in: %v): headers %v", p, ck != "", hd)
			}
		}
	}
}

// TestCSRF: a state-changing request needs the session's CSRF token;
// without it (or with another session's) nothing changes.
func TestCSRF(t *testing.T) {
	h := newHarness(t, false)
	apiID, first, second := h.petsAPI()
	cookie, csrf := h.signIn()
	_, otherCSRF := h.signIn()
	stage := func() string {
		var s struct {
			DeploymentID string `json:"deploymentId"`
		}
		h.call("GET", "/restapis/"+apiID+"/stages/dev", nil, &s)
		return s.DeploymentID
	}
	for name, form := range map[string]url.Values{
		"no token":            {"deploymentId": {first}},
		"another session's":   {"deploymentId": {first}, "csrf": {otherCSRF}},
		"a token of the form": {"deploymentId": {first}, "csrf": {"x" + csrf}},
	} {
		res := h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/rollback", form, cookie)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
		if got := stage(); got != second {
			t.Fatalf("%s: the stage moved to %s", name, got)
		}
	}
	res := h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/rollback", url.Values{"deploymentId": {first}, "csrf": {csrf}}, cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback: %d %s", res.StatusCode, readBody(res))
	}
	if got := stage(); got != first {
		t.Errorf("after rollback the stage serves %s, want %s", got, first)
	}
	page := readBody(h.do("GET", res.Header.Get("Location"), nil, cookie))
	if !strings.Contains(page, "The stage now serves deployment "+first) {
		t.Errorf("no confirmation after rollback")
	}
	// The header form of the token works too (scripts).
	req := httptest.NewRequest("POST", "http://127.0.0.1"+Prefix+"apis/"+apiID+"/stages/dev/rollback",
		strings.NewReader(url.Values{"deploymentId": {second}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", csrf)
	req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	rec := httptest.NewRecorder()
	h.console.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || stage() != second {
		t.Errorf("rollback with X-CSRF-Token: %d, stage %s", rec.Code, stage())
	}
}

// TestPages: the contract's pages show the API's name, resource paths,
// stages with deployment ids and invoke URLs, the deployment history and
// a diff between deployments.
func TestPages(t *testing.T) {
	h := newHarness(t, false)
	apiID, first, second := h.petsAPI()
	var v2 struct {
		ID string `json:"apiId"`
	}
	h.call("POST", "/v2/apis", map[string]any{"name": "orders-http", "protocolType": "HTTP", "routeKey": "GET /orders", "target": "https://example.com"}, &v2)
	cookie, csrf := h.signIn()
	checks := map[string][]string{
		"":                              {"pets", apiID, "REST", "orders-http", v2.ID, "HTTP"},
		"apis/" + apiID:                 {">/pets<", ">/<", "GET", "POST", "MOCK", ">dev<", second, "http://127.0.0.1:1/_aws/execute-api/" + apiID + "/dev/"},
		"apis/" + apiID + "/stages/dev": {first, second, "first deployment", "Make active", "active"},
		"apis/" + v2.ID:                 {"GET /orders", "HTTP_PROXY", "$default"},
		"apis/" + apiID + "/diff?from=" + first + "&to=" + second: {"POST", "added", "/pets"},
		"apis/" + apiID + "/test":                                 {"GET /pets", "POST /pets"},
	}
	for p, wants := range checks {
		res := h.do("GET", Prefix+p, nil, cookie)
		body := readBody(res)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s lacks %q", p, w)
			}
		}
	}
	// The method execution view of GET /pets.
	var tree struct {
		Item []struct {
			ID   string `json:"id"`
			Path string `json:"path"`
		} `json:"item"`
	}
	h.call("GET", "/restapis/"+apiID+"/resources", nil, &tree)
	for _, r := range tree.Item {
		if r.Path != "/pets" {
			continue
		}
		body := readBody(h.do("GET", Prefix+"apis/"+apiID+"/resources/"+r.ID+"/methods/GET", nil, cookie))
		for _, w := range []string{"Method request", "Integration request", "MOCK", "Template application/json", "{&#34;statusCode&#34;: 200}"} {
			if !strings.Contains(body, w) {
				t.Errorf("method view lacks %q", w)
			}
		}
	}
	// Diffs compare integrations between the working copy and the stage's
	// deployment: none yet, then a changed template.
	diffURL := Prefix + "apis/" + apiID + "/diff?from=" + second + "&to=working"
	if page := readBody(h.do("GET", diffURL, nil, cookie)); !strings.Contains(page, "No differences.") || !strings.Contains(page, "integrations (type, URI") {
		t.Errorf("diff with an unchanged working copy: %s", page)
	}
	for _, r := range tree.Item {
		if r.Path == "/pets" {
			h.call("PUT", "/restapis/"+apiID+"/resources/"+r.ID+"/methods/GET/integration", map[string]any{"type": "MOCK",
				"requestTemplates": map[string]string{"application/json": `{"statusCode": 201}`}}, nil)
		}
	}
	page := readBody(h.do("GET", diffURL, nil, cookie))
	if !strings.Contains(page, "integration changed") || !strings.Contains(page, "201") {
		t.Errorf("diff after an integration change: %s", page)
	}
	// Deploy with a description.
	res2 := h.do("POST", Prefix+"apis/"+apiID+"/deployments", url.Values{"stageName": {"dev"}, "description": {"from the console"}, "csrf": {csrf}}, cookie)
	if res2.StatusCode != http.StatusSeeOther {
		t.Fatalf("deploy: %d %s", res2.StatusCode, readBody(res2))
	}
	if page := readBody(h.do("GET", res2.Header.Get("Location"), nil, cookie)); !strings.Contains(page, "from the console") || !strings.Contains(page, "Deployed: the stage now serves") {
		t.Errorf("after deploy: %s", page)
	}
	// Stage variables: set, then remove.
	res := h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/variables", url.Values{"name": {"backend"}, "value": {"v2"}, "csrf": {csrf}}, cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set variable: %d %s", res.StatusCode, readBody(res))
	}
	var s struct {
		Variables map[string]string `json:"variables"`
	}
	h.call("GET", "/restapis/"+apiID+"/stages/dev", nil, &s)
	if s.Variables["backend"] != "v2" {
		t.Errorf("variables: %v", s.Variables)
	}
	h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/variables", url.Values{"name": {"backend"}, "remove": {"1"}, "csrf": {csrf}}, cookie)
	s.Variables = nil
	h.call("GET", "/restapis/"+apiID+"/stages/dev", nil, &s)
	if len(s.Variables) != 0 {
		t.Errorf("variable not removed: %v", s.Variables)
	}
	// Default throttling.
	res = h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/throttling", url.Values{"rateLimit": {"50"}, "burstLimit": {"20"}, "csrf": {csrf}}, cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("throttling: %d %s", res.StatusCode, readBody(res))
	}
	if page := readBody(h.do("GET", res.Header.Get("Location"), nil, cookie)); !strings.Contains(page, "throttling 50 req/s burst 20") {
		t.Errorf("stage page after setting throttling lacks it")
	}
	if res := h.do("POST", Prefix+"apis/"+apiID+"/stages/dev/throttling", url.Values{"rateLimit": {"fast"}, "burstLimit": {"1"}, "csrf": {csrf}}, cookie); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad throttling: %d", res.StatusCode)
	}
	// Export downloads the stage's OpenAPI.
	res = h.do("GET", Prefix+"apis/"+apiID+"/stages/dev/export?type=oas30", nil, cookie)
	body := readBody(res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"openapi"`) || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export: %d %s %.200s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
	// SDK downloads are GetSdk's zip.
	for _, typ := range []string{"javascript", "typescript", "go"} {
		res = h.do("GET", Prefix+"apis/"+apiID+"/stages/dev/sdk?type="+typ, nil, cookie)
		body := readBody(res)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), typ+"_") {
			t.Errorf("SDK %s: %d %q %.100q", typ, res.StatusCode, res.Header.Get("Content-Disposition"), body)
		}
	}
	if res := h.do("GET", Prefix+"apis/"+apiID+"/stages/dev/sdk?type=java", nil, cookie); res.StatusCode != http.StatusBadRequest {
		t.Errorf("SDK java: %d", res.StatusCode)
	}
	// An unknown API is the management API's 404.
	if res := h.do("GET", Prefix+"apis/nosuchapi", nil, cookie); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API: %d", res.StatusCode)
	}
}

// TestOneTimeLink: a SigV4-signed POST /tokens makes a link that signs in
// once; unsigned requests are refused; a used or unknown token gets the
// sign-in page without a cookie.
func TestOneTimeLink(t *testing.T) {
	h := newHarness(t, false)
	post := func(body string, signed bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "http://127.0.0.1:4566"+Prefix+"tokens", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if signed {
			sign(t, req, []byte(body))
		}
		rec := httptest.NewRecorder()
		h.console.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(`{}`, false); rec.Code != http.StatusForbidden {
		t.Errorf("unsigned: %d", rec.Code)
	}
	if rec := post(`{"next":"https://evil.example/"}`, true); rec.Code != http.StatusBadRequest {
		t.Errorf("foreign next: %d", rec.Code)
	}
	rec := post(`{"next":"/_tollgate/console/apikeys"}`, true)
	var out struct {
		URL       string `json:"url"`
		ExpiresAt int64  `json:"expiresAt"`
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("tokens: %d %s", rec.Code, rec.Body)
	}
	if !strings.HasPrefix(out.URL, "http://127.0.0.1:4566/_tollgate/console/login?token=") || !strings.HasSuffix(out.URL, "&next=%2F_tollgate%2Fconsole%2Fapikeys") {
		t.Errorf("url %s", out.URL)
	}
	if d := time.Until(time.Unix(out.ExpiresAt, 0)); d < 4*time.Minute || d > 5*time.Minute+time.Second {
		t.Errorf("expires in %v", d)
	}
	u, _ := url.Parse(out.URL)
	res := h.do("GET", u.RequestURI(), nil, "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != Prefix+"apikeys" || len(res.Cookies()) != 1 {
		t.Fatalf("first use: %d %q %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	if page := h.do("GET", Prefix+"apikeys", nil, res.Cookies()[0].Value); page.StatusCode != http.StatusOK {
		t.Errorf("session from the link: %d", page.StatusCode)
	}
	for _, target := range []string{u.RequestURI(), Prefix + "login?token=unknown"} {
		res := h.do("GET", target, nil, "")
		if res.StatusCode == http.StatusSeeOther || len(res.Cookies()) != 0 {
			t.Errorf("%s: %d %v", target, res.StatusCode, res.Cookies())
		}
	}
}

// TestLogout ends the session.
func TestLogout(t *testing.T) {
	h := newHarness(t, false)
	cookie, csrf := h.signIn()
	res := h.do("POST", Prefix+"logout", url.Values{"csrf": {csrf}}, cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res := h.do("GET", Prefix, nil, cookie); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d", res.StatusCode)
	}
}

// TestSessionExpiry: a session idle for 12 hours is gone.
func TestSessionExpiry(t *testing.T) {
	now := time.Now()
	s := newSessions(func() time.Time { return now })
	tok := s.create()
	now = now.Add(SessionIdle - time.Minute)
	if _, ok := s.lookup(tok); !ok {
		t.Fatal("session gone early")
	}
	now = now.Add(SessionIdle - time.Minute) // the lookup extended it
	if _, ok := s.lookup(tok); !ok {
		t.Fatal("use did not extend the session")
	}
	now = now.Add(SessionIdle)
	if _, ok := s.lookup(tok); ok {
		t.Fatal("idle session still valid")
	}
	link, _ := s.newLink(Prefix)
	now = now.Add(TokenTTL)
	if _, ok := s.useLink(link); ok {
		t.Fatal("expired link accepted")
	}
}

// TestPortal: published stages (documentationVersion set) are listed; the
// portal needs sign-in unless public.
func TestPortal(t *testing.T) {
	for _, public := range []bool{false, true} {
		h := newHarness(t, public)
		apiID, _, _ := h.petsAPI()
		h.call("POST", "/restapis/"+apiID+"/documentation/parts", map[string]any{"location": map[string]string{"type": "API"},
			"properties": `{"description":"Pets for everyone"}`}, nil)
		h.call("POST", "/restapis/"+apiID+"/documentation/versions", map[string]any{"documentationVersion": "1", "stageName": "dev"}, nil)
		res := h.do("GET", Prefix+"portal/", nil, "")
		if !public {
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("private portal without a session: %d", res.StatusCode)
			}
			continue
		}
		body := readBody(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "pets") || !strings.Contains(body, "docs v1") {
			t.Errorf("public portal: %d %s", res.StatusCode, body)
		}
		res = h.do("GET", Prefix+"portal/apis/"+apiID+"/stages/dev", nil, "")
		body = readBody(res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Pets for everyone") || !strings.Contains(body, "/pets") || !strings.Contains(body, "Try it") {
			t.Errorf("portal API page: %d %s", res.StatusCode, body)
		}
		if res := h.do("GET", Prefix+"portal/apis/"+apiID+"/stages/dev/sdk?type=javascript", nil, ""); res.StatusCode != http.StatusOK || !strings.HasPrefix(readBody(res), "PK") {
			t.Errorf("portal SDK: %d", res.StatusCode)
		}
		// Console pages stay closed, the unpublished SDK route too.
		if res := h.do("GET", Prefix+"apis/"+apiID+"/stages/dev/sdk?type=javascript", nil, ""); res.StatusCode != http.StatusSeeOther {
			t.Errorf("console SDK without a session: %d", res.StatusCode)
		}
		if res := h.do("GET", Prefix, nil, ""); res.StatusCode != http.StatusSeeOther {
			t.Errorf("public portal opened the console: %d", res.StatusCode)
		}
	}
}

// TestSignInThrottled: after ten failed sign-ins from one address, even
// the right key pair is refused with 429 until a minute has passed.
func TestSignInThrottled(t *testing.T) {
	h := newHarness(t, false)
	now := time.Now()
	h.console.failed.now = func() time.Time { return now }
	for i := range maxFailures {
		if res := h.do("POST", Prefix+"login", url.Values{"accessKeyId": {testKey}, "secretAccessKey": {"guess"}}, ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, res.StatusCode)
		}
	}
	good := url.Values{"accessKeyId": {testKey}, "secretAccessKey": {testSecret}}
	res := h.do("POST", Prefix+"login", good, "")
	if res.StatusCode != http.StatusTooManyRequests || len(res.Cookies()) != 0 {
		t.Fatalf("after %d failures: %d %v", maxFailures, res.StatusCode, res.Cookies())
	}
	now = now.Add(failureWindow)
	if res := h.do("POST", Prefix+"login", good, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a minute later: %d", res.StatusCode)
	}
}

// upload posts an OpenAPI file to the import form.
func (h *harness) upload(cookie, csrf, typ, doc string) *http.Response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		_ = mw.WriteField("csrf", csrf)
	}
	_ = mw.WriteField("type", typ)
	fw, _ := mw.CreateFormFile("file", "api.yaml")
	_, _ = io.WriteString(fw, doc)
	_ = mw.Close()
	req := httptest.NewRequest("POST", "http://127.0.0.1:4566"+Prefix+"apis/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	rec := httptest.NewRecorder()
	h.console.ServeHTTP(rec, req)
	return rec.Result()
}

// TestImportAndDelete: an uploaded OpenAPI file becomes a REST or HTTP API
// (its page answers, warnings shown); without the CSRF token nothing is
// imported; Delete API removes it.
func TestImportAndDelete(t *testing.T) {
	h := newHarness(t, false)
	cookie, csrf := h.signIn()
	doc := "openapi: 3.0.1\ninfo: {title: imported-shop, version: '1'}\npaths:\n  /items/{id}:\n    get:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n" +
		"      responses: {'200': {description: ok}}\n      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}}\n"
	if res := h.upload(cookie, "", "REST", doc); res.StatusCode != http.StatusForbidden {
		t.Fatalf("import without CSRF: %d", res.StatusCode)
	}
	var list struct {
		Item []struct{ ID, Name string } `json:"item"`
	}
	h.call("GET", "/restapis", nil, &list)
	if len(list.Item) != 0 {
		t.Fatalf("imported without CSRF: %v", list.Item)
	}
	res := h.upload(cookie, csrf, "REST", doc)
	body := readBody(res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Imported.") || !strings.Contains(body, "/items/{id}") || !strings.Contains(body, "imported-shop") {
		t.Fatalf("REST import: %d %s", res.StatusCode, body)
	}
	h.call("GET", "/restapis", nil, &list)
	if len(list.Item) != 1 {
		t.Fatalf("REST APIs after import: %v", list.Item)
	}
	res = h.upload(cookie, csrf, "HTTP", strings.Replace(doc, "imported-shop", "imported-http", 1))
	if body := readBody(res); res.StatusCode != http.StatusOK || !strings.Contains(body, "GET /items/{id}") || !strings.Contains(body, "HTTP") {
		t.Errorf("HTTP import: %d %s", res.StatusCode, body)
	}
	if res := h.upload(cookie, csrf, "REST", "not: [an openapi"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad file: %d", res.StatusCode)
	}
	// Delete the REST API.
	res = h.do("POST", Prefix+"apis/"+list.Item[0].ID+"/delete", url.Values{"csrf": {csrf}}, cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", res.StatusCode, readBody(res))
	}
	if page := readBody(h.do("GET", res.Header.Get("Location"), nil, cookie)); !strings.Contains(page, "Deleted API "+list.Item[0].ID) {
		t.Errorf("no notice after delete")
	}
	h.call("GET", "/restapis", nil, &list)
	if len(list.Item) != 0 {
		t.Errorf("REST APIs after delete: %v", list.Item)
	}
	// The notice never echoes arbitrary text.
	if page := readBody(h.do("GET", Prefix+"?deleted=Your+key+expired", nil, cookie)); strings.Contains(page, "Your key expired") {
		t.Error("the deleted notice reflects arbitrary text")
	}
}

// TestCreateAPIKey: a key created from the console is enabled, in the
// chosen usage plan, and its value is shown in that answer.
func TestCreateAPIKey(t *testing.T) {
	h := newHarness(t, false)
	apiID, _, _ := h.petsAPI()
	var plan struct{ ID string }
	h.call("POST", "/usageplans", map[string]any{"name": "gold", "apiStages": []map[string]string{{"apiId": apiID, "stage": "dev"}}}, &plan)
	cookie, csrf := h.signIn()
	res := h.do("POST", Prefix+"apikeys", url.Values{"name": {"partner"}, "usagePlanId": {plan.ID}, "csrf": {csrf}}, cookie)
	body := readBody(res)
	var keys struct {
		Item []struct {
			ID      string `json:"id"`
			Value   string `json:"value"`
			Enabled bool   `json:"enabled"`
		} `json:"item"`
	}
	h.call("GET", "/usageplans/"+plan.ID+"/keys", nil, &keys)
	if len(keys.Item) != 1 {
		t.Fatalf("plan keys: %+v", keys.Item)
	}
	var key struct {
		Value   string `json:"value"`
		Enabled bool   `json:"enabled"`
	}
	h.call("GET", "/apikeys/"+keys.Item[0].ID+"?includeValue=true", nil, &key)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Created API key partner.") || !key.Enabled || !strings.Contains(body, key.Value) {
		t.Errorf("create key: %d enabled %v %s", res.StatusCode, key.Enabled, body)
	}
	// Listing again hides the value.
	if page := readBody(h.do("GET", Prefix+"apikeys", nil, cookie)); strings.Contains(page, key.Value) {
		t.Error("the key value shows without Show")
	}
}
