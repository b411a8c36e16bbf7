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

// TestReadmeSAMTemplate follows the README's "Run your SAM template"
// section: the gateway started with its `serve --template` line, then its
// ```sh sam block run as written from the repository root (only the
// ports, the data dir and `go run ./cmd/tollgate` differ).
func TestReadmeSAMTemplate(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Run your SAM template\n")
	if !ok {
		t.Fatal("README has no Run your SAM template section")
	}
	const serveLine = "go run ./cmd/tollgate serve "
	i := strings.Index(section, serveLine)
	if i < 0 {
		t.Fatal("the section has no serve command")
	}
	line, _, _ := strings.Cut(section[i+len(serveLine):], "\n")
	args := strings.Fields(strings.ReplaceAll(line, "examples/", filepath.Join(repoRoot(), "examples")+"/"))
	_, rest, ok := strings.Cut(section, "```sh sam\n")
	if !ok {
		t.Fatal("the section has no ```sh sam block")
	}
	block, _, _ := strings.Cut(rest, "```")
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatal("the section needs Debian's AWS CLI v2 at /usr/bin/aws (scripts/test installs it)")
	}
	dataDir := filepath.Join(t.TempDir(), "tollgate-data")
	dp := startDataPlane(t, dataDir, args...)
	eventuallyWithin(t, time.Minute, "the stack", func() error {
		if !strings.Contains(dp.Stdout(), "HTTP API ") || !strings.Contains(dp.Stdout(), "Outputs:") {
			return errString("not created yet:\n" + dp.Stdout())
		}
		return nil
	})
	admin := strings.TrimPrefix(dp.Endpoint, "http://")
	script := strings.NewReplacer(
		"127.0.0.1:4566", admin,
		"http://127.0.0.1:8080", dp.HTTP,
		"$PWD/tollgate-data", dataDir,
		"go run ./cmd/tollgate", binary(t),
	).Replace(block)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:"+os.Getenv("PATH"), "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=",
		"TOLLGATE_DATA_DIR="+dataDir, "TOLLGATE_ADMIN_ADDR="+admin, "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the section's commands failed: %v\n%s\n--- gateway\n%s", err, out, dp.Stdout())
	}
	for _, want := range []string{
		`{"message":"Hello, Ada!","api":"REST API"}`,
		`{"message":"Hello, Ada!","api":"HTTP API"}`,
		`{"message":"Hi, Ada!","api":"REST API"}`,
		"Parameter 'Greeting' must be one of AllowedValues",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
