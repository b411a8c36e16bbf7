package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/testsvc"
)

// health reads a node's /healthz.
func health(t *testing.T, dp *dataPlane) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b map[string]any
	_ = json.NewDecoder(res.Body).Decode(&b)
	return res.StatusCode, b
}

// mgmtStatus sends a signed management call and returns its status,
// error type and body.
func mgmtStatus(t *testing.T, dp *dataPlane, method, path string, body any) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, out, err := dp.mgmt.do(ctx, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, string(out)
}

// TestClusterPostgresOutage: while PostgreSQL is down, the nodes keep
// serving the configuration they have, management calls answer 503
// ServiceUnavailableException and /healthz says why; once it is back,
// without restarting anything, writes work and reach every node again.
func TestClusterPostgresOutage(t *testing.T) {
	pg, err := testsvc.StartPostgres() // its own server: this test stops it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	_, rd := sharedServices(t)
	spec := clusterSpec{Store: pg.URL(), Redis: rd.URL(), Key: randomHex(t, 32)}
	nodes := spec.startNodes(t, 2)
	a, b := nodes[0], nodes[1]
	api := a.newAPI(t, "outage")
	api.mock(t, "/up", "GET", `{"up":true}`)
	api.deploy(t, "prod")
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, api).url("prod", "/up"), 200, `{"up":true}`)
	}

	if err := pg.Halt(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		for _, dp := range nodes {
			expect(t, "served while the store is down", dp.do(t, "GET", on(dp, api).url("prod", "/up"), nil, nil), 200, `{"up":true}`)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range []struct{ method, path string }{{"POST", "/restapis"}, {"GET", "/restapis"}} {
		status, body := mgmtStatus(t, b, c.method, c.path, map[string]any{"name": "during"})
		if status != 503 || !strings.Contains(body, "configuration store cannot be reached") {
			t.Errorf("%s %s while PostgreSQL is down: %d %s", c.method, c.path, status, body)
		}
	}
	status, h := health(t, a)
	if status != 503 || !strings.Contains(fmt.Sprint(h["reason"]), "store: ") {
		t.Errorf("/healthz while PostgreSQL is down: %d %v", status, h)
	}

	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	var api2 string
	eventually(t, "a management write after PostgreSQL is back", func() error {
		status, body := mgmtStatus(t, b, "POST", "/restapis", map[string]any{"name": "after"})
		if status != 201 {
			return fmt.Errorf("%d %s", status, body)
		}
		var out map[string]any
		_ = json.Unmarshal([]byte(body), &out)
		api2 = out["id"].(string)
		return nil
	})
	after := &restAPI{dp: b, ID: api2, resources: map[string]string{}}
	root := b.call(t, "GET", "/restapis/"+api2+"/resources", nil)["item"].([]any)[0].(map[string]any)
	after.resources["/"] = root["id"].(string)
	after.mock(t, "/back", "GET", `{"back":true}`)
	after.deploy(t, "prod")
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, after).url("prod", "/back"), 200, `{"back":true}`)
		eventually(t, "/healthz on "+dp.Endpoint, func() error {
			if status, h := health(t, dp); status != 200 {
				return fmt.Errorf("%d %v", status, h)
			}
			return nil
		})
	}
}

// TestClusterRedisOutage: while Redis is down or hung, a node set to fail
// open serves on its own limits with a bounded added latency, one set to
// fail closed answers 503; once Redis is back, both share their buckets
// again without a restart.
func TestClusterRedisOutage(t *testing.T) {
	rd, err := testsvc.StartRedis() // its own server: this test stops it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rd.Stop)
	pg, _ := sharedServices(t)
	spec := clusterSpec{Store: newDatabase(t, pg), Redis: rd.URL(), Key: randomHex(t, 32)}
	open := spec.startNode(t, "--node-name", "open")
	closed := spec.startNode(t, "--node-name", "closed", "--redis-fail-mode", "closed")
	nodes := []*dataPlane{open, closed}
	api := open.newAPI(t, "redis-outage")
	api.mock(t, "/r", "GET", `{"v":"$stageVariables.v"}`)
	api.mock(t, "/shared", "GET", `{"ok":true}`)
	open.call(t, "POST", "/restapis/"+api.ID+"/deployments", map[string]any{"stageName": "prod", "variables": map[string]string{"v": "1"}})
	api.patchStage(t, "prod", replaceOp("/*/*/throttling/rateLimit", "1000"), replaceOp("/*/*/throttling/burstLimit", "1000"),
		replaceOp("/~1shared/GET/throttling/rateLimit", "0.01"), replaceOp("/~1shared/GET/throttling/burstLimit", "3"),
		replaceOp("/variables/v", "2"))
	for _, dp := range nodes {
		dp.waitFor(t, on(dp, api).url("prod", "/r"), 200, `{"v":"2"}`)
	}

	for _, outage := range []struct {
		name       string
		stop, back func() error
	}{
		{"down", rd.Halt, rd.Start},
		{"hung", rd.Pause, rd.Resume},
	} {
		if err := outage.stop(); err != nil {
			t.Fatal(err)
		}
		var slowest time.Duration
		for i := 0; i < 20; i++ {
			start := time.Now()
			r := open.do(t, "GET", on(open, api).url("prod", "/r"), nil, nil)
			slowest = max(slowest, time.Since(start))
			expect(t, outage.name+": fail open", r, 200, `{"v":"2"}`)
			r = closed.do(t, "GET", on(closed, api).url("prod", "/r"), nil, nil)
			if r.Status != 503 || r.Header.Get("x-amzn-ErrorType") != "ServiceUnavailableException" {
				t.Errorf("%s: fail closed: %s, want 503 ServiceUnavailableException", outage.name, r)
			}
		}
		if outage.name == "down" {
			// Each node says once what the outage means for it.
			for dp, want := range map[*dataPlane]string{
				open:   "meanwhile this node enforces throttles and quotas on its own (--redis-fail-mode open)",
				closed: "meanwhile throttled and metered requests get 503 (--redis-fail-mode closed)",
			} {
				eventually(t, "the outage logged", func() error {
					if !strings.Contains(dp.Logs(), want) {
						return fmt.Errorf("%s has not logged %q", dp.Endpoint, want)
					}
					return nil
				})
			}
		}
		t.Logf("Redis %s: slowest fail-open answer %v", outage.name, slowest.Round(time.Millisecond))
		if slowest > time.Second {
			t.Errorf("Redis %s: a fail-open answer took %v", outage.name, slowest)
		}
		if err := outage.back(); err != nil {
			t.Fatal(err)
		}
		for _, dp := range nodes {
			dp.waitFor(t, on(dp, api).url("prod", "/r"), 200, `{"v":"2"}`)
		}
		// The fail-open node answers 200 either way: let its client's
		// breaker, opened by the outage's last failure, pass its cooldown
		// (redisclient.DefaultCooldown, 1 s), then go through Redis again.
		time.Sleep(1500 * time.Millisecond)
		open.waitFor(t, on(open, api).url("prod", "/r"), 200, `{"v":"2"}`)
	}
	// Shared again: a burst of 3 for both nodes together (the restarted
	// Redis is empty, so the bucket starts full).
	admitted := 0
	for i := 0; i < 4; i++ {
		for _, dp := range nodes {
			if r := dp.do(t, "GET", on(dp, api).url("prod", "/shared"), nil, nil); r.Status == 200 {
				admitted++
			}
		}
	}
	if admitted != 3 {
		t.Errorf("after Redis is back, %d of 8 requests over two nodes passed a burst of 3", admitted)
	}
}
