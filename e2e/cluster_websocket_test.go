package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/testsvc"
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
		return manage(dp, "post-to-connection", "--connection-id="+id, "--data", data, "--cli-binary-format", "raw-in-base64-out")
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
		res = manage(a, "get-connection", "--connection-id="+id)
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
			res := manage(a, "get-connection", "--connection-id="+id)
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
		if res = manage(b, "delete-connection", "--connection-id="+id); res.Code != 0 {
			t.Fatalf("delete-connection on B: %d %s", res.Code, res.Stderr)
		}
		closeCtx, closeCancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer closeCancel()
		if _, _, err := ws.Read(closeCtx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
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
		if res := manage(c, "get-connection", "--connection-id="+id); res.Code != 0 {
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
			if res := manage(c, append(args, "--connection-id="+id)...); res.Code != 254 || !strings.Contains(res.Stderr, "GoneException") {
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

// TestClusterWebSocketRedisOutage: while Redis is down, a node that fails
// closed answers @connections calls for another node's connection with
// 503, one that fails open with 410 GoneException, and the node holding
// the connection serves it (and accepts new ones); once Redis is back
// (restarted empty), each node records its connections again and calls
// reach them from every node, without a restart.
func TestClusterWebSocketRedisOutage(t *testing.T) {
	rd, err := testsvc.StartRedis() // its own server: this test stops it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rd.Stop)
	pg, _ := sharedServices(t)
	spec := clusterSpec{Store: newDatabase(t, pg), Redis: rd.URL(), Key: randomHex(t, 32),
		Extra: []string{"--redis-timeout", "2s", "--config", wsConfig(t)}}
	holder := spec.startNode(t, "--node-name", "holder")
	open := spec.startNode(t, "--node-name", "open")
	closed := spec.startNode(t, "--node-name", "closed", "--redis-fail-mode", "closed")
	// A MOCK $default route that answers with the caller's connection id.
	c := newCLI(t, holder.Gateway).v2()
	api := &wsAPI{dp: holder, cli: c, ID: c.obj("create-api", "--name", "whoami", "--protocol-type", "WEBSOCKET",
		"--route-selection-expression", "$request.body.action")["ApiId"].(string)}
	integ := c.obj("create-integration", "--api-id", api.ID, "--integration-type", "MOCK",
		"--request-templates", `{"$default":"{\"statusCode\": 200}"}`, "--template-selection-expression", `\$default`)["IntegrationId"].(string)
	c.obj("create-integration-response", "--api-id", api.ID, "--integration-id", integ, "--integration-response-key", "$default",
		"--response-templates", `{"$default":"$context.connectionId"}`)
	route := c.obj("create-route", "--api-id", api.ID, "--route-key", "$default", "--target", "integrations/"+integ,
		"--route-response-selection-expression", "$default")["RouteId"].(string)
	c.obj("create-route-response", "--api-id", api.ID, "--route-id", route, "--route-response-key", "$default")
	c.obj("create-stage", "--api-id", api.ID, "--stage-name", "prod")
	c.obj("create-deployment", "--api-id", api.ID, "--stage-name", "prod")
	nodes := []*dataPlane{holder, open, closed}
	for _, dp := range nodes {
		waitWSStage(t, &wsAPI{dp: dp, cli: c, ID: api.ID})
	}
	connect := func() (*websocket.Conn, string) {
		ws, _, err := api.dial(t, api.pathURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wsWrite(t, ws, "who am I?")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, id, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ws, string(id)
	}
	post := func(dp *dataPlane, id, data string) result {
		return dp.signedDo(t, "POST", dp.HTTP+"/_aws/execute-api/"+api.ID+"/prod/@connections/"+id, wsOpsKey, wsOpsSecret, data)
	}
	receive := func(ws *websocket.Conn, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, b, err := ws.Read(ctx); err != nil || string(b) != want {
			t.Fatalf("the client read %q, %v; want %q", b, err, want)
		}
	}
	before, id := connect()
	for _, dp := range nodes {
		if r := post(dp, id, "before"); r.Status != 200 {
			t.Fatalf("before the outage, POST on %s: %s", dp.HTTP, r)
		}
		receive(before, "before")
	}

	if err := rd.Halt(); err != nil {
		t.Fatal(err)
	}
	if r := post(closed, id, "x"); r.Status != 503 || r.Header.Get("x-amzn-ErrorType") != "ServiceUnavailableException" {
		t.Errorf("Redis down, POST on the node failing closed: %s, want 503", r)
	}
	if r := post(open, id, "x"); r.Status != 410 || r.Header.Get("x-amzn-ErrorType") != "GoneException" {
		t.Errorf("Redis down, POST on the node failing open: %s, want 410", r)
	}
	if r := post(holder, id, "during"); r.Status != 200 {
		t.Fatalf("Redis down, POST on the node holding the connection: %s", r)
	}
	receive(before, "during")
	during, id2 := connect() // accepted while Redis is down
	if r := post(holder, id2, "new"); r.Status != 200 {
		t.Fatalf("Redis down, POST to a connection opened meanwhile: %s", r)
	}
	receive(during, "new")

	if err := rd.Start(); err != nil { // empty: every record is gone
		t.Fatal(err)
	}
	for _, conn := range []struct {
		ws *websocket.Conn
		id string
	}{{before, id}, {during, id2}} {
		for _, dp := range []*dataPlane{open, closed} {
			eventually(t, "POST on "+dp.HTTP+" after Redis is back", func() error {
				if r := post(dp, conn.id, "after"); r.Status != 200 {
					return fmt.Errorf("%s", r)
				}
				return nil
			})
			receive(conn.ws, "after")
		}
	}
	for _, dp := range nodes {
		checkGatewayLog(t, dp.Gateway)
	}
}
