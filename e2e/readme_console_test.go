package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReadmeConsole follows the README's "Web console" section as a new
// user would: the quickstart, then the console block as written (a second
// deployment, `tollgate console-url`), then in headless Chromium: open the
// printed link, find the quickstart's API, test-invoke GET /pets, roll
// stage dev back to the first deployment.
func TestReadmeConsole(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("the quickstart needs Debian's AWS CLI v2 at /usr/bin/aws (scripts/test installs it)")
	}
	work := t.TempDir()
	g := startDataPlane(t, filepath.Join(work, "tollgate-data"))
	if !strings.Contains(g.Stdout(), "console: "+g.Endpoint+"/_tollgate/console/") {
		t.Fatalf("the banner does not print the console URL:\n%s", g.Stdout())
	}
	script := readmeBlock(t, "quickstart") + "\n" + readmeBlock(t, "console")
	script = strings.NewReplacer(
		"127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"),
		"https://127.0.0.1:8443", g.HTTPS,
		"go run ./cmd/tollgate", binary(t),
	).Replace(script)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
		"TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=", "TOLLGATE_DATA_DIR=",
		// console-url's default admin address, as `serve`'s, is 127.0.0.1:4566; the test gateway's differs.
		"TOLLGATE_ADMIN_ADDR="+strings.TrimPrefix(g.Endpoint, "http://"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("README blocks failed: %v\n%s\n%s", err, out, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	link := lines[len(lines)-1]
	if !strings.HasPrefix(link, g.Endpoint+"/_tollgate/console/login?token=") {
		t.Fatalf("console-url printed %q", link)
	}

	b := newBrowser(t)
	b.run("open the link", chromedp.Navigate(link), chromedp.WaitVisible(css(`#resources`)))
	if h := b.text(`h1`); !strings.HasPrefix(h, "pets") {
		t.Errorf("the link opened %q", h)
	}
	if tree := b.text(`table`); !strings.Contains(tree, "/pets") || !strings.Contains(tree, "MOCK") {
		t.Errorf("resource tree: %s", tree)
	}
	b.run("test GET /pets", chromedp.Click(css(`a[aria-label="Test GET /pets"]`)), chromedp.WaitVisible(css(`#test-button`)),
		chromedp.Click(css(`#test-button`)), chromedp.WaitVisible(css(`#result-status`)))
	if s, body := b.text(`#result-status`), b.text(`#result-body`); s != "200" || !strings.Contains(body, `"Rex"`) {
		t.Errorf("test invoke: %s %s", s, body)
	}
	b.run("open stage dev", chromedp.Click(`//a[text()="pets"]`), chromedp.WaitVisible(css(`#stages`)),
		chromedp.Click(`//a[text()="dev"]`), chromedp.WaitVisible(css(`#active-deployment`)))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.confirm = () => true, true`)); err != nil {
		t.Fatal(err)
	}
	b.run("roll back", chromedp.Click(`//tr[td[text()="first deployment"]]//button`), chromedp.WaitVisible(css(`p.notice`)))
	if active := b.text(`tr.active`); !strings.Contains(active, "first deployment") || !strings.Contains(active, "active") {
		t.Errorf("after rollback the active row is %q", active)
	}
	b.shot("readme-rolled-back")
}
