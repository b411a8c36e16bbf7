package e2e

// Harness for the cluster tests (cluster_*_test.go): private PostgreSQL
// and Redis servers (internal/testsvc, started on first use and stopped
// by TestMain), a database per test, and `tollgate serve` nodes sharing
// them, each with its own data dir.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/testsvc"
)

var (
	svcMu    sync.Mutex
	svcPG    *testsvc.Postgres
	svcRedis *testsvc.Redis
)

// TestMain stops the servers the cluster tests started.
func TestMain(m *testing.M) {
	code := m.Run()
	svcMu.Lock()
	if svcPG != nil {
		svcPG.Stop()
	}
	if svcRedis != nil {
		svcRedis.Stop()
	}
	svcMu.Unlock()
	os.Exit(code)
}

// sharedServices returns the test binary's PostgreSQL and Redis servers,
// starting them on first use. Tests that stop or restart a server start
// their own instead (testsvc.StartRedis, testsvc.StartPostgres).
func sharedServices(t *testing.T) (*testsvc.Postgres, *testsvc.Redis) {
	t.Helper()
	svcMu.Lock()
	defer svcMu.Unlock()
	var err error
	if svcPG == nil {
		if svcPG, err = testsvc.StartPostgres(); err != nil {
			t.Fatal(err)
		}
	}
	if svcRedis == nil {
		if svcRedis, err = testsvc.StartRedis(); err != nil {
			t.Fatal(err)
		}
	}
	return svcPG, svcRedis
}

// newDatabase creates a fresh database on pg for one test's cluster.
func newDatabase(t *testing.T, pg *testsvc.Postgres) string {
	t.Helper()
	u, err := pg.CreateDatabase("c" + strings.ToLower(randomHex(t, 6)))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// clusterSpec is what the nodes of one cluster share.
type clusterSpec struct {
	Store, Redis, Key string
	// Extra are more serve flags for every node.
	Extra []string
}

// newClusterSpec returns a fresh database on the shared servers and a new
// cluster key, for nodes with the extra flags.
func newClusterSpec(t *testing.T, extra ...string) clusterSpec {
	t.Helper()
	pg, rd := sharedServices(t)
	// A generous Redis timeout: on a loaded test machine a call may wait
	// for a core longer than the default 100 ms, and a node would then
	// fall back to its own limits for a second.
	extra = append([]string{"--redis-timeout", "2s"}, extra...)
	return clusterSpec{Store: newDatabase(t, pg), Redis: rd.URL(), Key: randomHex(t, 32), Extra: extra}
}

// args are the serve flags of a node (the key goes in the environment).
func (c clusterSpec) args(extra ...string) []string {
	a := []string{"--store", c.Store}
	if c.Redis != "" {
		a = append(a, "--redis", c.Redis)
	}
	return append(append(a, c.Extra...), extra...)
}

func (c clusterSpec) env() []string { return []string{"TOLLGATE_CLUSTER_KEY=" + c.Key} }

// startNode starts one node of the cluster with a fresh data dir.
func (c clusterSpec) startNode(t *testing.T, extra ...string) *dataPlane {
	t.Helper()
	return startDataPlaneWith(t, "", c.env(), c.args(extra...)...)
}

// startNodes starts n nodes, one after the other (the first creates the
// schema and the cluster's secrets).
func (c clusterSpec) startNodes(t *testing.T, n int, extra ...string) []*dataPlane {
	t.Helper()
	nodes := make([]*dataPlane, n)
	for i := range nodes {
		nodes[i] = c.startNode(t, append([]string{"--node-name", fmt.Sprintf("node-%c", 'a'+i)}, extra...)...)
	}
	return nodes
}
