package e2e

// Harness for the WebSocket API tests (wsapi_*_test.go): APIs made with
// the AWS CLI v2 (`aws apigatewayv2`), the aws-lambda-go function wschat
// created through the Lambda API with an execution role whose keys an
// IAM user of the config file holds, Go clients (coder/websocket), the
// AWS CLI's apigatewaymanagementapi commands.

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"
)

// The IAM users of the WebSocket tests: wsfn stands for the functions'
// execution role; ops calls @connections from the AWS CLI; nobody may
// not manage connections.
const (
	wsRole      = "arn:aws:iam::000000000000:role/wschat"
	wsOpsKey    = "AKIAWSOPSEXAMPLE0001"
	wsOpsSecret = "ws-ops-secret"
)

// wsConfig writes the config file of the WebSocket tests.
func wsConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tollgate.yaml")
	cfg := `iam-users:
  - name: wsfn
    access-key-id: AKIAWSFNEXAMPLE00001
    secret-access-key: ws-fn-secret
    execution-roles: ["` + wsRole + `"]
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"arn:aws:execute-api:*:*:*/*/*/@connections/*"}]}'
  - name: ops
    access-key-id: ` + wsOpsKey + `
    secret-access-key: ` + wsOpsSecret + `
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}]}'
  - name: nobody
    access-key-id: AKIANOBODYEXAMPLE001
    secret-access-key: nobody-secret
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wsAPI is a WebSocket API on a gateway, managed through the AWS CLI.
type wsAPI struct {
	dp  *dataPlane
	cli *cliRunner
	ID  string
}

// newWSAPI creates a WebSocket API whose routes all go to the Lambda
// function fn, deployed to stage prod.
func (dp *dataPlane) newWSAPI(t *testing.T, name, fn string, routes ...string) *wsAPI {
	t.Helper()
	c := newCLI(t, dp.Gateway).v2()
	api := c.obj("create-api", "--name", name, "--protocol-type", "WEBSOCKET", "--route-selection-expression", "$request.body.action")
	a := &wsAPI{dp: dp, cli: c, ID: api["ApiId"].(string)}
	integ := c.obj("create-integration", "--api-id", a.ID, "--integration-type", "AWS_PROXY", "--integration-uri", lambdaURI(fn))
	for _, key := range routes {
		c.obj("create-route", "--api-id", a.ID, "--route-key", key, "--target", "integrations/"+integ["IntegrationId"].(string))
	}
	c.obj("create-stage", "--api-id", a.ID, "--stage-name", "prod")
	a.deploy(t)
	return a
}

// deploy deploys the API to stage prod and waits until it serves.
func (a *wsAPI) deploy(t *testing.T) {
	t.Helper()
	a.cli.obj("create-deployment", "--api-id", a.ID, "--stage-name", "prod")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, resp, err := a.dial(t, a.pathURL(), nil)
		if err == nil {
			c.Close(websocket.StatusNormalClosure, "")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WebSocket API does not serve: %v %v", resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pathURL is the stage's path-style ws:// URL; hostURL the host form.
func (a *wsAPI) pathURL() string {
	return "ws" + strings.TrimPrefix(a.dp.HTTP, "http") + "/_aws/execute-api/" + a.ID + "/prod"
}

func (a *wsAPI) dial(t *testing.T, u string, opts *websocket.DialOptions) (*websocket.Conn, *httpResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, opts)
	if c != nil {
		c.SetReadLimit(1 << 20)
		t.Cleanup(func() { c.CloseNow() })
	}
	var r *httpResponse
	if resp != nil {
		r = &httpResponse{Status: resp.StatusCode, Header: resp.Header}
	}
	return c, r, err
}

type httpResponse struct {
	Status int
	Header map[string][]string
}

// wsRead reads one text message and decodes it as JSON.
func wsRead(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("message %s: %v", b, err)
	}
	return m
}

func wsWrite(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// createWSFunction creates the wschat function with the execution role
// whose keys it runs with; its events are appended to the returned file.
// With tls, it calls back over https:// and trusts the gateway's CA.
func (dp *dataPlane) createWSFunction(t *testing.T, name string, tls bool) string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "events.jsonl")
	vars := map[string]string{"CALLBACK_SCHEME": "http", "EVENT_LOG": log}
	if tls {
		vars = map[string]string{"SSL_CERT_FILE": dp.CAPath, "EVENT_LOG": log}
	}
	dp.createFunction(t, name, "wschat", func(in *lambdasdk.CreateFunctionInput) {
		in.Code.ZipFile = functionZip(t, "wschat")
		in.Role = aws.String(wsRole)
		in.Timeout = aws.Int32(10)
		in.Environment = &lambdatypes.Environment{Variables: vars}
	})
	return log
}

// events reads the events the function logged.
func wsEvents(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// waitEvent waits for the function to log an event of eventType for
// connection id.
func waitEvent(t *testing.T, path, eventType, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, ev := range wsEvents(t, path) {
			rc, _ := ev["requestContext"].(map[string]any)
			if rc["eventType"] == eventType && rc["connectionId"] == id {
				return ev
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s event for %s in %s", eventType, id, path)
	return nil
}

// managementCLI runs `aws apigatewaymanagementapi args… --endpoint-url
// endpoint` as the IAM user key/secret.
func managementCLI(t *testing.T, dp *dataPlane, endpoint, key, secret string, args ...string) clientResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"apigatewaymanagementapi"}, args...)
	full = append(full, "--endpoint-url", endpoint, "--output", "json")
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[user]\naws_access_key_id = "+key+"\naws_secret_access_key = "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return runClient(ctx, dp.Gateway, dir, []string{"AWS_PROFILE=user", "AWS_SHARED_CREDENTIALS_FILE=" + creds}, awsCLIPath, full...)
}
