package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Management credentials given to the Tollgate processes the harness starts.
const (
	benchAccessKey = "AKIABENCHMARK0000000"
	benchSecretKey = "bench/secret/key/not/for/production/use00"
	benchRegion    = "us-east-1"
)

// mgmtClient sends SigV4-signed management API calls.
type mgmtClient struct {
	endpoint string
	creds    aws.Credentials
	http     *http.Client
	signer   *v4.Signer
}

func newMgmtClient(endpoint string) *mgmtClient {
	return &mgmtClient{
		endpoint: endpoint,
		creds:    aws.Credentials{AccessKeyID: benchAccessKey, SecretAccessKey: benchSecretKey},
		http: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
			MaxIdleConnsPerHost: 64, DisableCompression: true,
		}},
		signer: v4.NewSigner(),
	}
}

// call sends one operation; a non-2xx answer is an error carrying AWS's
// message. out, when not nil, receives the JSON answer.
func (c *mgmtClient) call(ctx context.Context, method, path string, in, out any) error {
	var raw []byte
	if in != nil {
		var err error
		if raw, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(raw)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "apigateway", benchRegion, time.Now()); err != nil {
		return err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s: %.300s", method, path, res.StatusCode, res.Header.Get("x-amzn-ErrorType"), body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s: decoding answer: %w", method, path, err)
		}
	}
	return nil
}

// tollgateSpec describes one Tollgate target's API.
type tollgateSpec struct {
	name      string
	extra     int  // literal resources added beside {proxy+}
	pathStyle bool // /restapis/{id}/bench/_user_request_/… instead of the Host form
	lambda    bool // AWS_PROXY to a local function instead of HTTP_PROXY
	// lambdaRuntime is that function's: "" (aws-lambda-go, bench/lambdafn),
	// "node" or "python" (bench/lambdafn-node, bench/lambdafn-python).
	lambdaRuntime string
	// auth puts the route behind an authorizer: "token" (Lambda TOKEN,
	// cached) or "jwt" (COGNITO_USER_POOLS with a local issuer).
	auth string
	// mock answers from a MOCK integration whose request and response
	// mapping templates (VTL) build the backend's body.
	mock bool
	// apiKey requires an API key in a usage plan with a throttle (limits
	// high enough never to refuse), plus a stage method throttle.
	apiKey bool
	// cache defines {proxy+} GET (keyed by the proxy path) instead of ANY
	// and enables the stage cache with "*/*" caching, so that wrk's GETs
	// are cache hits.
	cache bool
	// httpAPI makes an HTTP API (apigatewayv2) instead of a REST API:
	// "proxy" ($default route → HTTP_PROXY) or "jwt" (a route behind a JWT
	// authorizer); see createHTTPAPI.
	httpAPI string
	// throttle sets a stage "*/*" method throttle high enough never to
	// refuse: every request takes a token from its method's bucket and
	// the account's.
	throttle bool
	// redis keeps the buckets in a Redis the harness starts (--redis).
	redis bool
	// bare turns the access log and the data plane's metrics off
	// (--no-data-plane-metrics): the proxy alone.
	bare bool
	// traced sets the stage's tracingEnabled and sends its spans to an
	// OTLP/HTTP sink the harness runs, sampling this share of the
	// requests ("1": every one; "": no tracing).
	traced string
	// waf protects the stage with a web ACL (waf.go): "ipset-rate",
	// "sqli" or "common".
	waf string
}

// benchFunction is the --function value of the benchmark's function in
// runtime ("" for the aws-lambda-go one, "node" or "python").
func benchFunction(e *env, runtime string) (string, error) {
	switch runtime {
	case "node":
		if e.bin.LambdaNode == "" {
			return "", fmt.Errorf("%s", e.bin.BuildErr["bench/lambdafn-node"])
		}
		return e.bin.LambdaNode + ",runtime=nodejs22.x,handler=index.handler", nil
	case "python":
		if e.bin.LambdaPython == "" {
			return "", fmt.Errorf("%s", e.bin.BuildErr["bench/lambdafn-python"])
		}
		return e.bin.LambdaPython + ",runtime=python3.12,handler=app.handler", nil
	}
	if e.bin.LambdaFn == "" {
		return "", fmt.Errorf("%s", e.bin.BuildErr["./bench/lambdafn"])
	}
	return e.bin.LambdaFn, nil
}

// accessLogFormat is the stage's access log format: JSON, with the usual
// $context variables.
const accessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency"}`

// setupTollgate starts a Tollgate process, configures the benchmark API
// through the management API and returns the instance to drive.
func setupTollgate(ctx context.Context, e *env, spec tollgateSpec) (*instance, error) {
	if e.bin.Tollgate == "" {
		return nil, fmt.Errorf("%s", e.bin.BuildErr["./cmd/tollgate"])
	}
	dir := filepath.Join(e.dir, spec.name)
	adminAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dataAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	tlsAddr, err := freeAddr() // unused, but two instances must not share the default :8443
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--data-dir", filepath.Join(dir, "data"),
		"--admin-addr", adminAddr, "--http-addr", dataAddr, "--https-addr", tlsAddr, "--region", benchRegion}
	if spec.lambda {
		fn, err := benchFunction(e, spec.lambdaRuntime)
		if err != nil {
			return nil, err
		}
		args = append(args, "--function", "bench="+fn)
	}
	var authHeader string
	switch spec.auth {
	case "token":
		if e.bin.AuthorizerFn == "" {
			return nil, fmt.Errorf("%s", e.bin.BuildErr["./bench/authorizerfn"])
		}
		args = append(args, "--function", "benchauth="+e.bin.AuthorizerFn)
		authHeader = "Authorization: bench-token"
	case "jwt":
		iss, err := startIssuer()
		if err != nil {
			return nil, err
		}
		args = append(args, "--cognito-issuer", benchPool+"="+iss.url)
		authHeader = "Authorization: " + iss.token
	}
	if spec.httpAPI == "jwt" {
		iss, err := startIssuer()
		if err != nil {
			return nil, err
		}
		authHeader = "Authorization: Bearer " + iss.token
	}
	if spec.bare {
		args = append(args, "--no-data-plane-metrics")
	}
	if e.cfg.profileDir != "" {
		args = append(args, "--pprof")
	}
	var sink *otlpSink
	if spec.traced != "" {
		if sink, err = startOTLPSink(); err != nil {
			return nil, err
		}
		args = append(args, "--otlp-endpoint", sink.url, "--trace-sampling", spec.traced)
	}
	var redisProc *proc
	if spec.redis {
		addr, rp, err := startRedis(ctx, e, spec.name+"-redis")
		if err != nil {
			return nil, err
		}
		redisProc = rp
		args = append(args, "--redis", "redis://"+addr)
	}
	p, err := e.start(spec.name, e.cfg.proxyCPU,
		append([]string{"TOLLGATE_ACCESS_KEY_ID=" + benchAccessKey, "TOLLGATE_SECRET_ACCESS_KEY=" + benchSecretKey}, e.cfg.tollgateEnv...),
		append([]string{e.bin.Tollgate}, args...)...)
	if err != nil {
		return nil, err
	}
	inst := &instance{procs: []*proc{p}}
	if e.cfg.profileDir != "" {
		inst.pprof = "http://" + adminAddr + "/debug/pprof/"
	}
	if redisProc != nil {
		inst.procs = append(inst.procs, redisProc)
	}
	if err := waitHealthy(ctx, p, "http://"+adminAddr+"/healthz", 30*time.Second); err != nil {
		return inst, err
	}
	inst.idleRSS = treeRSS(p.pid())

	c := newMgmtClient("http://" + adminAddr)
	// The account throttle (10,000 requests/s by default, as on AWS) would
	// cap what is measured: raise it.
	if err := c.call(ctx, "PATCH", "/account", map[string]any{"patchOperations": []map[string]string{
		{"op": "replace", "path": "/throttleSettings/rateLimit", "value": "1000000"},
		{"op": "replace", "path": "/throttleSettings/burstLimit", "value": "1000000"},
	}}, nil); err != nil {
		return inst, err
	}
	t0 := time.Now()
	create := createProxyAPI
	if spec.httpAPI != "" {
		create = createHTTPAPI
	}
	apiID, notes, err := create(ctx, c, e, spec, filepath.Join(dir, "access.log"))
	inst.notes = append(inst.notes, notes...)
	if err != nil {
		return inst, err
	}
	inst.notes = append(inst.notes, fmt.Sprintf("management setup took %v", time.Since(t0).Round(time.Millisecond)))
	switch {
	case spec.httpAPI != "":
		// The $default stage serves at the root.
		inst.url = fmt.Sprintf("http://%s/hello", dataAddr)
		inst.headers = []string{"Host: " + apiID + ".execute-api.localhost"}
	case spec.pathStyle:
		inst.url = fmt.Sprintf("http://%s/restapis/%s/bench/_user_request_/hello", dataAddr, apiID)
	default:
		inst.url = fmt.Sprintf("http://%s/bench/hello", dataAddr)
		inst.headers = []string{"Host: " + apiID + ".execute-api.localhost"}
	}
	if authHeader != "" {
		inst.headers = append(inst.headers, authHeader)
	}
	if spec.waf != "" {
		if err := protectStage(ctx, c, apiID, spec.waf); err != nil {
			return inst, err
		}
		inst.headers = append(inst.headers, "User-Agent: wrk")
	}
	if spec.apiKey {
		value, err := createKeyAndPlan(ctx, c, apiID)
		if err != nil {
			return inst, err
		}
		inst.headers = append(inst.headers, "x-api-key: "+value)
	}
	if !spec.bare {
		inst.accessLog = filepath.Join(dir, "access.log")
	}
	if sink != nil {
		inst.sink = sink
	}
	return inst, nil
}

// waitHealthy waits for a 200 from url (Tollgate's /healthz).
func waitHealthy(ctx context.Context, p *proc, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if code, _, err := probe(ctx, url, nil); err == nil && code == http.StatusOK {
			return nil
		}
		if ok, why := p.exited(); ok {
			return fmt.Errorf("%s", why)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not healthy after %v: %s", p.name, url, timeout, p.logTail(300))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// createProxyAPI creates the benchmark REST API: {proxy+} ANY → HTTP_PROXY
// to the backend, spec.extra literal resources, a deployment to stage
// "bench" and an access log on that stage.
func createProxyAPI(ctx context.Context, c *mgmtClient, e *env, spec tollgateSpec, accessLog string) (string, []string, error) {
	var notes []string
	var api struct{ ID string }
	if err := c.call(ctx, "POST", "/restapis", map[string]any{
		"name": "bench-" + spec.name, "endpointConfiguration": map[string]any{"types": []string{"REGIONAL"}},
	}, &api); err != nil {
		return "", nil, err
	}
	base := "/restapis/" + api.ID
	var list struct {
		Item []struct{ ID, Path string } `json:"item"`
	}
	if err := c.call(ctx, "GET", base+"/resources", nil, &list); err != nil {
		return "", nil, err
	}
	rootID := ""
	for _, r := range list.Item {
		if r.Path == "/" {
			rootID = r.ID
		}
	}
	if rootID == "" {
		return "", nil, fmt.Errorf("GetResources: no root resource in %+v", list.Item)
	}
	var proxy struct{ ID string }
	if err := c.call(ctx, "POST", base+"/resources/"+rootID, map[string]any{"pathPart": "{proxy+}"}, &proxy); err != nil {
		return "", nil, err
	}
	verb := "ANY"
	if spec.cache {
		verb = "GET" // "*/*" caching applies to GET methods
	}
	m := base + "/resources/" + proxy.ID + "/methods/" + verb
	method := map[string]any{
		"authorizationType": "NONE",
		"requestParameters": map[string]bool{"method.request.path.proxy": true},
	}
	if spec.auth != "" {
		authorizer := map[string]any{"name": "bench", "identitySource": "method.request.header.Authorization"}
		if spec.auth == "token" {
			authorizer["type"] = "TOKEN"
			authorizer["authorizerUri"] = "arn:aws:apigateway:" + benchRegion + ":lambda:path/2015-03-31/functions/arn:aws:lambda:" +
				benchRegion + ":000000000000:function:benchauth/invocations"
			authorizer["authorizerResultTtlInSeconds"] = 300
			method["authorizationType"] = "CUSTOM"
		} else {
			authorizer["type"] = "COGNITO_USER_POOLS"
			authorizer["providerARNs"] = []string{"arn:aws:cognito-idp:" + benchRegion + ":000000000000:userpool/" + benchPool}
			method["authorizationType"] = "COGNITO_USER_POOLS"
		}
		var out struct{ ID string }
		if err := c.call(ctx, "POST", base+"/authorizers", authorizer, &out); err != nil {
			return "", nil, err
		}
		method["authorizerId"] = out.ID
	}
	if spec.apiKey {
		method["apiKeyRequired"] = true
	}
	if err := c.call(ctx, "PUT", m, method, nil); err != nil {
		return "", nil, err
	}
	integration := map[string]any{
		"type": "HTTP_PROXY", "httpMethod": "ANY",
		"uri":               "http://" + e.backendAddr + "/{proxy}",
		"requestParameters": map[string]string{"integration.request.path.proxy": "method.request.path.proxy"},
	}
	if spec.cache {
		integration["cacheKeyParameters"] = []string{"method.request.path.proxy"}
	}
	if spec.lambda {
		integration = map[string]any{
			"type": "AWS_PROXY", "httpMethod": "POST",
			"uri": "arn:aws:apigateway:" + benchRegion + ":lambda:path/2015-03-31/functions/arn:aws:lambda:" +
				benchRegion + ":000000000000:function:bench/invocations",
		}
	}
	if spec.mock {
		integration = map[string]any{
			"type":             "MOCK",
			"requestTemplates": map[string]string{"application/json": mockRequestTemplate},
		}
	}
	if err := c.call(ctx, "PUT", m+"/integration", integration, nil); err != nil {
		return "", nil, err
	}
	if spec.mock {
		if err := c.call(ctx, "PUT", m+"/responses/200", map[string]any{}, nil); err != nil {
			return "", nil, err
		}
		if err := c.call(ctx, "PUT", m+"/integration/responses/200", map[string]any{
			"responseTemplates": map[string]string{"application/json": mockResponseTemplate},
		}, nil); err != nil {
			return "", nil, err
		}
	}
	if spec.extra > 0 {
		t0 := time.Now()
		phases, err := createExtraResources(ctx, c, base, rootID, spec.extra, e.cfg.setupWorkers)
		if err != nil {
			return "", nil, err
		}
		notes = append(notes, fmt.Sprintf("created %d extra resources, each with GET → MOCK, in %v with %d parallel clients (%s)",
			spec.extra, time.Since(t0).Round(time.Millisecond), e.cfg.setupWorkers, phases))
	}
	t0 := time.Now()
	if err := c.call(ctx, "POST", base+"/deployments", map[string]any{"stageName": "bench"}, nil); err != nil {
		return "", nil, err
	}
	notes = append(notes, fmt.Sprintf("CreateDeployment took %v", time.Since(t0).Round(time.Millisecond)))
	var ops []map[string]string
	if !spec.bare {
		ops = append(ops, map[string]string{"op": "replace", "path": "/accessLogSettings/destinationArn", "value": accessLog},
			map[string]string{"op": "replace", "path": "/accessLogSettings/format", "value": accessLogFormat})
	}
	if spec.traced != "" {
		ops = append(ops, map[string]string{"op": "replace", "path": "/tracingEnabled", "value": "true"})
	}
	if len(ops) > 0 {
		if err := c.call(ctx, "PATCH", base+"/stages/bench", map[string]any{"patchOperations": ops}, nil); err != nil {
			return "", nil, err
		}
	}
	if spec.cache {
		if err := c.call(ctx, "PATCH", base+"/stages/bench", map[string]any{"patchOperations": []map[string]string{
			{"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
			{"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
			{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "3600"},
			// A new method setting starts with AWS's default method
			// throttle (10,000 requests/s), which would cap what is
			// measured.
			{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1000000"},
			{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1000000"},
		}}, nil); err != nil {
			return "", nil, err
		}
		notes = append(notes, "stage cache 0.5 GB, */* caching with TTL 3600 s: every measured GET after the first is a hit")
	}
	if spec.throttle {
		if err := c.call(ctx, "PATCH", base+"/stages/bench", map[string]any{"patchOperations": []map[string]string{
			{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1000000"},
			{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1000000"},
		}}, nil); err != nil {
			return "", nil, err
		}
		where := "in memory"
		if spec.redis {
			where = "in Redis (one EVALSHA for both, auto-pipelined; leases of 125 tokens)"
		}
		notes = append(notes, "a */* method bucket and the account bucket per request, "+where)
	}
	return api.ID, notes, nil
}

// createExtraResources adds n literal resources that the benchmark never
// requests, so that routing has a realistic table to search: √n parents
// /pNNN under the root and the rest spread as /pNNN/rNNNN below them. Each
// gets a GET method with a MOCK integration, so that a compiler cannot
// drop them as unroutable. Resources are created first, then methods and
// integrations; every phase runs on `workers` parallel connections. It
// returns how long each phase took.
func createExtraResources(ctx context.Context, c *mgmtClient, base, rootID string, n, workers int) (string, error) {
	parents := 1
	for parents*parents < n {
		parents++
	}
	parents = min(parents, n)
	t0 := time.Now()
	parentIDs := make([]string, parents)
	err := parallel(ctx, parents, workers, func(ctx context.Context, i int) error {
		var res struct{ ID string }
		err := c.call(ctx, "POST", base+"/resources/"+rootID, map[string]any{"pathPart": fmt.Sprintf("p%03d", i)}, &res)
		parentIDs[i] = res.ID
		return err
	})
	if err != nil {
		return "", err
	}
	ids := make([]string, n)
	copy(ids, parentIDs)
	err = parallel(ctx, n-parents, workers, func(ctx context.Context, i int) error {
		var res struct{ ID string }
		err := c.call(ctx, "POST", base+"/resources/"+parentIDs[i%parents], map[string]any{"pathPart": fmt.Sprintf("r%04d", i)}, &res)
		ids[parents+i] = res.ID
		return err
	})
	if err != nil {
		return "", err
	}
	t1 := time.Now()
	err = parallel(ctx, n, workers, func(ctx context.Context, i int) error {
		m := base + "/resources/" + ids[i] + "/methods/GET"
		if err := c.call(ctx, "PUT", m, map[string]any{"authorizationType": "NONE"}, nil); err != nil {
			return err
		}
		return c.call(ctx, "PUT", m+"/integration", map[string]any{
			"type": "MOCK", "requestTemplates": map[string]string{"application/json": `{"statusCode": 200}`},
		}, nil)
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d CreateResource calls %v, %d PutMethod+PutIntegration pairs %v",
		n, t1.Sub(t0).Round(time.Millisecond), n, time.Since(t1).Round(time.Millisecond)), nil
}

// parallel calls f(ctx, i) for i in [0, n) on `workers` goroutines and
// returns the first error, after which no new call starts.
func parallel(ctx context.Context, n, workers int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// accessLogSummary describes a Tollgate access log after the runs: its
// size and first line, to show that logging was on.
func accessLogSummary(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "access log: " + err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "access log: " + err.Error()
	}
	line, _ := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
	return fmt.Sprintf("access log %s: %d bytes; first line: %s", path, st.Size(), strings.TrimSpace(line))
}

// createKeyAndPlan creates an enabled API key in a usage plan bound to the
// bench stage, with a plan throttle and a stage method throttle that never
// refuse at benchmark rates, and returns the key's value.
func createKeyAndPlan(ctx context.Context, c *mgmtClient, apiID string) (string, error) {
	var key struct{ ID, Value string }
	if err := c.call(ctx, "POST", "/apikeys", map[string]any{"name": "bench", "enabled": true}, &key); err != nil {
		return "", err
	}
	var plan struct{ ID string }
	if err := c.call(ctx, "POST", "/usageplans", map[string]any{
		"name":      "bench",
		"apiStages": []map[string]any{{"apiId": apiID, "stage": "bench"}},
		"throttle":  map[string]any{"rateLimit": 1000000, "burstLimit": 1000000},
	}, &plan); err != nil {
		return "", err
	}
	if err := c.call(ctx, "POST", "/usageplans/"+plan.ID+"/keys", map[string]any{"keyId": key.ID, "keyType": "API_KEY"}, nil); err != nil {
		return "", err
	}
	if err := c.call(ctx, "PATCH", "/restapis/"+apiID+"/stages/bench", map[string]any{"patchOperations": []map[string]string{
		{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1000000"},
		{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1000000"},
	}}, nil); err != nil {
		return "", err
	}
	// The key index follows the store asynchronously.
	time.Sleep(200 * time.Millisecond)
	return key.Value, nil
}

// The tollgate-mock target's templates: the request template reads the
// request through $input/$context/$util as a typical one does, and picks
// the status; the response template builds the backend's exact 100-byte
// body with #set, #foreach and string methods.
const (
	mockRequestTemplate = `#set($path = $input.params("proxy"))
#set($agent = $util.escapeJavaScript($input.params().header.get("User-Agent")))
{
  "statusCode": 200,
  "path": "$path",
  "agent": "$agent",
  "stage": "$context.stage",
  "requestId": "$context.requestId"
}`
	mockResponseTemplate = `#set($words = ["tollgate", "bench", "backend:"])
#foreach($w in $words)$w #end
fixed 100-byte response body#foreach($i in [1..45]).#{end}ok
`
)
