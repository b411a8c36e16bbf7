package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"
)

var wsIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)

// TestWebSocketAPI: a WebSocket API made with the AWS CLI v2, its routes
// going to an aws-lambda-go function (events.APIGatewayWebsocketProxyRequest)
// that calls its connections back through @connections at the endpoint
// its event gives, signed with aws-sdk-go-v2 and the keys of its
// execution role; clients over ws:// (path and host forms) and wss://;
// `aws apigatewaymanagementapi` against the stage's endpoint.
func TestWebSocketAPI(t *testing.T) {
	dp := startDataPlane(t, "", "--config", wsConfig(t))
	log := dp.createWSFunction(t, "wschat", false)
	a := dp.newWSAPI(t, "chat", "wschat", "$connect", "$disconnect", "$default", "echo", "info", "kick", "gone")

	t.Run("EchoThroughCallback", func(t *testing.T) {
		c, resp, err := a.dial(t, a.pathURL()+"?room=blue", &websocket.DialOptions{HTTPHeader: http.Header{"User-Agent": {"e2e-ws/1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 101 {
			t.Fatalf("handshake: %d", resp.Status)
		}
		wsWrite(t, c, `{"action":"echo","text":"hi"}`)
		ev := wsRead(t, c)["event"].(map[string]any)
		rc := ev["requestContext"].(map[string]any)
		id, _ := rc["connectionId"].(string)
		if !wsIDRE.MatchString(id) || rc["eventType"] != "MESSAGE" || rc["routeKey"] != "echo" || rc["stage"] != "prod" ||
			rc["apiId"] != a.ID || rc["domainName"] != strings.TrimPrefix(dp.HTTP, "http://") || ev["body"] != `{"action":"echo","text":"hi"}` {
			t.Fatalf("the function's event: %v", ev)
		}
		connect := waitEvent(t, log, "CONNECT", id)
		if q, _ := connect["queryStringParameters"].(map[string]any); q["room"] != "blue" {
			t.Errorf("CONNECT query: %v", connect["queryStringParameters"])
		}
		wsWrite(t, c, `{"action":"nothing-routes-this"}`)
		if m := wsRead(t, c); m["default"] != `{"action":"nothing-routes-this"}` {
			t.Errorf("$default: %v", m)
		}
		wsWrite(t, c, `{"action":"info"}`)
		info := wsRead(t, c)
		identity, _ := info["info"].(map[string]any)["identity"].(map[string]any)
		if info["status"] != float64(200) || identity["userAgent"] != "e2e-ws/1" || identity["sourceIp"] != "127.0.0.1" {
			t.Errorf("GetConnection from the function: %v", info)
		}
		wsWrite(t, c, `{"action":"gone"}`)
		if g := wsRead(t, c); g["goneStatus"] != float64(410) {
			t.Errorf("posting to a connection that does not exist: %v", g)
		}
		c.Close(websocket.StatusGoingAway, "bye")
		disc := waitEvent(t, log, "DISCONNECT", id)
		rc = disc["requestContext"].(map[string]any)
		if rc["disconnectStatusCode"] != float64(1001) || rc["disconnectReason"] != "bye" || rc["routeKey"] != "$disconnect" {
			t.Errorf("DISCONNECT: %v", rc)
		}
	})

	t.Run("HostFormAndTLS", func(t *testing.T) {
		host := a.ID + ".execute-api.localhost"
		c, _, err := a.dial(t, "ws"+strings.TrimPrefix(dp.HTTP, "http")+"/prod", &websocket.DialOptions{Host: host})
		if err != nil {
			t.Fatal(err)
		}
		// The function's callback goes to {apiId}.execute-api.localhost,
		// which Go's resolver does not resolve here: the function fails,
		// and the client gets the Internal server error frame.
		wsWrite(t, c, `{"action":"echo"}`)
		if m := wsRead(t, c); m["message"] != "Internal server error" {
			t.Errorf("a failing function: %v", m)
		}
		var rc map[string]any
		for _, ev := range wsEvents(t, log) {
			if r := ev["requestContext"].(map[string]any); r["routeKey"] == "echo" && strings.HasPrefix(r["domainName"].(string), host) {
				rc = r
			}
		}
		if rc == nil || rc["stage"] != "prod" {
			t.Errorf("host form: no echo event with domainName %s", host)
		}
		// wss:// on the HTTPS listener, with a function calling back over
		// https:// (trusting the gateway's CA, as a function on AWS trusts
		// AWS's).
		dp.createWSFunction(t, "wschattls", true)
		b := dp.newWSAPI(t, "chat-tls", "wschattls", "$default", "echo")
		pem, err := os.ReadFile(dp.CAPath)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		s, _, err := b.dial(t, "wss"+strings.TrimPrefix(dp.HTTPS, "https")+"/_aws/execute-api/"+b.ID+"/prod", &websocket.DialOptions{HTTPClient: client})
		if err != nil {
			t.Fatalf("wss://: %v", err)
		}
		wsWrite(t, s, `{"action":"echo"}`)
		rc = wsRead(t, s)["event"].(map[string]any)["requestContext"].(map[string]any)
		if rc["domainName"] != strings.TrimPrefix(dp.HTTPS, "https://") {
			t.Errorf("over wss://: domainName %v", rc["domainName"])
		}
	})

	t.Run("ConnectRefused", func(t *testing.T) {
		_, resp, err := a.dial(t, a.pathURL()+"?refuse=403", nil)
		if err == nil || resp == nil || resp.Status != 403 {
			t.Fatalf("a $connect answering 403: %v %v", resp, err)
		}
		c, _, err := a.dial(t, a.pathURL(), &websocket.DialOptions{Subprotocols: []string{"chat.v2", "chat.v1"}})
		if err != nil || c.Subprotocol() != "chat.v2" {
			t.Fatalf("subprotocol: %q %v", c.Subprotocol(), err)
		}
	})

	t.Run("ManagementCLI", func(t *testing.T) {
		c, _, err := a.dial(t, a.pathURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wsWrite(t, c, `{"action":"echo"}`)
		id := wsRead(t, c)["event"].(map[string]any)["requestContext"].(map[string]any)["connectionId"].(string)
		endpoint := dp.HTTP + "/_aws/execute-api/" + a.ID + "/prod"
		res := managementCLI(t, dp, endpoint, wsOpsKey, wsOpsSecret, "post-to-connection", "--connection-id="+id,
			"--data", "hello from the CLI", "--cli-binary-format", "raw-in-base64-out")
		if res.Code != 0 {
			t.Fatalf("post-to-connection: %d %s %s", res.Code, res.Stdout, res.Stderr)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, b, err := c.Read(ctx); err != nil || string(b) != "hello from the CLI" {
			t.Fatalf("the client read %q, %v", b, err)
		}
		res = managementCLI(t, dp, endpoint, wsOpsKey, wsOpsSecret, "get-connection", "--connection-id="+id)
		var info map[string]any
		if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &info) != nil || info["ConnectedAt"] == nil ||
			info["Identity"].(map[string]any)["SourceIp"] != "127.0.0.1" {
			t.Fatalf("get-connection: %d %s %s", res.Code, res.Stdout, res.Stderr)
		}
		res = managementCLI(t, dp, endpoint, "AKIANOBODYEXAMPLE001", "nobody-secret", "get-connection", "--connection-id="+id)
		if res.Code != 254 || !strings.Contains(res.Stderr, "ForbiddenException") {
			t.Fatalf("a user without ManageConnections: %d %s", res.Code, res.Stderr)
		}
		res = managementCLI(t, dp, endpoint, wsOpsKey, wsOpsSecret, "delete-connection", "--connection-id="+id)
		if res.Code != 0 {
			t.Fatalf("delete-connection: %d %s", res.Code, res.Stderr)
		}
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Fatalf("after delete-connection: %v", err)
		}
		disc := waitEvent(t, log, "DISCONNECT", id)
		if rc := disc["requestContext"].(map[string]any); rc["disconnectStatusCode"] != float64(1000) {
			t.Errorf("DISCONNECT after delete-connection: %v", rc)
		}
		res = managementCLI(t, dp, endpoint, wsOpsKey, wsOpsSecret, "post-to-connection", "--connection-id="+id,
			"--data", "late", "--cli-binary-format", "raw-in-base64-out")
		if res.Code != 254 || !strings.Contains(res.Stderr, "GoneException") {
			t.Fatalf("post-to-connection after delete: %d %s", res.Code, res.Stderr)
		}
		big := strings.Repeat("a", 128<<10+1)
		c2, _, err := a.dial(t, a.pathURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wsWrite(t, c2, `{"action":"echo"}`)
		id2 := wsRead(t, c2)["event"].(map[string]any)["requestContext"].(map[string]any)["connectionId"].(string)
		bigFile := filepath.Join(t.TempDir(), "big")
		if err := os.WriteFile(bigFile, []byte(big), 0o600); err != nil {
			t.Fatal(err)
		}
		res = managementCLI(t, dp, endpoint, wsOpsKey, wsOpsSecret, "post-to-connection", "--connection-id="+id2,
			"--data", "fileb://"+bigFile)
		if res.Code != 254 || !strings.Contains(res.Stderr, "PayloadTooLargeException") {
			t.Fatalf("posting 128 KB + 1: %d %s", res.Code, lastBytes(res.Stderr, 300))
		}
	})

	t.Run("TwoWayMock", func(t *testing.T) {
		// A two-way MOCK route made with the CLI's WebSocket commands:
		// route response, integration response, templates.
		c := a.cli
		integ := c.obj("create-integration", "--api-id", a.ID, "--integration-type", "MOCK",
			"--request-templates", `{"$default":"{\"statusCode\": 200}"}`, "--template-selection-expression", `\$default`)
		id := integ["IntegrationId"].(string)
		c.obj("create-integration-response", "--api-id", a.ID, "--integration-id", id, "--integration-response-key", "$default",
			"--response-templates", `{"$default":"{\"pong\":\"$context.routeKey\",\"id\":\"$context.connectionId\"}"}`)
		route := c.obj("create-route", "--api-id", a.ID, "--route-key", "ping", "--target", "integrations/"+id,
			"--route-response-selection-expression", "$default")
		c.obj("create-route-response", "--api-id", a.ID, "--route-id", route["RouteId"].(string), "--route-response-key", "$default")
		c.obj("create-deployment", "--api-id", a.ID, "--stage-name", "prod")
		deadline := time.Now().Add(5 * time.Second)
		for {
			ws, _, err := a.dial(t, a.pathURL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			wsWrite(t, ws, `{"action":"ping"}`)
			m := wsRead(t, ws)
			if m["pong"] == "ping" && wsIDRE.MatchString(m["id"].(string)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ping answered %v", m)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("APIKeyOnConnect", func(t *testing.T) {
		// $connect with apiKeyRequired: the x-api-key header must hold a key
		// of a usage plan bound to the stage (made with aws apigateway).
		c := a.cli
		b := &wsAPI{dp: dp, cli: c, ID: c.obj("create-api", "--name", "keyed", "--protocol-type", "WEBSOCKET",
			"--route-selection-expression", "$request.body.action")["ApiId"].(string)}
		integ := c.obj("create-integration", "--api-id", b.ID, "--integration-type", "AWS_PROXY", "--integration-uri", lambdaURI("wschat"))
		c.obj("create-route", "--api-id", b.ID, "--route-key", "$connect", "--api-key-required", "--target", "integrations/"+integ["IntegrationId"].(string))
		c.obj("create-stage", "--api-id", b.ID, "--stage-name", "prod")
		c.obj("create-deployment", "--api-id", b.ID, "--stage-name", "prod")
		v1 := newCLI(t, dp.Gateway)
		key := v1.obj("create-api-key", "--name", "ws-client", "--enabled")
		plan := v1.obj("create-usage-plan", "--name", "ws-plan", "--api-stages", "apiId="+b.ID+",stage=prod")
		v1.obj("create-usage-plan-key", "--usage-plan-id", plan["id"].(string), "--key-id", key["id"].(string), "--key-type", "API_KEY")
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, resp, err := b.dial(t, b.pathURL(), &websocket.DialOptions{HTTPHeader: http.Header{"x-api-key": {key["value"].(string)}}})
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("with the key: %v %v", resp, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for what, hdr := range map[string]http.Header{"no key": nil, "a wrong key": {"x-api-key": {"nope-nope-nope-nope-nope"}}} {
			if _, resp, _ := b.dial(t, b.pathURL(), &websocket.DialOptions{HTTPHeader: hdr}); resp == nil || resp.Status != 403 {
				t.Errorf("%s: %v", what, resp)
			}
		}
	})

	t.Run("Kick", func(t *testing.T) {
		c, _, err := a.dial(t, a.pathURL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wsWrite(t, c, `{"action":"kick"}`)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Fatalf("after the function deleted its connection: %v", err)
		}
	})
	checkGatewayLog(t, dp.Gateway)
}

// TestWebSocketNodeFunction: a Node.js function (nodejs20.x, created with
// the Lambda API, @aws-sdk/client-apigatewaymanagementapi bundled) calls
// its connection back over https:// with its execution role's
// credentials, trusting the gateway's CA through NODE_EXTRA_CA_CERTS.
func TestWebSocketNodeFunction(t *testing.T) {
	checkNodeModules(t, filepath.Join(repoRoot(), "e2e", "js"))
	dp := startDataPlane(t, "", "--config", wsConfig(t))
	zip := zipWithModules(t, filepath.Join(repoRoot(), "e2e", "testdata", "lambda-node-ws"), filepath.Join(repoRoot(), "e2e", "js", "node_modules"))
	dp.createManaged(t, "wsnode", "nodejs20.x", "index.handler", zip, func(in *lambdasdk.CreateFunctionInput) {
		in.Role = aws.String(wsRole)
		in.Timeout = aws.Int32(20)
		in.Environment = &lambdatypes.Environment{Variables: map[string]string{"NODE_EXTRA_CA_CERTS": dp.CAPath}}
	})
	a := dp.newWSAPI(t, "node-chat", "wsnode", "$default")
	pem, err := os.ReadFile(dp.CAPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c, _, err := a.dial(t, "wss"+strings.TrimPrefix(dp.HTTPS, "https")+"/_aws/execute-api/"+a.ID+"/prod", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	wsWrite(t, c, `{"action":"hello"}`)
	m := wsRead(t, c)
	if m["runtime"] != "AWS_Lambda_nodejs20.x" || m["routeKey"] != "$default" || m["body"] != `{"action":"hello"}` || m["sourceIp"] != "127.0.0.1" {
		t.Fatalf("the Node.js function's callback: %v", m)
	}
	checkGatewayLog(t, dp.Gateway)
}

// zipWithModules is a deployment package of dir's files and, under
// node_modules/, the packages in modules.
func zipWithModules(t *testing.T, dir, modules string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(root, prefix string) {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			w, err := zw.Create(prefix + filepath.ToSlash(rel))
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(dir, "")
	add(modules, "node_modules/")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
