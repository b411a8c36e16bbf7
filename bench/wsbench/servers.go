package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// server is a measured process: its WebSocket URL and pid.
type server struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// start runs a server pinned to CPU 1 (when there are two).
func start(name string, env []string, args ...string) (*server, error) {
	if tsk, err := exec.LookPath("taskset"); err == nil && os.Getenv("WSBENCH_PINNED") != "" {
		args = append([]string{tsk, "-c", "1"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	s := &server{name: name, cmd: cmd, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	return s, cmd.Start()
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// rss is a process's resident memory in bytes.
func rss(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is a process's user and system CPU time (clock ticks of 10 ms,
// Linux's USER_HZ).
func cpuTime(pid int) time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		f := strings.Fields(s[i+1:])
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			k, _ := strconv.ParseInt(f[12], 10, 64)
			return time.Duration(u+k) * 10 * time.Millisecond
		}
	}
	return 0
}

func startEcho(dir string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s, err := start("bare-echo", nil, filepath.Join(dir, "wsecho"), "--addr", addr)
	if err != nil {
		return nil, err
	}
	s.url = "ws://" + addr + "/"
	return s, waitListening(addr)
}

func waitListening(addr string) error {
	for i := 0; i < 300; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s: not listening", addr)
}

// Credentials of the management API and of the IAM user that posts to
// connections.
const (
	mgmtKey, mgmtSecret = "AKIAWSBENCHMGMT00001", "wsbench-management-secret"
	opsKey, opsSecret   = "AKIAWSBENCHOPS000001", "wsbench-ops-secret"
)

// tollgate is the Tollgate process with its benchmark API: a two-way
// MOCK $default route answering a 100-byte message.
type tollgate struct {
	*server
	admin, data, apiID string
}

// reply is the two-way route's answer: 100 bytes, like bench's bodies.
var reply = strings.Repeat("x", 100)

func startTollgate(ctx context.Context, dir string, pprof bool) (*tollgate, error) {
	admin, err := freeAddr()
	if err != nil {
		return nil, err
	}
	data, err := freeAddr()
	if err != nil {
		return nil, err
	}
	tlsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "tollgate.yaml")
	yaml := `iam-users:
  - name: ops
    access-key-id: ` + opsKey + `
    secret-access-key: ` + opsSecret + `
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]}'
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	args := []string{filepath.Join(dir, "tollgate"), "serve", "--data-dir", filepath.Join(dir, "data"), "--config", cfg,
		"--admin-addr", admin, "--http-addr", data, "--https-addr", tlsAddr}
	if pprof {
		args = append(args, "--pprof")
	}
	s, err := start("tollgate", []string{"TOLLGATE_ACCESS_KEY_ID=" + mgmtKey, "TOLLGATE_SECRET_ACCESS_KEY=" + mgmtSecret}, args...)
	if err != nil {
		return nil, err
	}
	t := &tollgate{server: s, admin: "http://" + admin, data: data}
	if err := waitListening(admin); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\n%s", err, s.log)
	}
	if err := t.setup(ctx); err != nil {
		s.stop()
		return nil, fmt.Errorf("setting up the API: %w\n%s", err, s.log)
	}
	t.url = "ws://" + data + "/_aws/execute-api/" + t.apiID + "/bench"
	return t, nil
}

// setup raises the account throttle (messages take tokens from it) and
// creates the API through the management API.
func (t *tollgate) setup(ctx context.Context) error {
	if err := t.call(ctx, "PATCH", "/account", map[string]any{"patchOperations": []map[string]string{
		{"op": "replace", "path": "/throttleSettings/rateLimit", "value": "1000000"},
		{"op": "replace", "path": "/throttleSettings/burstLimit", "value": "1000000"},
	}}, nil); err != nil {
		return err
	}
	var api struct{ ApiID string }
	if err := t.call(ctx, "POST", "/v2/apis", map[string]any{"name": "wsbench", "protocolType": "WEBSOCKET",
		"routeSelectionExpression": "$request.body.action"}, &api); err != nil {
		return err
	}
	t.apiID = api.ApiID
	base := "/v2/apis/" + api.ApiID
	var integ struct{ IntegrationID string }
	if err := t.call(ctx, "POST", base+"/integrations", map[string]any{"integrationType": "MOCK",
		"requestTemplates": map[string]string{"$default": `{"statusCode": 200}`}, "templateSelectionExpression": `\$default`}, &integ); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/integrations/"+integ.IntegrationID+"/integrationresponses", map[string]any{
		"integrationResponseKey": "$default", "responseTemplates": map[string]string{"$default": reply}}, nil); err != nil {
		return err
	}
	var route struct{ RouteID string }
	if err := t.call(ctx, "POST", base+"/routes", map[string]any{"routeKey": "$default", "target": "integrations/" + integ.IntegrationID,
		"routeResponseSelectionExpression": "$default"}, &route); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/routes/"+route.RouteID+"/routeresponses", map[string]any{"routeResponseKey": "$default"}, nil); err != nil {
		return err
	}
	// "whoami" answers the connection's id (for the broadcast).
	var who struct{ IntegrationID string }
	if err := t.call(ctx, "POST", base+"/integrations", map[string]any{"integrationType": "MOCK",
		"requestTemplates": map[string]string{"$default": `{"statusCode": 200}`}, "templateSelectionExpression": `\$default`}, &who); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/integrations/"+who.IntegrationID+"/integrationresponses", map[string]any{
		"integrationResponseKey": "$default", "responseTemplates": map[string]string{"$default": "$context.connectionId"}}, nil); err != nil {
		return err
	}
	var whoRoute struct{ RouteID string }
	if err := t.call(ctx, "POST", base+"/routes", map[string]any{"routeKey": "whoami", "target": "integrations/" + who.IntegrationID,
		"routeResponseSelectionExpression": "$default"}, &whoRoute); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/routes/"+whoRoute.RouteID+"/routeresponses", map[string]any{"routeResponseKey": "$default"}, nil); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/stages", map[string]any{"stageName": "bench"}, nil); err != nil {
		return err
	}
	if err := t.call(ctx, "POST", base+"/deployments", map[string]any{"stageName": "bench"}, nil); err != nil {
		return err
	}
	time.Sleep(200 * time.Millisecond) // the stage goes live
	return nil
}

// call makes a signed management call.
func (t *tollgate) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	status, b, err := signed(ctx, method, t.admin+path, body, "apigateway", mgmtKey, mgmtSecret)
	if err != nil {
		return err
	}
	if status >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// signed sends a SigV4-signed request.
func signed(ctx context.Context, method, url string, body []byte, service, key, secret string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
