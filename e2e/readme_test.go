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

// readmeBlock returns the README's ```sh NAME block.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh "+name+"\n")
	if !ok {
		t.Fatalf("README has no ```sh %s block", name)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("unterminated %s block", name)
	}
	return block
}

// TestReadmeQuickstart runs the README's quickstart block exactly as
// written (only the port differs: the test gateway listens on an ephemeral
// one), in a directory holding ./tollgate-data, once with the AWS CLI v2
// and once with the AWS CLI v1 when one is on the PATH: v1 reads only
// AWS_DEFAULT_REGION, v2 AWS_REGION first, and the block must work with
// both.
func TestReadmeQuickstart(t *testing.T) {
	block := readmeBlock(t, "quickstart")
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("the quickstart needs Debian's AWS CLI v2 at /usr/bin/aws (scripts/test installs it)")
	}
	clis := map[string]string{"v2": "/usr/bin"}
	if dir := awsCLIv1Dir(); dir != "" {
		clis["v1"] = dir
	} else {
		t.Log("no AWS CLI v1 on the PATH: the quickstart runs with v2 only")
	}
	for name, dir := range clis {
		t.Run(name, func(t *testing.T) { runQuickstart(t, block, dir) })
	}
}

// runQuickstart runs the block against a fresh gateway with the `aws`
// found in cliDir first on the PATH.
func runQuickstart(t *testing.T, block, cliDir string) {
	work := t.TempDir()
	g := startDataPlane(t, filepath.Join(work, "tollgate-data"))
	script := strings.ReplaceAll(block, "127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"))
	script = strings.ReplaceAll(script, "https://127.0.0.1:8443", g.HTTPS)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+cliDir+":"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_REGION=", "AWS_DEFAULT_REGION=")
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

// awsCLIv1Dir returns the directory of the first `aws` on the PATH that is
// the AWS CLI v1, or "".
func awsCLIv1Dir() string {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		exe := filepath.Join(dir, "aws")
		if st, err := os.Stat(exe); err != nil || st.IsDir() {
			continue
		}
		out, err := exec.Command(exe, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/1.") {
			return dir
		}
	}
	return ""
}

// TestReadmeDomainsQuickstart runs the README's custom-domain block as
// written (with the test gateway's ports) with the AWS CLI v2: a
// certificate from the local CA, a domain called by name with curl
// --resolve, the TLS policy refusing TLS 1.1, mutual TLS with a client
// certificate made with openssl.
func TestReadmeDomainsQuickstart(t *testing.T) {
	requireAWSCLI(t)
	block := readmeBlock(t, "domains-quickstart")
	work := t.TempDir()
	g := startDataPlane(t, filepath.Join(work, "tollgate-data"))
	script := strings.ReplaceAll(block, "127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"))
	script = strings.ReplaceAll(script, ":8443", ":"+portOf(g.HTTPS))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_REGION=", "AWS_DEFAULT_REGION=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the block failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	// Every "# …" line after a command is what it prints.
	for _, l := range strings.Split(block, "\n") {
		if want, ok := strings.CutPrefix(l, "# "); ok && (strings.HasPrefix(want, "{") || want == "refused") {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
}

// TestReadmeWAFQuickstart runs the README's AWS WAF block as written (with
// the test gateway's ports) with the AWS CLI v2: an IP set, a web ACL with
// a rate-based rule and the SQLi managed group, associated with a stage;
// an ordinary request passes and an injection gets WAF_FILTERED.
func TestReadmeWAFQuickstart(t *testing.T) {
	requireAWSCLI(t)
	block := readmeBlock(t, "waf-quickstart")
	work := t.TempDir()
	g := startDataPlane(t, filepath.Join(work, "tollgate-data"))
	script := strings.ReplaceAll(block, "127.0.0.1:4566", strings.TrimPrefix(g.Endpoint, "http://"))
	script = strings.ReplaceAll(script, "https://127.0.0.1:8443", g.HTTPS)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_REGION=", "AWS_DEFAULT_REGION=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the block failed: %v\n%s\n--- gateway log\n%s", err, out, g.Logs())
	}
	for _, l := range strings.Split(block, "\n") {
		if want, ok := strings.CutPrefix(l, "# "); ok && strings.HasPrefix(want, "{") {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
}
