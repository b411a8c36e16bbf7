package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's chromium (scripts/test installs it).
const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium tab driven over the DevTools protocol;
// shot saves a screenshot of the page as a test artifact.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
	n   int
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is needed at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1100, 760), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser on the context without a deadline (a deadline on
	// the first run would bound the browser's life), then bound the steps.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	steps, cancelSteps := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancelSteps)
	dir := os.Getenv("TOLLGATE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "tollgate-e2e-artifacts")
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &browser{t: t, ctx: steps, dir: dir}
}

// run performs steps, failing the test (with a screenshot) on error.
func (b *browser) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the visible text of the first element matching the CSS
// selector sel, once it is visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.shot("failed-read")
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// reloadUntil loads u until the element sel shows every one of wants (the
// gateway counts usage and writes access logs asynchronously), and returns
// its text.
func (b *browser) reloadUntil(u, sel string, wants ...string) string {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b.run("load "+u, chromedp.Navigate(u))
		ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(got, w) {
				missing = w
			}
		}
		if err == nil && missing == "" {
			return got
		}
		if time.Now().After(deadline) {
			b.shot("failed-reload")
			b.t.Fatalf("%s: %s lacks %q after 15s (%v): %s", u, sel, missing, err, got)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// checkLabels fails the test when a form control of the current page has
// no label (screen readers and keyboard users rely on them).
func (b *browser) checkLabels(what string) {
	b.t.Helper()
	unlabeled, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input:not([type=hidden]),select,textarea')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)`))
	if err != nil || len(unlabeled) > 0 {
		b.t.Errorf("%s: controls without a label: %v %v", what, unlabeled, err)
	}
}

// shot saves the viewport as NN-name.png.
func (b *browser) shot(name string) string {
	b.n++
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
	return p
}

// css and xpath name the selector kinds.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// TestConsoleBrowser clicks through the web console's main flows in
// headless Chromium: a wrong key is refused, sign-in with the keyboard,
// find the quickstart's API, open its resources, test-invoke a method,
// roll a stage back (and the data plane follows), view usage, metrics and
// recent requests, and try an operation in the developer portal.
func TestConsoleBrowser(t *testing.T) {
	dp := startDataPlane(t, "", functionFlag(t, "auth", "authorizer")...)
	key, secret := readCredentials(t, dp.CredFile)
	if !strings.Contains(dp.Stdout(), "console: "+dp.Endpoint+"/_tollgate/console/") {
		t.Fatalf("the banner does not print the console URL:\n%s", dp.Stdout())
	}

	// The quickstart's API, deployed twice: "first deployment" answers Rex,
	// the second Rex and Fido.
	a := dp.newAPI(t, "pets")
	a.mock(t, "/pets", "GET", `[{"name": "Rex"}]`)
	a.mockWith(t, "/keyed", "GET", map[string]any{"apiKeyRequired": true}, `{"ok": true}`)
	a.authorizer(t, "tok", "TOKEN", "auth", map[string]any{"identitySource": "method.request.header.Authorization", "authorizerResultTtlInSeconds": 0})
	first := dp.call(t, "POST", "/restapis/"+a.ID+"/deployments", map[string]any{"stageName": "dev", "description": "first deployment"})["id"].(string)
	a.integrationResponse(t, "/pets", "GET", "200", map[string]any{"responseTemplates": map[string]string{"application/json": `[{"name": "Rex"}, {"name": "Fido"}]`}})
	second := dp.call(t, "POST", "/restapis/"+a.ID+"/deployments", map[string]any{"stageName": "dev", "description": "add Fido"})["id"].(string)
	a.patchStage(t, "dev",
		replaceOp("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:pets-access"),
		replaceOp("/accessLogSettings/format", `{"requestId":"$context.requestId","httpMethod":"$context.httpMethod","path":"$context.path","status":"$context.status","responseLatency":"$context.responseLatency","ip":"$context.identity.sourceIp"}`))
	dp.call(t, "POST", "/restapis/"+a.ID+"/documentation/parts", map[string]any{"location": map[string]string{"type": "API"},
		"properties": `{"description":"Pets for everyone."}`})
	dp.call(t, "POST", "/restapis/"+a.ID+"/documentation/versions", map[string]any{"documentationVersion": "1", "stageName": "dev"})
	// An API key in a usage plan of the stage, used twice.
	apiKey := dp.call(t, "POST", "/apikeys", map[string]any{"name": "partner", "enabled": true, "value": "partnerKeyValue0123456789"})["id"].(string)
	plan := dp.call(t, "POST", "/usageplans", map[string]any{"name": "gold", "apiStages": []map[string]string{{"apiId": a.ID, "stage": "dev"}},
		"quota": map[string]any{"limit": 1000, "period": "DAY"}})["id"].(string)
	dp.call(t, "POST", "/usageplans/"+plan+"/keys", map[string]any{"keyId": apiKey, "keyType": "API_KEY"})
	dp.waitFor(t, a.url("dev", "/pets"), 200, `[{"name": "Rex"}, {"name": "Fido"}]`)
	keyHeader := http.Header{"X-Api-Key": {"partnerKeyValue0123456789"}}
	eventually(t, "keyed calls counted", func() error {
		if r := dp.do(t, "GET", a.url("dev", "/keyed"), keyHeader, nil); r.Status != 200 {
			return fmt.Errorf("GET /keyed with the key: %s", r)
		}
		return nil
	})
	dp.do(t, "GET", a.url("dev", "/keyed"), keyHeader, nil)
	dp.do(t, "GET", a.url("dev", "/nosuch"), nil, nil) // a 403 for the metrics and the log

	b := newBrowser(t)
	consoleURL := dp.Endpoint + "/_tollgate/console/"

	// Not signed in: the sign-in page, and a wrong key is refused.
	b.run("open the console", chromedp.Navigate(consoleURL), chromedp.WaitVisible(css(`#accessKeyId`)))
	b.shot("sign-in")
	b.run("wrong key", chromedp.SendKeys(css(`#accessKeyId`), key),
		chromedp.SendKeys(css(`#secretAccessKey`), "not-the-secret"),
		chromedp.Submit(css(`#secretAccessKey`)), chromedp.WaitVisible(css(`p.error`)))
	if msg := b.text(`p.error`); msg != "Invalid access key id or secret access key" {
		t.Errorf("wrong key: %q", msg)
	}
	if cookies, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.cookie`)); err != nil || cookies != "" {
		t.Errorf("cookies visible to scripts: %q %v", cookies, err)
	}
	b.shot("wrong-key")

	// Sign in with the keyboard only: the key field has focus, Tab moves to
	// the secret, Enter submits.
	b.run("sign in", chromedp.Navigate(consoleURL), chromedp.WaitVisible(css(`#accessKeyId`)),
		chromedp.KeyEvent(key), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(secret), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css(`#q`)))

	// Find the API with the filter, open it.
	b.run("filter", chromedp.SendKeys(css(`#q`), "pet"+kb.Enter), chromedp.WaitVisible(`//a[text()="pets"]`))
	b.shot("apis")
	b.checkLabels("APIs page")
	// The first Tab reaches the skip link, which leads to the content.
	b.run("skip link", chromedp.KeyEvent(kb.Tab))
	if focused, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.textContent`)); err != nil || focused != "Skip to content" {
		t.Errorf("first Tab focuses %q (%v)", focused, err)
	}
	b.run("open the API", chromedp.Click(`//a[text()="pets"]`), chromedp.WaitVisible(css(`#resources`)))
	resources := b.text(`table`)
	for _, want := range []string{"/pets", "/keyed", "GET", "MOCK"} {
		if !strings.Contains(resources, want) {
			t.Errorf("resource tree lacks %q: %s", want, resources)
		}
	}
	b.shot("api")
	b.checkLabels("API page")

	// The Test button on GET /pets.
	b.run("test", chromedp.Click(css(`a[aria-label="Test GET /pets"]`)), chromedp.WaitVisible(css(`#test-button`)),
		chromedp.Click(css(`#test-button`)), chromedp.WaitVisible(css(`#result-status`)))
	if s := b.text(`#result-status`); s != "200" {
		t.Errorf("test invoke status %q", s)
	}
	if body := b.text(`#result-body`); !strings.Contains(body, `"Fido"`) {
		t.Errorf("test invoke body %q", body)
	}
	if log := b.text(`#result-log`); !strings.Contains(log, "Method completed with status: 200") {
		t.Errorf("test invoke log %q", log)
	}
	if p := b.shot("test-invoke"); p != "" && os.Getenv("TOLLGATE_README_SCREENSHOT") != "" {
		copyFile(t, p, os.Getenv("TOLLGATE_README_SCREENSHOT"))
	}

	// Test the TOKEN authorizer (TestInvokeAuthorizer) on the same page.
	b.run("test authorizer", chromedp.SendKeys(css(`#authHeaders`), "Authorization: allow"),
		chromedp.Click(css(`#authorizer-button`)), chromedp.WaitVisible(css(`#auth-status`)))
	if s, p := b.text(`#auth-status`), b.text(`#auth-principal`); s != "200" || p != "user-1" {
		t.Errorf("authorizer test: status %q principal %q", s, p)
	}
	b.shot("test-authorizer")
	b.checkLabels("test page")

	// Roll stage dev back to the first deployment.
	b.run("stage", chromedp.Navigate(consoleURL+"apis/"+a.ID+"/stages/dev"), chromedp.WaitVisible(css(`#active-deployment`)))
	if d := b.text(`#active-deployment`); d != second {
		t.Fatalf("active deployment %q, want %q", d, second)
	}
	// Accept the confirmation the page's script asks for.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.confirm = () => true, true`)); err != nil {
		t.Fatal(err)
	}
	b.run("roll back", chromedp.Click(css(`button[aria-label="Roll back to deployment `+first+`"]`)),
		chromedp.WaitVisible(css(`p.notice`)))
	if d := b.text(`#active-deployment`); d != first {
		t.Errorf("after rollback the stage shows %q, want %q", d, first)
	}
	b.shot("rolled-back")
	b.checkLabels("stage page")
	if got := dp.call(t, "GET", "/restapis/"+a.ID+"/stages/dev", nil)["deploymentId"]; got != first {
		t.Errorf("GetStage after rollback: %v", got)
	}
	dp.waitFor(t, a.url("dev", "/pets"), 200, `[{"name": "Rex"}]`)

	// Usage of the key in its plan.
	b.reloadUntil(consoleURL+"usageplans", `#usage-`+apiKey+` figcaption`, ": 2 requests")
	b.shot("usage")

	// Live metrics: the rates fill in from the second poll.
	b.run("metrics", chromedp.Navigate(consoleURL+"metrics"), chromedp.WaitVisible(css(`#metrics`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#metrics td[data-f="rate"]')].some(td => td.textContent !== "-") && document.querySelector('#rate-chart polyline.req').getAttribute('points') !== ""`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		b.shot("failed-rates")
		t.Fatalf("live rates: %v", err)
	}
	if m := b.text(`#metrics`); !strings.Contains(m, "pets") || !strings.Contains(m, "/pets") {
		t.Errorf("metrics table: %s", m)
	}
	b.shot("metrics")

	// Recent requests from the access log.
	b.reloadUntil(consoleURL+"requests?group=pets-access", `main`, "/pets", "403")
	b.shot("requests")
	// Replay a GET /pets line through test invoke.
	b.run("replay", chromedp.Click(css(`a[aria-label="Replay GET /dev/pets in test invoke"]`)), chromedp.WaitVisible(css(`#test-button`)))
	if sel, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("method").selectedOptions[0].textContent + " " + document.getElementById("path").value`)); err != nil || sel != "GET /pets /pets" {
		t.Errorf("replay opened %q (%v)", sel, err)
	}
	b.run("replayed test", chromedp.Click(css(`#test-button`)), chromedp.WaitVisible(css(`#result-status`)))
	if s := b.text(`#result-status`); s != "200" {
		t.Errorf("replayed test status %q", s)
	}

	// The developer portal: open the API, try GET /pets.
	b.run("portal", chromedp.Navigate(consoleURL+"portal/"), chromedp.WaitVisible(`//a[text()="pets"]`),
		chromedp.Click(`//a[text()="pets"]`), chromedp.WaitVisible(css(`#op-get_pets`)))
	if d := b.text(`main`); !strings.Contains(d, "Pets for everyone.") {
		t.Errorf("portal page lacks the documentation: %s", d)
	}
	b.run("try it", chromedp.Click(css(`#section-get_pets summary`)),
		chromedp.Click(css(`#section-get_pets button[type=submit]`)),
		chromedp.WaitVisible(css(`#section-get_pets .try-status`)))
	if s := b.text(`#section-get_pets .try-status`); s != "200" {
		t.Errorf("try it status %q", s)
	}
	if body := b.text(`#section-get_pets .try-body`); !strings.Contains(body, "Rex") || strings.Contains(body, "Fido") {
		t.Errorf("try it body %q", body)
	}
	b.shot("portal")
	b.checkLabels("portal page")

	// Sign out: the console is closed again.
	b.run("sign out", chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`#accessKeyId`)),
		chromedp.Navigate(consoleURL+"apis/"+a.ID), chromedp.WaitVisible(css(`#accessKeyId`)))
}

// copyFile copies from to to (a relative to is taken from the repository
// root).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if !filepath.IsAbs(to) {
		to = filepath.Join(repoRoot(), to)
	}
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Errorf("copy %s: %v", from, err)
	}
}

// TestConsoleURL: `tollgate console-url` prints a one-time link that signs
// a browser in once.
func TestConsoleURL(t *testing.T) {
	g := startGateway(t, "")
	cmd := exec.Command(binary(t), "console-url", "--admin-addr", strings.TrimPrefix(g.Endpoint, "http://"), "--data-dir", g.DataDir,
		"--next", "/_tollgate/console/apikeys")
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("console-url: %v", err)
	}
	link := strings.TrimSpace(string(out))
	if strings.Count(string(out), "\n") != 1 || !strings.HasPrefix(link, g.Endpoint+"/_tollgate/console/login?token=") {
		t.Fatalf("console-url printed %q", out)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/_tollgate/console/apikeys" || len(res.Cookies()) != 1 {
		t.Fatalf("first use: %d %q %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	res, err = client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther || len(res.Cookies()) != 0 {
		t.Errorf("second use: %d %v", res.StatusCode, res.Cookies())
	}
}
