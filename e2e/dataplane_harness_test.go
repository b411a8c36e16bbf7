package e2e

// Harness for the data-plane tests (dataplane_*_test.go): a gateway with
// its HTTP and HTTPS data-plane listeners, helpers that build REST APIs
// through the signed management API, and clients for the data plane.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// dataPlane is a running gateway with its data-plane addresses.
type dataPlane struct {
	*Gateway
	HTTP   string // http://127.0.0.1:port
	HTTPS  string // https://127.0.0.1:port
	CAPath string
	mgmt   *signedClient
	stdout *lockedBuffer
	// Client is a keep-alive client for the plain-HTTP listener.
	Client *http.Client
}

var (
	dataPlaneRE = regexp.MustCompile(`^\s+data plane\s+(https?://\S+)`)
	caRE        = regexp.MustCompile(`^\s+CA\s+(\S+)`)
)

// startDataPlane runs tollgate serve with both data-plane listeners on
// ephemeral ports (dataDir "" = a fresh temp dir) and returns once the
// banner has named them and /healthz answers. It mirrors startGateway but
// also keeps stdout, which carries the banner.
func startDataPlane(t *testing.T, dataDir string, extra ...string) *dataPlane {
	t.Helper()
	return startDataPlaneWith(t, dataDir, nil, extra...)
}

// startDataPlaneEnv is startDataPlane with extra environment variables for
// the gateway process.
func startDataPlaneEnv(t *testing.T, env []string, extra ...string) *dataPlane {
	t.Helper()
	return startDataPlaneWith(t, "", env, extra...)
}

func startDataPlaneWith(t *testing.T, dataDir string, env []string, extra ...string) *dataPlane {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"serve", "--data-dir", dataDir, "--admin-addr", "127.0.0.1:0",
		"--http-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(append(os.Environ(), "TOLLGATE_ACCESS_KEY_ID=", "TOLLGATE_SECRET_ACCESS_KEY="), env...)
	return startDataPlaneCmd(t, cmd, dataDir)
}

// startDataPlaneCmd starts cmd, a `tollgate serve` on dataDir with both
// data-plane listeners, as startDataPlane does.
func startDataPlaneCmd(t *testing.T, cmd *exec.Cmd, dataDir string) *dataPlane {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{t: t, cmd: cmd, DataDir: dataDir, CredFile: filepath.Join(dataDir, "credentials"), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = g.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.done <- cmd.Wait() }()
	dp := &dataPlane{Gateway: g, stdout: &lockedBuffer{}}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var once sync.Once
		var admin, plain, secure, ca string
		for sc.Scan() {
			line := sc.Text()
			_, _ = dp.stdout.Write([]byte(line + "\n"))
			if m := adminRE.FindStringSubmatch(line); m != nil {
				admin = m[1]
			}
			if m := dataPlaneRE.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(m[1], "https://") {
					secure = m[1]
				} else {
					plain = m[1]
				}
			}
			if m := caRE.FindStringSubmatch(line); m != nil {
				ca = m[1]
			}
			if admin != "" && plain != "" && secure != "" && ca != "" {
				once.Do(func() {
					g.Endpoint, dp.HTTP, dp.HTTPS, dp.CAPath = admin, plain, secure, ca
					close(ready)
				})
			}
		}
	}()
	select {
	case <-ready:
	case err := <-g.done:
		t.Fatalf("tollgate exited: %v\n%s\n%s", err, dp.stdout.String(), g.stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("tollgate did not print its data-plane addresses\n%s\n%s", dp.stdout.String(), g.stderr.String())
	}
	t.Cleanup(func() { g.Stop() })
	g.waitHealthy()
	dp.mgmt = g.client(t)
	dp.Client = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			DisableCompression:  true,
		},
	}
	t.Cleanup(dp.Client.CloseIdleConnections)
	return dp
}

// Stdout returns what the gateway printed on stdout.
func (dp *dataPlane) Stdout() string { return dp.stdout.String() }

// tlsClient returns a client trusting the gateway's generated CA.
func (dp *dataPlane) tlsClient(t *testing.T, cfg *tls.Config) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(dp.CAPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", dp.CAPath)
	}
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.RootCAs = pool
	tr := &http.Transport{TLSClientConfig: cfg, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// ---- management helpers ----------------------------------------------------

// call sends a signed management request and fails the test unless it
// succeeds; the decoded JSON answer is returned.
func (dp *dataPlane) call(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, out, err := dp.mgmt.do(ctx, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, status, out)
	}
	m := map[string]any{}
	if len(out) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, out)
		}
	}
	return m
}

// restAPI is a REST API under construction.
type restAPI struct {
	dp        *dataPlane
	ID        string
	resources map[string]string // path → id
}

// newAPI creates a REST API.
func (dp *dataPlane) newAPI(t testing.TB, name string) *restAPI {
	t.Helper()
	out := dp.call(t, "POST", "/restapis", map[string]any{"name": name})
	a := &restAPI{dp: dp, ID: out["id"].(string), resources: map[string]string{}}
	res := dp.call(t, "GET", "/restapis/"+a.ID+"/resources", nil)
	for _, it := range res["item"].([]any) {
		r := it.(map[string]any)
		a.resources[r["path"].(string)] = r["id"].(string)
	}
	if a.resources["/"] == "" {
		t.Fatalf("API %s has no root resource: %v", a.ID, res)
	}
	return a
}

// resource returns the id of path, creating missing resources.
func (a *restAPI) resource(t testing.TB, path string) string {
	t.Helper()
	if id, ok := a.resources[path]; ok {
		return id
	}
	i := strings.LastIndexByte(path, '/')
	parentPath := path[:i]
	if parentPath == "" {
		parentPath = "/"
	}
	parent := a.resource(t, parentPath)
	out := a.dp.call(t, "POST", "/restapis/"+a.ID+"/resources/"+parent, map[string]any{"pathPart": path[i+1:]})
	a.resources[path] = out["id"].(string)
	return a.resources[path]
}

func (a *restAPI) methodPath(t testing.TB, path, verb string) string {
	return "/restapis/" + a.ID + "/resources/" + a.resource(t, path) + "/methods/" + verb
}

// method puts a method (authorizationType NONE unless given in extra).
func (a *restAPI) method(t testing.TB, path, verb string, extra map[string]any) {
	t.Helper()
	body := map[string]any{"authorizationType": "NONE"}
	for k, v := range extra {
		body[k] = v
	}
	a.dp.call(t, "PUT", a.methodPath(t, path, verb), body)
}

// integration puts a method's integration.
func (a *restAPI) integration(t testing.TB, path, verb string, body map[string]any) {
	t.Helper()
	a.dp.call(t, "PUT", a.methodPath(t, path, verb)+"/integration", body)
}

// methodResponse puts a method response.
func (a *restAPI) methodResponse(t testing.TB, path, verb, status string, body map[string]any) {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	a.dp.call(t, "PUT", a.methodPath(t, path, verb)+"/responses/"+status, body)
}

// integrationResponse puts an integration response.
func (a *restAPI) integrationResponse(t testing.TB, path, verb, status string, body map[string]any) {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	a.dp.call(t, "PUT", a.methodPath(t, path, verb)+"/integration/responses/"+status, body)
}

// mock defines verb on path as a MOCK answering 200 with the response
// template tpl (application/json).
func (a *restAPI) mock(t testing.TB, path, verb, tpl string) {
	t.Helper()
	a.mockWith(t, path, verb, nil, tpl)
}

// echoMock defines a MOCK whose body names the resource that answered:
// {"resource":"$context.resourcePath","method":"$context.httpMethod"}.
func (a *restAPI) echoMock(t testing.TB, path, verb string) {
	t.Helper()
	a.mock(t, path, verb, `{"resource":"$context.resourcePath","method":"$context.httpMethod"}`)
}

// proxy defines verb on path as an HTTP_PROXY to uri (method ANY).
func (a *restAPI) proxy(t testing.TB, path, verb, uri string, extra map[string]any) {
	t.Helper()
	a.method(t, path, verb, nil)
	body := map[string]any{"type": "HTTP_PROXY", "httpMethod": "ANY", "uri": uri}
	for k, v := range extra {
		body[k] = v
	}
	a.integration(t, path, verb, body)
}

// deploy creates a deployment into stage and returns its id.
func (a *restAPI) deploy(t testing.TB, stage string) string {
	t.Helper()
	out := a.dp.call(t, "POST", "/restapis/"+a.ID+"/deployments", map[string]any{"stageName": stage})
	return out["id"].(string)
}

// patchStage applies UpdateStage operations.
func (a *restAPI) patchStage(t testing.TB, stage string, ops ...map[string]any) {
	t.Helper()
	a.dp.call(t, "PATCH", "/restapis/"+a.ID+"/stages/"+stage, map[string]any{"patchOperations": ops})
}

func replaceOp(path, value string) map[string]any {
	return map[string]any{"op": "replace", "path": path, "value": value}
}

// ---- data-plane helpers ----------------------------------------------------

// url is the path-style invoke URL of path on stage over plain HTTP.
func (a *restAPI) url(stage, path string) string {
	return a.dp.HTTP + "/_aws/execute-api/" + a.ID + "/" + stage + path
}

// result is a data-plane answer.
type result struct {
	Status int
	Header http.Header
	Body   string
}

func (r result) String() string {
	return fmt.Sprintf("%d %q (ErrorType %q)", r.Status, r.Body, r.Header.Get("x-amzn-ErrorType"))
}

// send issues a request with the data-plane client.
func (dp *dataPlane) send(t testing.TB, method, u string, header http.Header, body io.Reader) (result, error) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			if strings.EqualFold(k, "Host") {
				req.Host = v
				continue
			}
			req.Header.Add(k, v)
		}
	}
	res, err := dp.Client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}, err
}

// get issues a request and fails the test on a transport error.
func (dp *dataPlane) do(t testing.TB, method, u string, header http.Header, body io.Reader) result {
	t.Helper()
	r, err := dp.send(t, method, u, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return r
}

// eventually retries fn until it returns nil or 5 s have passed
// (deployments go live asynchronously, within milliseconds).
func eventually(t testing.TB, what string, fn func() error) {
	t.Helper()
	eventuallyWithin(t, 5*time.Second, what, fn)
}

// eventuallyWithin retries fn until it returns nil or d has passed: for
// work that starts processes (a template's functions built and started),
// which a loaded machine can slow to many seconds.
func eventuallyWithin(t testing.TB, d time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for {
		if err = fn(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %v: %v", what, d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor polls GET u until the answer has status and body.
func (dp *dataPlane) waitFor(t testing.TB, u string, status int, body string) {
	t.Helper()
	eventually(t, "GET "+u, func() error {
		r, err := dp.send(t, "GET", u, nil, nil)
		if err != nil {
			return err
		}
		if r.Status != status || r.Body != body {
			return fmt.Errorf("got %s, want %d %q", r, status, body)
		}
		return nil
	})
}

// expect checks status and exact body.
func expect(t testing.TB, what string, r result, status int, body string) {
	t.Helper()
	if r.Status != status || r.Body != body {
		t.Errorf("%s: got %s, want %d %q", what, r, status, body)
	}
}

// expectJSON checks status and that the body decodes to want.
func expectJSON(t testing.TB, what string, r result, status int, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != status {
		t.Errorf("%s: got %s, want %d %v", what, r, status, want)
		return
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %s, want %v", what, r, want)
	}
}

// rawRequest sends raw bytes on a new connection to addr (host:port) and
// returns everything the server sent until it closed the connection or
// timeout passed.
func rawRequest(t testing.TB, addr, raw string, timeout time.Duration) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	return string(b)
}

// hostOf returns host:port of a URL.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	return p.Host
}

// metrics returns the gateway's apigateway_* metrics from the admin
// listener, by name with labels (`apigateway_Count{api="x",...}`).
func (dp *dataPlane) metrics(t testing.TB) map[string]float64 {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "apigateway_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, _ := strconv.ParseFloat(line[i+1:], 64)
		out[line[:i]] = v
	}
	return out
}

// metricLabels is the label set of a route's metrics.
func metricLabels(api, stage, method, resource string) string {
	return `{api="` + api + `",method="` + method + `",resource="` + resource + `",stage="` + stage + `"}`
}

// readAccessLog returns the lines of a JSON access log (none while the
// file does not exist).
func readAccessLog(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]string
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("access log line is not JSON: %v: %q", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}
