package wsapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/connreg"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
)

// memRelay connects the hubs of one process as a cluster's relay
// connects nodes (connreg/redis is the real one, tested on Redis).
type memRelay struct {
	mu      sync.Mutex
	holders map[string]connreg.Holder
	nodes   map[connreg.Holder]string
	// fail, when set, is what Deliver returns.
	fail atomic.Pointer[error]
	// delivered counts calls performed by a node.
	delivered atomic.Int64
}

func newMemRelay() *memRelay {
	return &memRelay{holders: map[string]connreg.Holder{}, nodes: map[connreg.Holder]string{}}
}

func (r *memRelay) Deliver(ctx context.Context, node string, call connreg.Call) error {
	if e := r.fail.Load(); e != nil {
		return *e
	}
	r.mu.Lock()
	h := r.holders[node]
	r.mu.Unlock()
	if h == nil {
		return connreg.ErrNotFound
	}
	r.delivered.Add(1)
	return h.Handle(ctx, call)
}

// join makes hub the holder of node (Serve needs the hub's node name).
func (r *memRelay) join(node string, h connreg.Holder) {
	r.mu.Lock()
	r.holders[node], r.nodes[h] = h, node
	r.mu.Unlock()
}

func (r *memRelay) Serve(ctx context.Context, h connreg.Holder) error {
	<-ctx.Done()
	r.mu.Lock()
	delete(r.holders, r.nodes[h])
	r.mu.Unlock()
	return nil
}

// flaky is a registry whose Get fails with err while err is set.
type flaky struct {
	connreg.Registry
	err atomic.Pointer[error]
}

func (f *flaky) Get(ctx context.Context, id string) (*connreg.Record, error) {
	if e := f.err.Load(); e != nil {
		return nil, *e
	}
	return f.Registry.Get(ctx, id)
}

// TestConnectionsAcrossNodes: with a shared registry and a relay,
// @connections calls made on node B reach a connection node A holds:
// PostToConnection writes the frame, GetConnection describes it,
// DeleteConnection closes it with 1000 and $disconnect runs exactly once
// (on A). While the registry or the relay cannot tell, calls for
// connections of other nodes answer 503 when the cluster fails closed and
// 410 when it fails open; a node's own connections are served all along.
func TestConnectionsAcrossNodes(t *testing.T) {
	fl := newFakeLambda()
	shared := &flaky{Registry: connreg.NewMemory()}
	relay := newMemRelay()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(node string, failOpen bool) *gateway {
		g := startGateway(t, fl, wsapi.HubConfig{Node: node, Registry: shared, Relay: relay, FailOpen: failOpen})
		relay.join(node, g.hub)
		go g.hub.Run(ctx)
		g.deploy(t, snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "$default": "default"},
			lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("default")), nil)
		return g
	}
	a, b, c := start("node-a", false), start("node-b", false), start("node-c", true)
	endpoint := func(g *gateway) string { return "http://" + g.addr + "/_aws/execute-api/" + apiID + "/" + stageName }

	ws, _, err := a.dial(t, a.url(), withHeader("User-Agent", "chat-client/3"))
	if err != nil {
		t.Fatal(err)
	}
	id := get(fl.next(t, "connect"), "requestContext.connectionId").(string)
	if status, _, body := manage(t, "POST", endpoint(b), id, "through b", testKeyID, testSecret); status != 200 {
		t.Fatalf("POST on B: %d %s", status, body)
	}
	if got := read(t, ws); got != "through b" {
		t.Fatalf("the client on A read %q", got)
	}
	if relay.delivered.Load() != 1 {
		t.Fatalf("%d calls relayed, want 1", relay.delivered.Load())
	}
	// On the bare host a function's event names (its domainName is A's;
	// here B's address stands for another node's).
	bare := "http://" + b.addr + "/" + stageName
	if status, _, body := manage(t, "POST", bare, id, "bare b", testKeyID, testSecret); status != 200 {
		t.Fatalf("POST on B's bare host: %d %s", status, body)
	}
	if got := read(t, ws); got != "bare b" {
		t.Fatalf("the client on A read %q", got)
	}
	status, _, body := manage(t, "GET", endpoint(c), id, "", testKeyID, testSecret)
	var info struct{ Identity struct{ UserAgent string } }
	if status != 200 || json.Unmarshal([]byte(body), &info) != nil || info.Identity.UserAgent != "chat-client/3" {
		t.Fatalf("GET on C: %d %s", status, body)
	}

	// Outages.
	unavailable := fmt.Errorf("redis down: %w", connreg.ErrUnavailable)
	shared.err.Store(&unavailable)
	for _, tc := range []struct {
		node   string
		g      *gateway
		method string
		want   int
	}{{"B (fails closed)", b, "POST", 503}, {"B (fails closed)", b, "GET", 503}, {"C (fails open)", c, "POST", 410},
		{"A (holds it)", a, "POST", 200}, {"A (holds it)", a, "GET", 200}} {
		status, hdr, _ := manage(t, tc.method, endpoint(tc.g), id, "while down", testKeyID, testSecret)
		if status != tc.want {
			t.Errorf("%s on %s while the registry is down: %d %s, want %d", tc.method, tc.node, status,
				hdr.Get("x-amzn-ErrorType"), tc.want)
		}
		if status == 503 && (hdr.Get("x-amzn-ErrorType") != "ServiceUnavailableException" || hdr.Get("Retry-After") != "1") {
			t.Errorf("503: %v", hdr)
		}
		if tc.method == "POST" && status == 200 {
			read(t, ws)
		}
	}
	if status, _, _ := manage(t, "POST", "http://"+b.addr+"/"+stageName, id, "x", testKeyID, testSecret); status != 503 {
		t.Errorf("POST on B's bare host while the registry is down: %d", status)
	}
	shared.err.Store(nil)
	noAnswer := fmt.Errorf("node-a silent: %w", connreg.ErrNoAnswer)
	relay.fail.Store(&noAnswer)
	for g, want := range map[*gateway]int{b: 503, c: 503} {
		if status, _, _ := manage(t, "POST", endpoint(g), id, "x", testKeyID, testSecret); status != want {
			t.Errorf("POST while node-a does not answer: %d, want %d", status, want)
		}
	}
	relay.fail.Store(nil)

	// DeleteConnection on B closes the connection on A.
	if status, _, body := manage(t, "DELETE", endpoint(b), id, "", testKeyID, testSecret); status != 204 {
		t.Fatalf("DELETE on B: %d %s", status, body)
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if _, _, err := ws.Read(rctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after DELETE on B the client read %v", err)
	}
	ev := fl.next(t, "disconnect")
	if get(ev, "requestContext.connectionId") != id || get(ev, "requestContext.disconnectStatusCode") != float64(1000) {
		t.Fatalf("DISCONNECT: %v", ev["requestContext"])
	}
	for _, g := range []*gateway{b, c} {
		if status, _, _ := manage(t, "POST", endpoint(g), id, "late", testKeyID, testSecret); status != 410 {
			t.Errorf("POST after DELETE: %d", status)
		}
	}
	// Once every hub has drained, no other $disconnect ran for it.
	for _, g := range []*gateway{a, b, c} {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := g.hub.Shutdown(sctx); err != nil {
			t.Fatal(err)
		}
		scancel()
	}
	for {
		select {
		case ev := <-fl.events:
			if ev["_function"] == "disconnect" && get(ev, "requestContext.connectionId") == id {
				t.Fatalf("a second $disconnect: %v", ev["requestContext"])
			}
			continue
		default:
		}
		break
	}
}
