package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/faultstore"
)

// guard bounds every wait; reaching it is a failure, not a measurement.
const guard = 30 * time.Second

// syncBuffer is an io.Writer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

var testCreds = credentials.Pair{AccessKeyID: "AKIDHEALTHTEST000001", SecretAccessKey: "health-test-secret"}

// servedGateway is `tollgate serve` running in-process on real sockets,
// its store wrapped in a faultstore.
type servedGateway struct {
	admin, http string
	faults      *faultstore.Store
	logs        *syncBuffer
}

func serveInProcess(t testing.TB) *servedGateway {
	t.Helper()
	wrapped := make(chan *faultstore.Store, 1)
	stdout, logs := &syncBuffer{}, &syncBuffer{}
	env := Env{
		Stdout: stdout, Stderr: logs,
		Getenv: func(k string) string {
			switch k {
			case "TOLLGATE_ACCESS_KEY_ID":
				return testCreds.AccessKeyID
			case "TOLLGATE_SECRET_ACCESS_KEY":
				return testCreds.SecretAccessKey
			}
			return ""
		},
		wrapStore: func(s store.Store) store.Store {
			fs := faultstore.Wrap(s)
			wrapped <- fs
			return fs
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, []string{"--data-dir", t.TempDir(), "--admin-addr", "127.0.0.1:0", "--https-addr", "",
			"--http-addr", "127.0.0.1:0"}, env)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	adminRE := regexp.MustCompile(`management API\s+http://(\S+)`)
	dataRE := regexp.MustCompile(`data plane\s+(http://\S+)`)
	g := &servedGateway{logs: logs}
	deadline := time.Now().Add(guard)
	for g.admin == "" || g.http == "" {
		select {
		case err := <-done:
			t.Fatalf("Serve ended: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s\n%s", stdout, logs)
		}
		if m := adminRE.FindStringSubmatch(stdout.String()); m != nil {
			g.admin = m[1]
		}
		if m := dataRE.FindStringSubmatch(stdout.String()); m != nil {
			g.http = m[1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.faults = <-wrapped
	return g
}

// health reads /healthz.
func (g *servedGateway) health(t *testing.T) (int, healthBody) {
	t.Helper()
	res, err := http.Get("http://" + g.admin + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b healthBody
	if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

func (g *servedGateway) waitHealth(t *testing.T, status int) healthBody {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		got, b := g.health(t)
		if got == status {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz stayed %d %+v, want %d\n%s", got, b, status, g.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const healthAPI = `openapi: 3.0.1
info: {title: health-check, version: "1"}
paths:
  /ping:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: '{"pong": true}'}
`

// TestHealthzWhileFollowersFail: when the store's change feed fails, the
// gateway keeps serving what it has, /healthz answers 503 with the failing
// followers, their error and the revisions; a deployment made meanwhile
// is not served. Once the store heals, the followers are restarted, catch
// up, the deployment is served and /healthz answers 200 again.
func TestHealthzWhileFollowersFail(t *testing.T) {
	g := serveInProcess(t)
	if status, b := g.health(t); status != 200 || b.Status != "ready" || b.Revision == nil || *b.Revision != 0 {
		t.Fatalf("fresh gateway: %d %+v", status, b)
	}

	errDisk := errors.New("disk I/O error")
	g.faults.Fail(faultstore.Watch, errDisk)
	g.faults.BreakWatches(errDisk)

	spec := filepath.Join(t.TempDir(), "api.yaml")
	if err := os.WriteFile(spec, []byte(healthAPI), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := newMgmtClientWith(g.admin, "us-east-1", testCreds)
	if err := importFile(ctx, c, spec, importOptions{stage: "dev"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	apiID, err := c.findAPI(ctx, "health-check")
	if err != nil || apiID == "" {
		t.Fatalf("imported API: %q %v", apiID, err)
	}
	storeRev, err := g.faults.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}

	wants := []string{
		"change feed: deploy watcher: faultstore: watch: disk I/O error (restart ",
		"API key index: apikey: faultstore: watch: disk I/O error (restart ",
		"serving revision 0, store at " + strconv.FormatInt(storeRev, 10),
	}
	// Each follower fails on its own schedule: wait until both are down.
	var b healthBody
	for deadline := time.Now().Add(guard); ; time.Sleep(10 * time.Millisecond) {
		b = g.waitHealth(t, 503)
		if strings.Contains(b.Reason, wants[0]) && strings.Contains(b.Reason, wants[1]) || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("not ready: %+v", b)
	if b.Lag == nil || b.Serving == nil || b.Revision == nil || *b.Lag != storeRev || *b.Serving != 0 || *b.Revision != storeRev {
		t.Errorf("/healthz revisions: serving %v, store %v, lag %v; want 0, %d, %d", b.Serving, b.Revision, b.Lag, storeRev, storeRev)
	}
	for _, want := range wants {
		if b.Status != "not ready" || !strings.Contains(b.Reason, want) {
			t.Errorf("/healthz reason %q lacks %q", b.Reason, want)
		}
	}
	ping := "http://" + strings.TrimPrefix(g.http, "http://") + "/_aws/execute-api/" + apiID + "/dev/ping"
	if status, body := get(t, ping); status != 403 {
		t.Errorf("a deployment made while the feed fails is served: %d %s", status, body)
	}

	g.faults.Heal()
	g.waitHealth(t, 200)
	if status, body := get(t, ping); status != 200 || body != `{"pong": true}` {
		t.Errorf("after recovery: %d %s", status, body)
	}
	if logs := g.logs.String(); !strings.Contains(logs, "follower stopped") || !strings.Contains(logs, "restarting follower") {
		t.Errorf("restarts not logged:\n%s", logs)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
