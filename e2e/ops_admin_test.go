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

// curlStatus runs curl against url and returns the status code and body.
func curlStatus(t *testing.T, url string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "curl", append([]string{"-sS", "-w", "\n%{http_code}", url}, args...)...).Output()
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	body, code, _ := cutLast(string(out), "\n")
	return code, body
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

type statusCase struct {
	path   string
	args   []string
	status string
	body   string // a substring of the body
}

func checkStatuses(t *testing.T, endpoint string, cases []statusCase) {
	t.Helper()
	for _, c := range cases {
		code, body := curlStatus(t, endpoint+c.path, c.args...)
		if code != c.status || !strings.Contains(body, c.body) {
			t.Errorf("GET %s %v: %s %.200q, want %s with %q", c.path, c.args, code, body, c.status, c.body)
		}
	}
}

const missingToken = `{"message":"Missing Authentication Token"}`

// TestOpsEndpointsDefault: on the default loopback admin listener the
// metrics and stage list answer without credentials, /healthz says ready
// with the revision, and the profiler is off (its paths are not served:
// the management API answers them as unknown, unsigned requests).
func TestOpsEndpointsDefault(t *testing.T) {
	g := startGateway(t, "")
	checkStatuses(t, g.Endpoint, []statusCase{
		{"/healthz", nil, "200", `{"status":"ready","revision":0,"servingRevision":0,"lag":0}`},
		{"/metrics", nil, "200", "# TYPE go_goroutines gauge"},
		{"/_tollgate/stages", nil, "200", `"stages":[]`},
		{"/debug/pprof/", nil, "403", missingToken},
		{"/debug/pprof/cmdline", nil, "403", missingToken},
		{"/debug/pprof/profile?seconds=100", nil, "403", missingToken},
	})
}

// TestOpsEndpointsPProf: --pprof turns the profiler on, with its seconds
// parameter bounded (a CPU profile holds the profiler for that long).
func TestOpsEndpointsPProf(t *testing.T) {
	g := startGateway(t, "", "--pprof")
	checkStatuses(t, g.Endpoint, []statusCase{
		{"/debug/pprof/", nil, "200", "Types of profiles available"},
		{"/debug/pprof/cmdline", nil, "200", "serve"},
		{"/debug/pprof/profile?seconds=100", nil, "400", "seconds: want a number greater than 0 and at most 60"},
		{"/debug/pprof/trace?seconds=60.5", nil, "400", "at most 60"},
		{"/debug/pprof/heap?seconds=0", nil, "400", "at most 60"},
		{"/debug/pprof/heap?seconds=x", nil, "400", "at most 60"},
		{"/debug/pprof/trace?seconds=0.2", nil, "200", ""},
		{"/debug/pprof/goroutine?debug=1", nil, "200", "goroutine profile:"},
	})
}

// TestOpsEndpointsNotLoopback: when the admin listener is reachable from
// other machines, everything but /healthz needs the bearer token or a
// SigV4 signature with the management credentials, profiler included.
func TestOpsEndpointsNotLoopback(t *testing.T) {
	const token = "0123456789abcdef-metrics"
	dp := startDataPlaneEnv(t, []string{"TOLLGATE_METRICS_TOKEN=" + token}, "--admin-addr", "0.0.0.0:0", "--pprof")
	if !strings.Contains(dp.Stdout(), "(bearer token or SigV4)") {
		t.Errorf("banner does not say how /metrics is reached:\n%s", dp.Stdout())
	}
	bearer := []string{"-H", "Authorization: Bearer " + token}
	sigv4 := sigv4Args(t, dp.Gateway)
	checkStatuses(t, dp.Endpoint, []statusCase{
		{"/healthz", nil, "200", `{"status":"ready"`},
		{"/metrics", nil, "403", missingToken},
		{"/metrics", []string{"-H", "Authorization: Bearer not-the-token-0000000"}, "401", `{"message":"Unauthorized"}`},
		{"/metrics", bearer, "200", "# TYPE go_goroutines gauge"},
		{"/metrics", sigv4, "200", "# TYPE go_goroutines gauge"},
		{"/_tollgate/stages", nil, "403", missingToken},
		{"/_tollgate/stages", bearer, "200", `"stages":[]`},
		{"/_tollgate/listeners", sigv4, "200", `"dataPlane":["https://`},
		{"/debug/pprof/cmdline", nil, "403", missingToken},
		{"/debug/pprof/cmdline", bearer, "200", "serve"},
		{"/debug/pprof/profile?seconds=100", bearer, "400", "at most 60"},
	})
}

// TestOpsEndpointsNotLoopbackWithoutToken: without a token only SigV4
// opens them, and `tollgate import` (which signs) still finds the
// data-plane listeners.
func TestOpsEndpointsNotLoopbackWithoutToken(t *testing.T) {
	dp := startDataPlane(t, "", "--admin-addr", "0.0.0.0:0")
	checkStatuses(t, dp.Endpoint, []statusCase{
		{"/healthz", nil, "200", `{"status":"ready"`},
		{"/metrics", nil, "403", missingToken},
		{"/metrics", []string{"-H", "Authorization: Bearer 0123456789abcdef-metrics"}, "401", `{"message":"Unauthorized"}`},
		{"/metrics", sigv4Args(t, dp.Gateway), "200", "# TYPE go_goroutines gauge"},
		{"/debug/pprof/", sigv4Args(t, dp.Gateway), "404", "No operation matches GET /debug/pprof/"}, // off
	})
	spec := filepath.Join(t.TempDir(), "api.json")
	if err := os.WriteFile(spec, []byte(`{"swagger":"2.0","info":{"title":"ops-import","version":"1"},
"paths":{"/p":{"get":{"responses":{"200":{"description":"ok"}},
"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
"responses":{"default":{"statusCode":"200"}}}}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "import", spec, "--admin-addr", strings.TrimPrefix(dp.Endpoint, "http://"), "--data-dir", dp.DataDir)
	cmd.Env = append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), dp.HTTP+"/_aws/execute-api/") {
		t.Errorf("tollgate import: %v\n%s", err, out)
	}
}

// sigv4Args are curl's arguments to sign with the gateway's management
// credentials (service apigateway).
func sigv4Args(t *testing.T, g *Gateway) []string {
	t.Helper()
	c := g.client(t)
	return []string{"--aws-sigv4", "aws:amz:us-east-1:apigateway", "--user", c.creds.AccessKeyID + ":" + c.creds.SecretAccessKey}
}
