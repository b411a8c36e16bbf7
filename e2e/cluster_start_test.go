package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// serveFails runs `tollgate serve` with args and the environment env and
// returns its output, failing unless it exits non-zero, within limit, with
// one line "tollgate: …".
func serveFails(t *testing.T, limit time.Duration, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
	defer cancel()
	args = append([]string{"serve", "--data-dir", t.TempDir(), "--admin-addr", "127.0.0.1:0", "--https-addr", "", "--http-addr", "127.0.0.1:0"}, args...)
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = append(append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY=", "TOLLGATE_CLUSTER_KEY="), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	var ee *exec.ExitError
	if err == nil || !errorAs(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("want a non-zero exit, got %v: %s", err, out)
	}
	if took > limit {
		t.Errorf("took %v to exit, want at most %v", took.Round(time.Millisecond), limit)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "tollgate: ") {
		t.Fatalf("want one line 'tollgate: reason', got %q", out)
	}
	return lines[0]
}

// TestClusterStartFailures: a node whose PostgreSQL or Redis cannot be
// reached, or that lacks or mangles the cluster key, exits non-zero within
// seconds with one line naming what is wrong (and never echoing the key).
func TestClusterStartFailures(t *testing.T) {
	pg, rd := sharedServices(t)
	store := newDatabase(t, pg)
	key := randomHex(t, 32)
	deadPG, deadRedis := closedPort(t), closedPort(t)
	for _, c := range []struct {
		name  string
		env   []string
		args  []string
		wants []string
	}{
		{"postgres unreachable", []string{"TOLLGATE_CLUSTER_KEY=" + key},
			[]string{"--store", "postgres://postgres@" + deadPG + "/tollgate?sslmode=disable", "--redis", rd.URL()},
			[]string{"store: postgres", deadPG + "/tollgate", "connection refused"}},
		{"redis unreachable", []string{"TOLLGATE_CLUSTER_KEY=" + key},
			[]string{"--store", store, "--redis", "redis://" + deadRedis},
			[]string{"redis", deadRedis, "connection refused"}},
		{"no cluster key", nil,
			[]string{"--store", store, "--redis", rd.URL()},
			[]string{"needs --cluster-key", "openssl rand -hex 32"}},
		{"short cluster key", []string{"TOLLGATE_CLUSTER_KEY=" + key[:40]},
			[]string{"--store", store},
			[]string{"--cluster-key: want 64 hex characters (256 bits), got 40"}},
		{"bad fail mode", []string{"TOLLGATE_CLUSTER_KEY=" + key},
			[]string{"--store", store, "--redis", rd.URL(), "--redis-fail-mode", "maybe"},
			[]string{`--redis-fail-mode "maybe": want open or closed`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			line := serveFails(t, 8*time.Second, c.env, c.args...)
			for _, w := range c.wants {
				if !strings.Contains(line, w) {
					t.Errorf("reason %q lacks %q", line, w)
				}
			}
			if strings.Contains(line, key[:16]) {
				t.Errorf("the reason echoes the cluster key: %q", line)
			}
		})
	}
}

// TestClusterNodeBasics: nodes on PostgreSQL and Redis say so at start,
// serve what another node deploys, and share a stage throttle through
// Redis: a burst of 3 at rate 0.01 spent on one node leaves none on the
// other.
func TestClusterNodeBasics(t *testing.T) {
	spec := newClusterSpec(t)
	nodes := spec.startNodes(t, 2)
	a, b := nodes[0], nodes[1]
	for _, n := range nodes {
		out := n.Stdout()
		if !strings.Contains(out, "store           postgres 127.0.0.1:") || !strings.Contains(out, "(cluster mode)") {
			t.Errorf("banner lacks the cluster store:\n%s", out)
		}
		if !strings.Contains(out, "shared state    redis "+strings.TrimSuffix(strings.TrimPrefix(spec.Redis, "redis://"), "/0")+" (fail open, keys tollgate:") {
			t.Errorf("banner lacks the shared state:\n%s", out)
		}
	}
	api := a.newAPI(t, "cluster-basics")
	api.mock(t, "/hello", "GET", `{"v":"$stageVariables.v"}`)
	a.call(t, "POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "prod", "variables": map[string]string{"v": "1"}})
	onB := &restAPI{dp: b, ID: api.ID}
	b.waitFor(t, onB.url("prod", "/hello"), 200, `{"v":"1"}`)
	// The throttle and the variable go live together: the first answer
	// with v=2 on each node is the first throttled request there.
	api.patchStage(t, "prod", replaceOp("/*/*/throttling/rateLimit", "0.01"), replaceOp("/*/*/throttling/burstLimit", "3"),
		replaceOp("/variables/v", "2"))
	a.waitFor(t, api.url("prod", "/hello"), 200, `{"v":"2"}`)
	b.waitFor(t, onB.url("prod", "/hello"), 200, `{"v":"2"}`)
	admitted := 2
	for i := 0; i < 3; i++ {
		for _, u := range []struct {
			n *dataPlane
			a *restAPI
		}{{a, api}, {b, onB}} {
			if r := u.n.do(t, "GET", u.a.url("prod", "/hello"), nil, nil); r.Status == http.StatusOK {
				admitted++
			} else {
				expect(t, "throttled", r, 429, `{"message":"Too Many Requests"}`)
			}
		}
	}
	if admitted != 3 {
		t.Errorf("admitted %d requests across two nodes, want the burst of 3 (one bucket in Redis)", admitted)
	}
}

// TestRedisWithoutCluster: a gateway on its own SQLite store may keep its
// throttles in Redis too; its keys are its store's own, so two such
// gateways sharing one Redis do not share buckets (the account's
// included).
func TestRedisWithoutCluster(t *testing.T) {
	_, rd := sharedServices(t)
	prefix := regexp.MustCompile(`shared state    redis \S+ \(fail open, keys (tollgate:[0-9a-f]{12}:)\*\)`)
	var prefixes []string
	var nodes []*dataPlane
	for range 2 {
		dp := startDataPlane(t, "", "--redis", rd.URL())
		m := prefix.FindStringSubmatch(dp.Stdout())
		if m == nil {
			t.Fatalf("banner lacks the shared state with the store's key prefix:\n%s", dp.Stdout())
		}
		prefixes, nodes = append(prefixes, m[1]), append(nodes, dp)
	}
	if prefixes[0] == prefixes[1] {
		t.Fatalf("two gateways on their own stores share the key prefix %s", prefixes[0])
	}
	for _, dp := range nodes {
		a := dp.newAPI(t, "own-buckets")
		a.mock(t, "/x", "GET", `{"ok":true}`)
		a.deploy(t, "dev")
		dp.waitFor(t, a.url("dev", "/x"), 200, `{"ok":true}`)
	}
}
