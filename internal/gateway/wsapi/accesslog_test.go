package wsapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/modelv2"
)

// TestAccessLog: a stage's access log has a line per event of a
// connection — $connect, each message (with the error frame's status and
// message), $disconnect — with WebSocket APIs' $context variables [D].
func TestAccessLog(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	logs := &observe.LogSinks{}
	g.env.Logs = logs
	path := filepath.Join(t.TempDir(), "access.log")
	format := `{"requestId":"$context.requestId","connectionId":"$context.connectionId","eventType":"$context.eventType",` +
		`"routeKey":"$context.routeKey","status":"$context.status","messageId":"$context.messageId","ip":"$context.identity.sourceIp",` +
		`"ua":"$context.identity.userAgent","error":"$context.error.message","connectedAt":"$context.connectedAt","stage":"$context.stage"}`
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "join": "join"},
		lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("join")),
		&modelv2.Stage{StageName: stageName, AccessLogSettings: &modelv2.AccessLogSettings{DestinationArn: &path, Format: &format}})
	c, _, err := g.dial(t, g.url(), &websocket.DialOptions{HTTPHeader: map[string][]string{"User-Agent": {"log-test/1"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := get(fl.next(t, "connect"), "requestContext.connectionId").(string)
	write(t, c, `{"action":"join"}`)
	fl.next(t, "join")
	write(t, c, `{"action":"nope"}`)
	read(t, c)
	c.Close(websocket.StatusNormalClosure, "")
	fl.next(t, "disconnect")
	fl.on("connect", func(map[string]any) (any, string) { return map[string]any{"statusCode": 401}, "" })
	g.dial(t, g.url(), nil)
	fl.next(t, "connect")
	g.hub.Shutdown(t.Context())
	logs.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	want := []struct{ event, route, status, err string }{
		{"CONNECT", "$connect", "200", "-"},
		{"MESSAGE", "join", "200", "-"},
		{"MESSAGE", "-", "403", "Forbidden"},
		{"DISCONNECT", "$disconnect", "200", "-"},
		{"CONNECT", "$connect", "401", "-"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), b)
	}
	// A connection's messages are served side by side: their lines may
	// come in either order.
	if lines[1]["status"] != "200" {
		lines[1], lines[2] = lines[2], lines[1]
	}
	// The first connection's $disconnect line is written when its
	// integration returns, which may be after the second connection's
	// refused $connect.
	if lines[3]["eventType"] == "CONNECT" {
		lines[3], lines[4] = lines[4], lines[3]
	}
	for i, w := range want {
		l := lines[i]
		if l["eventType"] != w.event || l["routeKey"] != w.route || l["status"] != w.status || l["error"] != w.err || l["stage"] != "prod" {
			t.Errorf("line %d: %v, want %+v", i, l, w)
		}
		if i < 4 && (l["connectionId"] != id || l["ip"] != "127.0.0.1" || l["ua"] != "log-test/1" || !awsID.MatchString(l["requestId"])) {
			t.Errorf("line %d: %v", i, l)
		}
		if (w.event == "MESSAGE") != awsID.MatchString(l["messageId"]) {
			t.Errorf("line %d: messageId %q", i, l["messageId"])
		}
	}
}
