package wsapi_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

var (
	awsID   = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
	frameRE = regexp.MustCompile(`^\{"message": "([^"]+)", "connectionId":"([^"]+)", "requestId":"([^"]+)"\}$`)
	// badBodyRE is the Bad request body frame, as AWS's documentation
	// prints it.
	badBodyRE = regexp.MustCompile(`^\{"message" : "Bad request body", "connectionId": "[A-Za-z0-9_-]{15}=", "messageId": "[A-Za-z0-9_-]{15}="\}$`)
)

// TestConnectMessageDisconnect: the handshake waits for $connect; a
// message goes to the route its action names, else $default; closing
// runs $disconnect with the client's code; the events are the ones AWS
// sends (events.APIGatewayWebsocketProxyRequest).
func TestConnectMessageDisconnect(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{Node: "n1"})
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "$default": "default", "join": "join"},
		lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("default"), lambdaIntegration("join")), nil)

	c, resp, err := g.dial(t, g.url()+"?room=blue&room=green", &websocket.DialOptions{HTTPHeader: map[string][]string{"X-Team": {"core"}, "User-Agent": {"test-agent/1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("handshake answer %d %v", resp.StatusCode, resp.Header)
	}
	ev := fl.next(t, "connect")
	rc := ev["requestContext"].(map[string]any)
	connID := rc["connectionId"].(string)
	for k, want := range map[string]any{"routeKey": "$connect", "eventType": "CONNECT", "messageDirection": "IN",
		"stage": "prod", "apiId": apiID, "domainName": g.addr} {
		if rc[k] != want {
			t.Errorf("CONNECT requestContext.%s = %v, want %v", k, rc[k], want)
		}
	}
	if !awsID.MatchString(connID) || !awsID.MatchString(rc["requestId"].(string)) || rc["extendedRequestId"] != rc["requestId"] {
		t.Errorf("CONNECT ids: connectionId %v requestId %v extendedRequestId %v", connID, rc["requestId"], rc["extendedRequestId"])
	}
	if get(ev, "requestContext.identity.sourceIp") != "127.0.0.1" || get(ev, "requestContext.identity.userAgent") != "test-agent/1" {
		t.Errorf("CONNECT identity: %v", rc["identity"])
	}
	if get(ev, "headers.X-Team") != "core" || get(ev, "headers.X-Forwarded-Proto") != "http" ||
		get(ev, "queryStringParameters.room") != "green" || len(get(ev, "multiValueQueryStringParameters.room").([]any)) != 2 {
		t.Errorf("CONNECT headers/query: %v %v", ev["headers"], ev["multiValueQueryStringParameters"])
	}
	if _, ok := ev["body"]; ok || ev["isBase64Encoded"] != false {
		t.Errorf("CONNECT body %v isBase64Encoded %v", ev["body"], ev["isBase64Encoded"])
	}
	if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", rc["requestTime"].(string)); err != nil {
		t.Errorf("requestTime %v: %v", rc["requestTime"], err)
	}

	write(t, c, `{"action":"join","room":"blue"}`)
	ev = fl.next(t, "join")
	if get(ev, "requestContext.routeKey") != "join" || get(ev, "requestContext.eventType") != "MESSAGE" ||
		ev["body"] != `{"action":"join","room":"blue"}` || get(ev, "requestContext.connectionId") != connID ||
		!awsID.MatchString(get(ev, "requestContext.messageId").(string)) || ev["headers"] != nil {
		t.Errorf("MESSAGE event: %v", ev)
	}
	if get(ev, "requestContext.connectedAt") != rc["connectedAt"] {
		t.Errorf("connectedAt changed: %v, %v", get(ev, "requestContext.connectedAt"), rc["connectedAt"])
	}
	for _, msg := range []string{`{"action":"leave"}`, `not json`, `{"action":"$connect"}`, `{"action":{"a":1}}`} {
		write(t, c, msg)
		if ev := fl.next(t, "default"); get(ev, "requestContext.routeKey") != "$default" || ev["body"] != msg {
			t.Errorf("message %s: %v", msg, ev)
		}
	}
	// One-way: nothing came back.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, b, err := c.Read(ctx); err == nil {
		t.Fatalf("a one-way route answered %s", b)
	}

	c2 := g.mustDial(t)
	fl.next(t, "connect")
	c2.Close(websocket.StatusGoingAway, "")
	ev = fl.next(t, "disconnect")
	if get(ev, "requestContext.eventType") != "DISCONNECT" || get(ev, "requestContext.disconnectStatusCode") != float64(1001) ||
		get(ev, "requestContext.disconnectReason") != "" || get(ev, "headers.Host") != g.addr {
		t.Errorf("DISCONNECT event: %v", ev)
	}
}

// TestConnectRefused: a non-2xx statusCode from the $connect function
// refuses the upgrade with that status; a failing function with 500; no
// $connect route accepts.
func TestConnectRefused(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "$default": "default"},
		lambdaIntegration("connect"), lambdaIntegration("default")), nil)
	for _, tc := range []struct {
		answer any
		fnErr  string
		status int
	}{
		{map[string]any{"statusCode": 400, "body": "no"}, "", 400},
		{map[string]any{"statusCode": 403}, "", 403},
		{nil, "boom", 500},
		{map[string]any{"statusCode": 200}, "", 101},
		{nil, "", 101},
	} {
		fl.on("connect", func(map[string]any) (any, string) { return tc.answer, tc.fnErr })
		_, resp, err := g.dial(t, g.url(), nil)
		if resp == nil || resp.StatusCode != tc.status || (tc.status == 101) != (err == nil) {
			t.Errorf("$connect answering %v %q: %v, %v; want %d", tc.answer, tc.fnErr, resp, err, tc.status)
		}
	}
	g.deploy(t, snapshot(map[string]string{"$default": "default"}, lambdaIntegration("default")), nil)
	if _, _, err := g.dial(t, g.url(), nil); err != nil {
		t.Fatalf("no $connect route: %v", err)
	}
}

// TestSubprotocol: the $connect function chooses the subprotocol in its
// Sec-WebSocket-Protocol header, which the 101 carries [D].
func TestSubprotocol(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$connect": "connect"}, lambdaIntegration("connect")), nil)
	fl.on("connect", func(ev map[string]any) (any, string) {
		offered := ""
		for k, v := range ev["headers"].(map[string]any) {
			if strings.EqualFold(k, "Sec-WebSocket-Protocol") {
				offered = v.(string)
			}
		}
		return map[string]any{"statusCode": 200, "headers": map[string]string{"Sec-WebSocket-Protocol": strings.TrimSpace(strings.Split(offered, ",")[1])}}, ""
	})
	c, _, err := g.dial(t, g.url(), &websocket.DialOptions{Subprotocols: []string{"chat.v1", "chat.v2"}})
	if err != nil || c.Subprotocol() != "chat.v2" {
		t.Fatalf("subprotocol %q, %v", c.Subprotocol(), err)
	}
}

// TestErrorFrames: a message no route takes gets the Forbidden frame, a
// failing integration the Internal server error frame, spaced as AWS
// spaces them [C].
func TestErrorFrames(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "fail": "fail"},
		lambdaIntegration("connect"), lambdaIntegration("fail")), nil)
	fl.on("fail", func(map[string]any) (any, string) { return nil, "boom" })
	c := g.mustDial(t)
	connID := get(fl.next(t, "connect"), "requestContext.connectionId").(string)
	frame := frameRE
	for msg, want := range map[string]string{`{"action":"nope"}`: "Forbidden", `{"action":"fail"}`: "Internal server error"} {
		write(t, c, msg)
		got := read(t, c)
		m := frame.FindStringSubmatch(got)
		if m == nil || m[1] != want || m[2] != connID || !awsID.MatchString(m[3]) {
			t.Errorf("message %s: frame %s, want %q for %s", msg, got, want, connID)
		}
	}
}

// TestLimits: a binary frame closes with 1003, a frame over 32 KB with
// 1009; $disconnect reports the code.
func TestLimits(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$disconnect": "disconnect", "$default": "default"},
		lambdaIntegration("disconnect"), lambdaIntegration("default")), nil)
	for _, tc := range []struct {
		typ  websocket.MessageType
		size int
		code websocket.StatusCode
	}{
		{websocket.MessageBinary, 3, websocket.StatusUnsupportedData},
		{websocket.MessageText, 32<<10 + 1, websocket.StatusMessageTooBig},
	} {
		c := g.mustDial(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Write(ctx, tc.typ, []byte(strings.Repeat("a", tc.size)))
		_, _, err := c.Read(ctx)
		cancel()
		if websocket.CloseStatus(err) != tc.code {
			t.Errorf("%v message of %d bytes: %v, want close %d", tc.typ, tc.size, err, tc.code)
		}
		if ev := fl.next(t, "disconnect"); get(ev, "requestContext.disconnectStatusCode") != float64(tc.code) {
			t.Errorf("DISCONNECT after %d: %v", tc.code, ev["requestContext"])
		}
	}
	// 32 KB exactly is one frame, accepted.
	c := g.mustDial(t)
	write(t, c, strings.Repeat("a", 32<<10))
	if ev := fl.next(t, "default"); len(ev["body"].(string)) != 32<<10 {
		t.Fatal("a 32 KB message did not arrive whole")
	}
}

// TestRedeployKeepsConnections: a new deployment published on the stage
// leaves connections open, and their next messages use it.
func TestRedeployKeepsConnections(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$default": "v1"}, lambdaIntegration("v1")), nil)
	c := g.mustDial(t)
	write(t, c, "one")
	fl.next(t, "v1")
	g.deploy(t, snapshot(map[string]string{"$default": "v2"}, lambdaIntegration("v2")), nil)
	write(t, c, "two")
	if ev := fl.next(t, "v2"); ev["body"] != "two" {
		t.Fatalf("after the redeploy: %v", ev)
	}
	// Removing the stage closes its connections with 1001.
	g.door.Set(apiID, stageName, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("after the stage was deleted: %v", err)
	}
}

// TestIdleTimeout: a connection the client leaves idle is closed with
// 1001 Going away; $disconnect reports it.
func TestIdleTimeout(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{IdleTimeout: 300 * time.Millisecond})
	g.deploy(t, snapshot(map[string]string{"$disconnect": "disconnect"}, lambdaIntegration("disconnect")), nil)
	c := g.mustDial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "Going away" {
		t.Fatalf("idle connection: %v", err)
	}
	if ev := fl.next(t, "disconnect"); get(ev, "requestContext.disconnectStatusCode") != float64(1001) ||
		get(ev, "requestContext.disconnectReason") != "Going away" {
		t.Fatalf("DISCONNECT: %v", ev["requestContext"])
	}
}

// TestShutdownDrains: Shutdown lets a message being served finish, then
// closes with 1001 and runs $disconnect.
func TestShutdownDrains(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$disconnect": "disconnect", "$default": "slow"},
		lambdaIntegration("disconnect"), lambdaIntegration("slow")), nil)
	release := make(chan struct{})
	fl.on("slow", func(map[string]any) (any, string) { <-release; return map[string]any{"statusCode": 200}, "" })
	c := g.mustDial(t)
	idle := g.mustDial(t)
	write(t, c, "work")
	fl.next(t, "slow")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- g.hub.Shutdown(ctx)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := idle.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("an idle connection at shutdown: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a message was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("the busy connection at shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	fl.next(t, "disconnect")
	fl.next(t, "disconnect")
	if _, resp, _ := g.dial(t, g.url(), nil); resp == nil || resp.StatusCode != 503 {
		t.Fatalf("a handshake while draining: %v", resp)
	}
	_ = modelv2.ProtocolWebSocket
}
