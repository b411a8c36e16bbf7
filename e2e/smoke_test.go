package e2e

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestStartAndHealth checks the banner, /healthz, /metrics and that an
// unsigned management call is refused with AWS's error.
func TestStartAndHealth(t *testing.T) {
	g := startGateway(t, "")
	res, err := http.Get(g.Endpoint + "/restapis")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 403 || res.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" || string(body) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unsigned call: %d %s %s", res.StatusCode, res.Header.Get("x-amzn-ErrorType"), body)
	}
	if res.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	res, err = http.Get(g.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "tollgate_management_request_duration_seconds") {
		t.Errorf("metrics lack management calls:\n%.500s", body)
	}
}

// TestBadSettingsExit checks that a bad setting exits non-zero with one line.
func TestBadSettingsExit(t *testing.T) {
	g := startGateway(t, "")
	addr := strings.TrimPrefix(g.Endpoint, "http://")
	for name, args := range map[string][]string{
		"port in use":  {"serve", "--data-dir", t.TempDir(), "--admin-addr", addr},
		"bad account":  {"serve", "--data-dir", t.TempDir(), "--account-id", "x"},
		"cluster only": {"serve", "--data-dir", t.TempDir(), "--store", "mysql://x"},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary(t), args...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if err == nil || !errorAs(err, &ee) || ee.ExitCode() == 0 {
				t.Fatalf("want non-zero exit, got %v: %s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "tollgate: ") {
				t.Errorf("want one line 'tollgate: reason', got %q", out)
			}
		})
	}
}
