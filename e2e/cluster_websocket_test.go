package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestClusterWebSocket runs three nodes (A, B, C) on one PostgreSQL store
// and one Redis, with a WebSocket API whose routes go to the wschat
// function, and manages connections through the AWS CLI's
// apigatewaymanagementapi commands (SigV4) sent to nodes other than the
// one holding the socket.
func TestClusterWebSocket(t *testing.T) {
	spec := newClusterSpec(t, "--config", wsConfig(t))
	nodes := spec.startNodes(t, 3)
	a, b, c := nodes[0], nodes[1], nodes[2]
	log := a.createWSFunction(t, "wschat", false)
	api := a.newWSAPI(t, "cluster-chat", "wschat", "$connect", "$disconnect", "$default", "echo")
	// The stage is live on every node within a second; wait for B and C.
	on := func(dp *dataPlane) *wsAPI { return &wsAPI{dp: dp, cli: api.cli, ID: api.ID} }
	for _, dp := range nodes[1:] {
		waitWSStage(t, on(dp))
	}
	endpoint := func(dp *dataPlane) string { return dp.HTTP + "/_aws/execute-api/" + api.ID + "/prod" }
	manage := func(dp *dataPlane, args ...string) clientResult {
		return managementCLI(t, dp, endpoint(dp), wsOpsKey, wsOpsSecret, args...)
	}
	post := func(dp *dataPlane, id, data string) clientResult {
		return manage(dp, "post-to-connection", "--connection-id", id, "--data", data, "--cli-binary-format", "raw-in-base64-out")
	}
	// connect opens a connection on dp and returns it with its id.
	connect := func(dp *dataPlane, agent string) (*websocket.Conn, string) {
		ws, _, err := on(dp).dial(t, on(dp).pathURL(), &websocket.DialOptions{HTTPHeader: map[string][]string{"User-Agent": {agent}}})
		if err != nil {
			t.Fatal(err)
		}
		wsWrite(t, ws, `{"action":"echo"}`)
		return ws, wsRead(t, ws)["event"].(map[string]any)["requestContext"].(map[string]any)["connectionId"].(string)
	}

	t.Run("PostOnBReachesC", func(t *testing.T) {
		ws, id := connect(c, "e2e-cluster/1")
		res := post(b, id, "hello from B")
		if res.Code != 0 {
			t.Fatalf("post-to-connection on B: %d %s %s", res.Code, res.Stdout, res.Stderr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, msg, err := ws.Read(ctx); err != nil || string(msg) != "hello from B" {
			t.Fatalf("the client on C read %q, %v", msg, err)
		}

		// GetConnection on A describes it.
		res = manage(a, "get-connection", "--connection-id", id)
		var info struct {
			ConnectedAt, LastActiveAt string
			Identity                  struct{ SourceIp, UserAgent string }
		}
		if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &info) != nil || info.ConnectedAt == "" || info.LastActiveAt == "" ||
			info.Identity.SourceIp != "127.0.0.1" || info.Identity.UserAgent != "e2e-cluster/1" {
			t.Fatalf("get-connection on A: %d %s %s", res.Code, res.Stdout, res.Stderr)
		}

		// The client's activity reaches the shared record within a second
		// or two (GetConnection on C itself reads it exactly).
		time.Sleep(1100 * time.Millisecond) // past the first second: the next message is recorded
		wsWrite(t, ws, `{"action":"echo"}`)
		wsRead(t, ws)
		eventually(t, "lastActiveAt on A after a message", func() error {
			res := manage(a, "get-connection", "--connection-id", id)
			var now struct{ ConnectedAt, LastActiveAt time.Time }
			if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &now) != nil {
				return fmt.Errorf("get-connection on A: %d %s %s", res.Code, res.Stdout, res.Stderr)
			}
			if now.LastActiveAt.Sub(now.ConnectedAt) < time.Second {
				return fmt.Errorf("connectedAt %v, lastActiveAt %v", now.ConnectedAt, now.LastActiveAt)
			}
			return nil
		})

		// DeleteConnection on B closes it on C; $disconnect runs once.
		if res = manage(b, "delete-connection", "--connection-id", id); res.Code != 0 {
			t.Fatalf("delete-connection on B: %d %s", res.Code, res.Stderr)
		}
		if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Fatalf("after delete-connection on B the client on C read %v", err)
		}
		disc := waitEvent(t, log, "DISCONNECT", id)
		if rc := disc["requestContext"].(map[string]any); rc["disconnectStatusCode"] != float64(1000) ||
			rc["domainName"] != strings.TrimPrefix(c.HTTP, "http://") {
			t.Errorf("DISCONNECT after delete-connection: %v", rc)
		}
		for _, dp := range nodes {
			if res := post(dp, id, "late"); res.Code != 254 || !strings.Contains(res.Stderr, "GoneException") {
				t.Errorf("post-to-connection after the delete, on %s: %d %s", dp.HTTP, res.Code, res.Stderr)
			}
		}
		// A connection opened and closed after it: once its $disconnect
		// is logged, the first connection's would have been too.
		ws2, id2 := connect(b, "e2e-cluster/2")
		ws2.Close(websocket.StatusNormalClosure, "")
		waitEvent(t, log, "DISCONNECT", id2)
		n := 0
		for _, ev := range wsEvents(t, log) {
			if rc := ev["requestContext"].(map[string]any); rc["eventType"] == "DISCONNECT" && rc["connectionId"] == id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("$disconnect ran %d times for the deleted connection, want once", n)
		}
	})

	t.Run("Kill9MakesConnectionsGone", func(t *testing.T) {
		_, id := connect(a, "e2e-cluster/3")
		if res := manage(c, "get-connection", "--connection-id", id); res.Code != 0 {
			t.Fatalf("get-connection on C before the kill: %d %s", res.Code, res.Stderr)
		}
		a.Kill()
		killed := time.Now()
		// The first call after the kill answers once A's lease (5 s)
		// lapsed, within it on a loaded machine's clock.
		res := post(b, id, "anyone there?")
		took := time.Since(killed)
		t.Logf("post-to-connection on B answered %v after A was killed", took.Round(time.Millisecond))
		if res.Code != 254 || !strings.Contains(res.Stderr, "GoneException") {
			t.Fatalf("post-to-connection on B for a connection of the killed node: %d %s", res.Code, res.Stderr)
		}
		if took > 15*time.Second {
			t.Errorf("GoneException came %v after the kill, want within the 5 s lease (and slack)", took)
		}
		for _, args := range [][]string{{"get-connection"}, {"delete-connection"}} {
			if res := manage(c, append(args, "--connection-id", id)...); res.Code != 254 || !strings.Contains(res.Stderr, "GoneException") {
				t.Errorf("%s on C: %d %s", args[0], res.Code, res.Stderr)
			}
		}
	})
	checkGatewayLog(t, b.Gateway)
	checkGatewayLog(t, c.Gateway)
}

// waitWSStage waits until a WebSocket API's stage accepts connections on
// a's node.
func waitWSStage(t *testing.T, a *wsAPI) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ws, resp, err := a.dial(t, a.pathURL(), nil)
		if err == nil {
			ws.Close(websocket.StatusNormalClosure, "")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WebSocket API does not serve on %s: %v %v", a.dp.HTTP, resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
