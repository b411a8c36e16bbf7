package registry

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/redisclient"
	"github.com/tollgate/tollgate/internal/testsvc"
)

var srv *testsvc.Redis

func TestMain(m *testing.M) { testsvc.MainWithRedis(m, &srv) }

var prefixes atomic.Int64

func newRegistry(t *testing.T, prefix, id, name string) *Registry {
	t.Helper()
	c, err := redisclient.Open(context.Background(), srv.URL(), redisclient.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &Registry{Client: c, Prefix: prefix, ID: id,
		Self:     func(context.Context) Node { return Node{Name: name, ServingRevision: 7, StoreRevision: 9, Lag: 2} },
		Interval: 20 * time.Millisecond, LostAfter: 300 * time.Millisecond, ForgetAfter: 3 * time.Second}
}

// waitList polls List until ok accepts the nodes.
func waitList(t *testing.T, r *Registry, what string, ok func([]Node) bool) []Node {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		nodes, err := r.List(context.Background())
		if err == nil && ok(nodes) {
			return nodes
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: last list %+v, %v", what, nodes, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func states(nodes []Node) string {
	s := ""
	for _, n := range nodes {
		s += fmt.Sprintf("%s=%s ", n.Name, n.State)
	}
	return s
}

// TestRegistry: running nodes are listed up with what they report; a node
// that stops cleanly leaves; one whose heartbeats stop (killed) is listed
// lost, then forgotten.
func TestRegistry(t *testing.T) {
	prefix := fmt.Sprintf("t%d:", prefixes.Add(1))
	a, b, dead := newRegistry(t, prefix, "ida", "a"), newRegistry(t, prefix, "idb", "b"), newRegistry(t, prefix, "idc", "c")
	ctxA, stopA := context.WithCancel(context.Background())
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	doneA := make(chan struct{})
	go func() { a.Run(ctxA); close(doneA) }()
	go b.Run(ctxB)
	if err := dead.beat(context.Background()); err != nil { // one heartbeat, then silence, as kill -9
		t.Fatal(err)
	}
	nodes := waitList(t, b, "a and b up, c lost", func(n []Node) bool { return states(n) == "a=up b=up c=lost " })
	if n := nodes[0]; n.ID != "ida" || n.ServingRevision != 7 || n.StoreRevision != 9 || n.Lag != 2 || n.SinceHeartbeat == "" {
		t.Errorf("node a listed as %+v", n)
	}
	stopA()
	<-doneA
	waitList(t, b, "a left, c forgotten", func(n []Node) bool { return states(n) == "b=up " })
}
