package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadmeQuickstart runs the README's quickstart block exactly as
// written (only the port differs: the test gateway listens on an ephemeral
// one), with the AWS CLI v2, in a directory holding ./tollgate-data.
func TestReadmeQuickstart(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh quickstart\n")
	if !ok {
		t.Fatal("README has no ```sh quickstart block")
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("unterminated quickstart block")
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("the quickstart needs Debian's AWS CLI v2 at /usr/bin/aws (scripts/test installs it)")
	}
	work := t.TempDir()
	g := startDataPlane(t, filepath.Join(work, "tollgate-data"))
	script := strings.ReplaceAll(block, "127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"))
	script = strings.ReplaceAll(script, "https://127.0.0.1:8443", g.HTTPS)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	for _, want := range []string{
		`"stageName": "dev"`,
		`"throttlingRateLimit": 100.0`,
		`"path": "/pets"`,
		"(NotFoundException) when calling the GetRestApi operation: Invalid API identifier specified 000000000000:nosuchapi",
		`[{"name": "Rex"}]`,
		`{"message":"Missing Authentication Token"}`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, out)
		}
	}
}
