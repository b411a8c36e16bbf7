package wsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/coder/websocket"

	"github.com/tollgate/tollgate/internal/gateway/wsapi"
)

// manage calls the @connections API at endpoint, signed (SigV4,
// execute-api) with key unless key is "".
func manage(t *testing.T, method, endpoint, connID, body, key, secret string) (int, http.Header, string) {
	t.Helper()
	u := endpoint + "/@connections/" + url.PathEscape(connID)
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		sum := sha256.Sum256([]byte(body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "execute-api", region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestConnectionsAPI: PostToConnection, GetConnection and
// DeleteConnection at the stage's endpoint in both address forms, and on
// the bare host a function's event names; GoneException,
// PayloadTooLargeException and ForbiddenException [M][D].
func TestConnectionsAPI(t *testing.T) {
	fl := newFakeLambda()
	g := startGateway(t, fl, wsapi.HubConfig{})
	g.deploy(t, snapshot(map[string]string{"$connect": "connect", "$disconnect": "disconnect", "$default": "default"},
		lambdaIntegration("connect"), lambdaIntegration("disconnect"), lambdaIntegration("default")), nil)
	c, _, err := g.dial(t, g.url(), &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"chat-client/2"}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := fl.next(t, "connect")
	id := get(ev, "requestContext.connectionId").(string)
	pathStyle := "http://" + g.addr + "/_aws/execute-api/" + apiID + "/" + stageName
	// What a function builds from its event: https://{domainName}/{stage}.
	fromEvent := "http://" + get(ev, "requestContext.domainName").(string) + "/" + get(ev, "requestContext.stage").(string)

	for _, endpoint := range []string{pathStyle, fromEvent} {
		status, _, body := manage(t, "POST", endpoint, id, `{"hello":"world"}`, testKeyID, testSecret)
		if status != 200 || body != "" {
			t.Fatalf("POST at %s: %d %s", endpoint, status, body)
		}
		if got := read(t, c); got != `{"hello":"world"}` {
			t.Fatalf("the client got %q", got)
		}
	}
	// lastActiveAt and connectedAt have millisecond precision: the message
	// comes in a later millisecond than the connection, so that the check
	// below sees lastActiveAt move (on a fast machine the two could share
	// one).
	time.Sleep(2 * time.Millisecond)
	write(t, c, "ping")
	fl.next(t, "default")
	status, _, body := manage(t, "GET", pathStyle, id, "", testKeyID, testSecret)
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIP, UserAgent string }
	}
	if status != 200 || json.Unmarshal([]byte(body), &info) != nil || info.Identity.SourceIP != "127.0.0.1" ||
		info.Identity.UserAgent != "chat-client/2" || len(info.ConnectedAt) != 24 || info.LastActiveAt <= info.ConnectedAt {
		t.Fatalf("GET: %d %s", status, body)
	}

	// Errors.
	status, hdr, _ := manage(t, "POST", pathStyle, "R1kmxc2VNjMCFIA=", "x", testKeyID, testSecret)
	if status != 410 || hdr.Get("x-amzn-ErrorType") != "GoneException" {
		t.Errorf("POST to an unknown connection: %d %s", status, hdr.Get("x-amzn-ErrorType"))
	}
	status, hdr, _ = manage(t, "POST", fromEvent, "R1kmxc2VNjMCFIA=", "x", testKeyID, testSecret)
	if status != 410 || hdr.Get("x-amzn-ErrorType") != "GoneException" {
		t.Errorf("POST to an unknown connection on the bare host: %d %s", status, hdr.Get("x-amzn-ErrorType"))
	}
	if status, hdr, _ = manage(t, "POST", fromEvent, "R1kmxc2VNjMCFIA=", "x", "", ""); status != 403 {
		t.Errorf("unsigned POST to an unknown connection on the bare host: %d %s", status, hdr.Get("x-amzn-ErrorType"))
	}
	status, hdr, _ = manage(t, "POST", pathStyle, id, strings.Repeat("a", 128<<10+1), testKeyID, testSecret)
	if status != 413 || hdr.Get("x-amzn-ErrorType") != "PayloadTooLargeException" {
		t.Errorf("POST of 128 KB + 1: %d %s", status, hdr.Get("x-amzn-ErrorType"))
	}
	for what, key := range map[string][2]string{"unsigned": {"", ""}, "wrong secret": {testKeyID, "nope"}, "unknown key": {"AKIDUNKNOWN000000000", testSecret}} {
		status, hdr, _ = manage(t, "POST", pathStyle, id, "x", key[0], key[1])
		if status != 403 || hdr.Get("x-amzn-ErrorType") != "ForbiddenException" {
			t.Errorf("%s: %d %s", what, status, hdr.Get("x-amzn-ErrorType"))
		}
	}
	otherStage := "http://" + g.addr + "/_aws/execute-api/" + apiID + "/dev"
	g.deploy(t, snapshot(map[string]string{"$default": "default"}, lambdaIntegration("default")), nil)
	if status, _, _ = manage(t, "GET", otherStage, id, "", testKeyID, testSecret); status != 403 {
		t.Errorf("an unknown stage: %d", status)
	}

	// DeleteConnection closes with 1000 and runs $disconnect.
	g.deploy(t, snapshot(map[string]string{"$disconnect": "disconnect", "$default": "default"},
		lambdaIntegration("disconnect"), lambdaIntegration("default")), nil)
	if status, _, body = manage(t, "DELETE", pathStyle, id, "", testKeyID, testSecret); status != 204 {
		t.Fatalf("DELETE: %d %s", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after DELETE the client read %v", err)
	}
	ev = fl.next(t, "disconnect")
	if get(ev, "requestContext.disconnectStatusCode") != float64(1000) || get(ev, "requestContext.disconnectReason") != "Connection Closed Normally" {
		t.Fatalf("DISCONNECT after DeleteConnection: %v", ev["requestContext"])
	}
	if status, hdr, _ = manage(t, "GET", pathStyle, id, "", testKeyID, testSecret); status != 410 {
		t.Fatalf("GET after DELETE: %d %s", status, hdr.Get("x-amzn-ErrorType"))
	}
	_ = bytes.MinRead
}
