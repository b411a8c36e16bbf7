package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clusterLong is set (TOLLGATE_E2E_CLUSTER_LONG=1) for the long run of the
// cluster tests: longer load windows. The default run stays short.
func clusterLong() bool { return os.Getenv("TOLLGATE_E2E_CLUSTER_LONG") != "" }

// TestClusterThreeNodes runs three `tollgate serve` nodes on one
// PostgreSQL store and one Redis and spreads requests over them.
func TestClusterThreeNodes(t *testing.T) {
	spec := newClusterSpec(t)
	nodes := spec.startNodes(t, 3, functionFlag(t, "auth", "authorizer")...)
	t.Run("DeployLiveEverywhereWithin1s", func(t *testing.T) { testDeployPropagates(t, nodes) })
	t.Run("GlobalStageThrottle", func(t *testing.T) { testGlobalThrottle(t, nodes) })
	t.Run("QuotaExactAcrossNodes", func(t *testing.T) { testQuotaAcrossNodes(t, nodes) })
	t.Run("CreationOrderAcrossNodes", func(t *testing.T) { testCreationOrder(t, nodes) })
	t.Run("StageCacheShared", func(t *testing.T) { testStageCacheShared(t, nodes) })
	t.Run("LambdaFunctionOnEveryNode", func(t *testing.T) { testSharedFunction(t, nodes) })
	t.Run("AuthorizerCacheShared", func(t *testing.T) { testAuthorizerCacheShared(t, nodes) })
	t.Run("ClusterView", func(t *testing.T) { testClusterView(t, nodes) })
	t.Run("Kill9LosesNothingForOthers", func(t *testing.T) { testKillOneNode(t, nodes) })
}

// on returns api as seen through node dp.
func on(dp *dataPlane, api *restAPI) *restAPI { return &restAPI{dp: dp, ID: api.ID} }

// testDeployPropagates: a deployment made through A is served by B and C
// within a second of A's answer.
func testDeployPropagates(t *testing.T, nodes []*dataPlane) {
	a := nodes[0]
	api := a.newAPI(t, "propagation")
	api.mock(t, "/v", "GET", `{"v":"$stageVariables.v"}`)
	for round := 1; round <= 3; round++ {
		want := fmt.Sprintf(`{"v":"%d"}`, round)
		a.call(t, "POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "live", "variables": map[string]string{"v": fmt.Sprint(round)}})
		deployed := time.Now()
		var wg sync.WaitGroup
		for _, dp := range nodes[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := on(dp, api).url("live", "/v")
				for {
					r, err := dp.send(t, "GET", u, nil, nil)
					if err == nil && r.Status == 200 && r.Body == want {
						t.Logf("round %d: live on %s after %v", round, dp.HTTP, time.Since(deployed).Round(100*time.Microsecond))
						if d := time.Since(deployed); d > time.Second {
							t.Errorf("round %d: live on %s after %v, want within 1s", round, dp.HTTP, d)
						}
						return
					}
					if time.Since(deployed) > 10*time.Second {
						t.Errorf("round %d: %s still answers %v %v", round, dp.HTTP, r, err)
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
	}
}

// loadResult counts the answers of a load run.
type loadResult struct {
	byStatus map[int]int
	errs     []error
	first    time.Time // when the first request was sent
	last     time.Time // when the last request was sent
	// ok200 holds the bodies of the 200 answers.
	ok200 []string
}

// spread sends GET requests to urlOf(node) from perNode goroutines per
// node until stop is closed (or, when dur > 0, for dur), each goroutine
// with its own keep-alive client.
func spread(nodes []*dataPlane, perNode int, dur time.Duration, stop <-chan struct{}, urlOf func(*dataPlane) string, header http.Header) loadResult {
	var mu sync.Mutex
	res := loadResult{byStatus: map[int]int{}}
	var started atomic.Bool
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	for _, dp := range nodes {
		u := urlOf(dp)
		for range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
				defer tr.CloseIdleConnections()
				c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
				for {
					if dur > 0 && time.Now().After(end) {
						return
					}
					select {
					case <-stop:
						return
					default:
					}
					req, _ := http.NewRequest("GET", u, nil)
					for k, v := range header {
						req.Header[k] = v
					}
					sent := time.Now()
					if started.CompareAndSwap(false, true) {
						mu.Lock()
						res.first = sent
						mu.Unlock()
					}
					r, err := c.Do(req)
					var body []byte
					if err == nil {
						body, _ = io.ReadAll(r.Body)
						r.Body.Close()
					}
					mu.Lock()
					if sent.After(res.last) {
						res.last = sent
					}
					if err != nil {
						res.errs = append(res.errs, fmt.Errorf("%s: %w", u, err))
					} else {
						res.byStatus[r.StatusCode]++
						if r.StatusCode == http.StatusOK {
							res.ok200 = append(res.ok200, string(body))
						}
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	return res
}

// testGlobalThrottle: a stage limit of rate 50, burst 50 admits 50 + 50·t
// requests (±5%) while the three nodes, together, are asked for far more:
// one bucket in Redis, not one per node.
func testGlobalThrottle(t *testing.T, nodes []*dataPlane) {
	a := nodes[0]
	api := a.newAPI(t, "global-throttle")
	api.mock(t, "/probe", "GET", `{"v":"$stageVariables.v"}`)
	api.mock(t, "/load", "GET", `{"t":$context.requestTimeEpoch}`)
	a.call(t, "POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "prod", "variables": map[string]string{"v": "1"}})
	api.patchStage(t, "prod", replaceOp("/*/*/throttling/rateLimit", "50"), replaceOp("/*/*/throttling/burstLimit", "50"),
		replaceOp("/variables/v", "2"))
	// Each method has its own bucket: /probe shows the throttled version
	// is live everywhere without spending /load's tokens.
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, api).url("prod", "/probe"), 200, `{"v":"2"}`)
	}
	dur := 2 * time.Second
	if clusterLong() {
		dur = 10 * time.Second
	}
	res := spread(nodes, 3, dur, nil, func(dp *dataPlane) string { return on(dp, api).url("prod", "/load") }, nil)
	if len(res.errs) > 0 {
		t.Fatalf("%d transport errors, first: %v", len(res.errs), res.errs[0])
	}
	// The window is the gateways' own: from the first admitted request's
	// start to the last one's ($context.requestTimeEpoch, ms), so that
	// queueing on a loaded machine does not stretch it. The load keeps
	// the bucket empty, so the last admission is at the end.
	var firstMs, lastMs int64
	for i, b := range res.ok200 {
		var v struct{ T int64 }
		if err := json.Unmarshal([]byte(b), &v); err != nil || v.T == 0 {
			t.Fatalf("admitted answer %q", b)
		}
		if i == 0 || v.T < firstMs {
			firstMs = v.T
		}
		lastMs = max(lastMs, v.T)
	}
	window := float64(lastMs-firstMs) / 1000
	want := 50 + 50*window
	got := res.byStatus[200]
	total := got + res.byStatus[429]
	t.Logf("%d requests over %.3fs (gateways' window %.3fs) across 3 nodes: %d admitted, want %.1f (50 + 50×t); statuses %v",
		total, res.last.Sub(res.first).Seconds(), window, got, want, res.byStatus)
	if len(res.byStatus) > 2 || res.byStatus[429] == 0 {
		t.Errorf("statuses %v: want only 200 and 429, some 429", res.byStatus)
	}
	if math.Abs(float64(got)-want) > 0.05*want {
		t.Errorf("admitted %d, want %.1f ±5%%", got, want)
	}
	if float64(total) < 2*want {
		t.Errorf("only %d requests sent: the load did not exceed the limit enough to measure it", total)
	}
}

// testQuotaAcrossNodes: a usage plan quota of 5 a day admits exactly 5
// requests of a key spread over three nodes, and GetUsage answers the
// same on every node.
func testQuotaAcrossNodes(t *testing.T, nodes []*dataPlane) {
	a, b, c := nodes[0], nodes[1], nodes[2]
	api := a.newAPI(t, "cluster-quota")
	api.mockWith(t, "/q", "GET", map[string]any{"apiKeyRequired": true}, `{"ok":true}`)
	api.deploy(t, "prod")
	key, value := a.apiKey(t, "metered", true)
	probeKey, probeValue := b.apiKey(t, "probe", true)
	plan := c.call(t, "POST", "/usageplans", map[string]any{"name": "five-a-day",
		"apiStages": []map[string]any{{"apiId": api.ID, "stage": "prod"}},
		"quota":     map[string]any{"limit": 5, "period": "DAY"}})["id"].(string)
	c.call(t, "POST", "/usageplans/"+plan+"/keys", map[string]any{"keyId": key, "keyType": "API_KEY"})
	b.call(t, "POST", "/usageplans/"+plan+"/keys", map[string]any{"keyId": probeKey, "keyType": "API_KEY"})
	// The probe key joined last: a node that admits it knows the other.
	for _, dp := range nodes {
		u := on(dp, api).url("prod", "/q")
		eventually(t, "the probe key on "+dp.HTTP, func() error {
			if r := dp.do(t, "GET", u, withKey(probeValue), nil); r.Status != 200 {
				return fmt.Errorf("%s", r)
			}
			return nil
		})
	}
	var admitted, limited atomic.Int32
	var wg sync.WaitGroup
	for i := range 15 {
		dp := nodes[i%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := dp.do(t, "GET", on(dp, api).url("prod", "/q"), withKey(value), nil)
			switch {
			case r.Status == 200:
				admitted.Add(1)
			case r.Status == 429 && r.Body == `{"message":"Limit Exceeded"}`:
				limited.Add(1)
			default:
				t.Errorf("unexpected answer %s", r)
			}
		}()
	}
	wg.Wait()
	if admitted.Load() != 5 || limited.Load() != 10 {
		t.Errorf("a quota of 5 a day admitted %d and refused %d of 15 requests over three nodes", admitted.Load(), limited.Load())
	}
	today := time.Now().UTC().Format("2006-01-02")
	want := fmt.Sprintf("map[%s:[[3 2]] %s:[[5 0]]]", probeKey, key)
	if probeKey > key {
		want = fmt.Sprintf("map[%s:[[5 0]] %s:[[3 2]]]", key, probeKey)
	}
	for _, dp := range nodes {
		usage := dp.call(t, "GET", "/usageplans/"+plan+"/usage?startDate="+today+"&endDate="+today, nil)
		if got := fmt.Sprint(usage["values"]); got != want {
			t.Errorf("GetUsage on %s = %s, want %s", dp.Endpoint, got, want)
		}
	}
	// UpdateUsage through one node grants two more everywhere.
	b.call(t, "PATCH", "/usageplans/"+plan+"/keys/"+key+"/usage", map[string]any{"patchOperations": []map[string]any{
		{"op": "replace", "path": "/remaining", "value": "2"}}})
	got := 0
	for i := range 6 {
		dp := nodes[i%3]
		if r := dp.do(t, "GET", on(dp, api).url("prod", "/q"), withKey(value), nil); r.Status == 200 {
			got++
		}
	}
	if got != 2 {
		t.Errorf("after UpdateUsage remaining=2, %d requests were admitted across the nodes", got)
	}
}

// testCreationOrder: API keys created one after the other through
// different nodes list in creation order (newest first, as GetApiKeys
// lists them) on every node: their stamps come from the store's clock,
// not the nodes'.
func testCreationOrder(t *testing.T, nodes []*dataPlane) {
	var want []string
	for i := range 6 {
		id, _ := nodes[i%3].apiKey(t, fmt.Sprintf("order-%d", i), true)
		want = append([]string{id}, want...)
	}
	for _, dp := range nodes {
		var got []string
		for _, it := range dp.call(t, "GET", "/apikeys?limit=500", nil)["item"].([]any) {
			m := it.(map[string]any)
			if strings.HasPrefix(m["name"].(string), "order-") {
				got = append(got, m["id"].(string))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("GetApiKeys on %s lists %v, want creation order %v", dp.Endpoint, got, want)
		}
	}
}

// testStageCacheShared: an answer cached through one node is a hit on the
// others (the MOCK's body carries the request id of the call that
// produced it); Cache-Control: max-age=0 on one node refreshes it for all,
// and FlushStageCache through any node empties it for all.
func testStageCacheShared(t *testing.T, nodes []*dataPlane) {
	a, b, c := nodes[0], nodes[1], nodes[2]
	api := a.newAPI(t, "shared-cache")
	api.cachedMock(t, "/c", "GET", nil, nil)
	api.deploy(t, "prod")
	api.enableCache(t, "prod", 300, replaceOp("/*/*/caching/requireAuthorizationForCacheControl", "false"))
	cached := a.waitCached(t, api.url("prod", "/c"), nil)
	same := func(what string, want string) {
		t.Helper()
		for _, dp := range nodes {
			eventually(t, what+" on "+dp.HTTP, func() error {
				if r := dp.do(t, "GET", on(dp, api).url("prod", "/c"), nil, nil); r.Status != 200 || r.Body != want {
					return fmt.Errorf("%s, want the cached %s", r, want)
				}
				return nil
			})
		}
	}
	same("A's cached answer", cached)
	r := b.do(t, "GET", on(b, api).url("prod", "/c"), maxAge0(), nil)
	if r.Status != 200 || r.Body == cached {
		t.Fatalf("max-age=0 on B: %s, want a fresh answer", r)
	}
	same("B's refreshed answer", r.Body)
	c.call(t, "DELETE", "/restapis/"+api.ID+"/stages/prod/cache/data", nil)
	eventually(t, "the flush on A", func() error {
		if r2 := a.do(t, "GET", api.url("prod", "/c"), nil, nil); r2.Body == r.Body {
			return fmt.Errorf("A still answers the flushed entry %s", r2.Body)
		}
		return nil
	})
}

// testSharedFunction: a function created through A's Lambda API (an
// aws-lambda-go program in a zip) serves an AWS_PROXY integration on B and
// C, which fetch its package from the store.
func testSharedFunction(t *testing.T, nodes []*dataPlane) {
	a := nodes[0]
	a.createFunction(t, "shared-echo", "echo", nil)
	api := a.newAPI(t, "shared-function")
	api.lambdaProxy(t, "/{proxy+}", "ANY", "shared-echo", nil)
	api.deploy(t, "prod")
	for _, dp := range nodes[1:] {
		u := on(dp, api).url("prod", "/from/"+dp.Endpoint[len("http://"):])
		eventually(t, "the function on "+dp.HTTP, func() error {
			r := dp.do(t, "GET", u, nil, nil)
			if r.Status != 200 || !strings.Contains(r.Body, `"path":"/from/`) {
				return fmt.Errorf("%s", r)
			}
			return nil
		})
		if logs := dp.Logs(); !strings.Contains(logs, "function code fetched from the store") {
			t.Errorf("%s did not log fetching the code:\n%s", dp.Endpoint, logs)
		}
	}
}

// testAuthorizerCacheShared: a Lambda authorizer's result cached by one
// node is used by the others (the authorizer's context carries the
// invocation count of the function process that answered), and
// FlushStageAuthorizersCache through any node empties it for all.
func testAuthorizerCacheShared(t *testing.T, nodes []*dataPlane) {
	a := nodes[0]
	api := a.newAPI(t, "shared-authorizer")
	authID := api.authorizer(t, "tok", "TOKEN", "auth", map[string]any{
		"identitySource": "method.request.header.Authorization", "authorizerResultTtlInSeconds": 300})
	api.mockWith(t, "/me", "GET", map[string]any{"authorizationType": "CUSTOM", "authorizerId": authID},
		`{"principal":"$context.authorizer.principalId","n":"$context.authorizer.n"}`)
	api.deploy(t, "prod")
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, api).url("prod", "/me"), 401, `{"message":"Unauthorized"}`)
	}
	call := func(dp *dataPlane, token string) string {
		t.Helper()
		r := dp.do(t, "GET", on(dp, api).url("prod", "/me"), withToken(token), nil)
		if r.Status != 200 {
			t.Fatalf("%s with %q: %s", dp.HTTP, token, r)
		}
		return r.Body
	}
	// A's function process answers twice: n=1, then n=2.
	call(a, "allow")
	want := call(a, "allow-all")
	if want != `{"principal":"user-1","n":"2"}` {
		t.Fatalf("second call on A: %s", want)
	}
	for _, dp := range nodes[1:] {
		if got := call(dp, "allow-all"); got != want {
			t.Errorf("%s answered %s: its own authorizer ran instead of the shared cached result %s", dp.HTTP, got, want)
		}
	}
	nodes[2].call(t, "DELETE", "/restapis/"+api.ID+"/stages/prod/cache/authorizers", nil)
	b := nodes[1]
	eventually(t, "the flush on B", func() error {
		// B's own function process answers: its first invocation.
		if got := call(b, "allow-all"); got != `{"principal":"user-1","n":"1"}` {
			return fmt.Errorf("B answers %s", got)
		}
		return nil
	})
}

// testKillOneNode: while clients keep calling B and C, A is killed with
// SIGKILL; no request to B or C fails, and what A wrote before dying is
// served by both.
func testKillOneNode(t *testing.T, nodes []*dataPlane) {
	a, rest := nodes[0], nodes[1:]
	// The account throttle (10,000 requests/s) is one bucket for the
	// cluster: raise it above what the load below sends. The nodes apply
	// it before the API deployed after it.
	a.call(t, "PATCH", "/account", map[string]any{"patchOperations": []map[string]any{
		replaceOp("/throttleSettings/rateLimit", "1000000"), replaceOp("/throttleSettings/burstLimit", "1000000")}})
	api := a.newAPI(t, "survivor")
	api.mock(t, "/s", "GET", `{"ok":true}`)
	api.deploy(t, "prod")
	for _, dp := range rest {
		dp.waitFor(t, on(dp, api).url("prod", "/s"), 200, `{"ok":true}`)
	}
	stop := make(chan struct{})
	done := make(chan loadResult, 1)
	go func() {
		done <- spread(rest, 4, 0, stop, func(dp *dataPlane) string { return on(dp, api).url("prod", "/s") }, nil)
	}()
	time.Sleep(500 * time.Millisecond)
	a.Kill()
	killed := time.Now()
	hold := time.Second
	if clusterLong() {
		hold = 8 * time.Second
	}
	time.Sleep(hold)
	// The survivors still take management writes and serve them.
	api2 := rest[0].newAPI(t, "after-the-kill")
	api2.mock(t, "/n", "GET", `{"new":true}`)
	api2.deploy(t, "prod")
	rest[1].waitFor(t, on(rest[1], api2).url("prod", "/n"), 200, `{"new":true}`)
	close(stop)
	res := <-done
	t.Logf("while A died: %v over %v, %d errors (killed %v in)", res.byStatus, res.last.Sub(res.first).Round(time.Millisecond),
		len(res.errs), killed.Sub(res.first).Round(time.Millisecond))
	if len(res.errs) > 0 || len(res.byStatus) != 1 || res.byStatus[200] == 0 {
		t.Errorf("clients of B and C saw failures: %v, errors %v", res.byStatus, res.errs)
	}
	// The others list A as lost once its heartbeats stop.
	eventually(t, "node-a lost in /_tollgate/cluster", func() error {
		view := clusterNodes(t, rest[1])
		if got := viewStates(view); got != "node-a=lost node-b=up node-c=up" {
			return fmt.Errorf("states %s", got)
		}
		return nil
	})
}

// clusterView is /_tollgate/cluster's answer.
type clusterViewBody struct {
	Self     string `json:"self"`
	Registry string `json:"registry"`
	Nodes    []struct {
		ID              string            `json:"id"`
		Name            string            `json:"name"`
		State           string            `json:"state"`
		Ready           bool              `json:"ready"`
		StoreRevision   int64             `json:"storeRevision"`
		ServingRevision int64             `json:"servingRevision"`
		Lag             int64             `json:"lag"`
		Admin           string            `json:"adminAddress"`
		DataPlane       []string          `json:"dataPlane"`
		SinceHeartbeat  string            `json:"sinceHeartbeat"`
		CompileFailures map[string]string `json:"compileFailures"`
	} `json:"nodes"`
}

func clusterNodes(t *testing.T, dp *dataPlane) clusterViewBody {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/_tollgate/cluster")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v clusterViewBody
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != 200 {
		t.Fatalf("/_tollgate/cluster: %d %v", res.StatusCode, err)
	}
	return v
}

func viewStates(v clusterViewBody) string {
	var s []string
	for _, n := range v.Nodes {
		s = append(s, n.Name+"="+n.State)
	}
	return strings.Join(s, " ")
}

// testClusterView: every node lists the three nodes, up, ready, serving
// the store's revision, with their addresses, from the registry in Redis.
func testClusterView(t *testing.T, nodes []*dataPlane) {
	for _, dp := range nodes {
		eventually(t, "three nodes up in "+dp.Endpoint+"/_tollgate/cluster", func() error {
			v := clusterNodes(t, dp)
			if got := viewStates(v); got != "node-a=up node-b=up node-c=up" {
				return fmt.Errorf("states %s", got)
			}
			if !strings.HasPrefix(v.Registry, "redis ") || v.Self == "" {
				return fmt.Errorf("registry %q self %q", v.Registry, v.Self)
			}
			for i, n := range v.Nodes {
				if !n.Ready || n.Lag != 0 || n.ServingRevision != n.StoreRevision || n.StoreRevision == 0 ||
					"http://"+n.Admin != nodes[i].Endpoint || len(n.DataPlane) != 2 {
					return fmt.Errorf("node %+v", n)
				}
			}
			return nil
		})
	}
	// A stage that no node can compile (its access log cannot be opened)
	// keeps its previous version serving, and every node says so.
	api := nodes[0].newAPI(t, "compile-failure")
	api.mock(t, "/ok", "GET", `{"ok":true}`)
	api.deploy(t, "prod")
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, api).url("prod", "/ok"), 200, `{"ok":true}`)
	}
	api.patchStage(t, "prod", replaceOp("/accessLogSettings/destinationArn", "/nonexistent-tollgate-dir/access.log"),
		replaceOp("/accessLogSettings/format", "$context.requestId"))
	id := api.ID + "/prod"
	eventually(t, "compile failures in /_tollgate/cluster", func() error {
		for _, n := range clusterNodes(t, nodes[1]).Nodes {
			if !strings.Contains(n.CompileFailures[id], "nonexistent-tollgate-dir") {
				return fmt.Errorf("%s reports %v", n.Name, n.CompileFailures)
			}
		}
		return nil
	})
	for _, dp := range nodes {
		expect(t, "the previous version", dp.do(t, "GET", on(dp, api).url("prod", "/ok"), nil, nil), 200, `{"ok":true}`)
	}
}
