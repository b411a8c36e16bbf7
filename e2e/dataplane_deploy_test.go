package e2e

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestDataplaneDeployments: edits change nothing live until the next
// deployment; stages follow UpdateStage /deploymentId; deleted stages and
// APIs stop serving; a restart serves the deployed stages at once.
func TestDataplaneDeployments(t *testing.T) {
	dataDir := t.TempDir()
	dp := startDataPlane(t, dataDir)
	a := dp.newAPI(t, "deployments")
	a.mock(t, "/v", "GET", `one-$stageVariables.v`)
	dep1 := a.deploy(t, "prod")
	a.patchStage(t, "prod", replaceOp("/variables/v", "a"))
	dp.waitFor(t, a.url("prod", "/v"), 200, "one-a")

	// Edit the API: a new template and a new resource. A stage change
	// recompiles the stage, from its unchanged deployment.
	a.integrationResponse(t, "/v", "GET", "200", map[string]any{"responseTemplates": map[string]any{"application/json": `two-$stageVariables.v`}})
	a.echoMock(t, "/new", "GET")
	a.patchStage(t, "prod", replaceOp("/variables/v", "b"))
	dp.waitFor(t, a.url("prod", "/v"), 200, "one-b")
	expectMAT(t, "undeployed resource", dp.do(t, "GET", a.url("prod", "/new"), nil, nil))

	dep2 := a.deploy(t, "prod")
	dp.waitFor(t, a.url("prod", "/v"), 200, "two-b")
	expect(t, "deployed resource", dp.do(t, "GET", a.url("prod", "/new"), nil, nil), 200, `{"resource":"/new","method":"GET"}`)

	// Point the stage back at the first deployment.
	a.patchStage(t, "prod", replaceOp("/deploymentId", dep1))
	dp.waitFor(t, a.url("prod", "/v"), 200, "one-b")
	expectMAT(t, "resource of the other deployment", dp.do(t, "GET", a.url("prod", "/new"), nil, nil))

	// A second stage on the second deployment, made with CreateStage.
	dp.call(t, "POST", "/restapis/"+a.ID+"/stages", map[string]any{"stageName": "beta", "deploymentId": dep2, "variables": map[string]string{"v": "c"}})
	dp.waitFor(t, a.url("beta", "/v"), 200, "two-c")

	// Deleting a stage: 403 Forbidden; the other stage is untouched.
	dp.call(t, "DELETE", "/restapis/"+a.ID+"/stages/prod", nil)
	dp.waitFor(t, a.url("prod", "/v"), 403, bodyForbidden)
	expect(t, "other stage", dp.do(t, "GET", a.url("beta", "/v"), nil, nil), 200, "two-c")

	// A restart serves the deployed stages before it accepts traffic.
	dp.Stop()
	dp = startDataPlane(t, dataDir)
	a.dp = dp
	expect(t, "after restart", dp.do(t, "GET", a.url("beta", "/v"), nil, nil), 200, "two-c")
	expect(t, "deleted stage after restart", dp.do(t, "GET", a.url("prod", "/v"), nil, nil), 403, bodyForbidden)

	// Deleting the API stops serving it.
	dp.call(t, "DELETE", "/restapis/"+a.ID, nil)
	dp.waitFor(t, a.url("beta", "/v"), 403, bodyForbidden)
}

// TestDataplaneZeroDowntime: 100 deployments while 8 keep-alive clients
// send requests: not one request fails or sees anything but one of the
// two deployed answers.
func TestDataplaneZeroDowntime(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "zero-downtime")
	bodies := [2]string{`{"v":"A"}`, `{"v":"B"}`}
	a.mock(t, "/z", "GET", bodies[0])
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/z"), 200, bodies[0])

	var total, failed atomic.Int64
	var seen [2]atomic.Int64
	var mu sync.Mutex
	var failures []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// A short pause leaves the management calls some of the
				// two cores; the load still far exceeds 2000 requests.
				time.Sleep(time.Millisecond)
				r, err := dp.send(t, "GET", a.url("s", "/z"), nil, nil)
				total.Add(1)
				switch {
				case err == nil && r.Status == 200 && r.Body == bodies[0]:
					seen[0].Add(1)
				case err == nil && r.Status == 200 && r.Body == bodies[1]:
					seen[1].Add(1)
				default:
					failed.Add(1)
					mu.Lock()
					if len(failures) < 10 {
						failures = append(failures, fmt.Sprintf("%v %v", r, err))
					}
					mu.Unlock()
				}
			}
		}()
	}
	start := time.Now()
	for i := 1; i <= 100; i++ {
		a.integrationResponse(t, "/z", "GET", "200", map[string]any{"responseTemplates": map[string]any{"application/json": bodies[i%2]}})
		a.deploy(t, "s")
	}
	deployTime := time.Since(start)
	for deadline := time.Now().Add(10 * time.Second); total.Load() < 2000 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("100 deployments in %v; %d requests (%d A, %d B), %d failed", deployTime, total.Load(), seen[0].Load(), seen[1].Load(), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during deployments, e.g. %q", failed.Load(), total.Load(), failures)
	}
	if total.Load() < 2000 {
		t.Errorf("only %d requests ran", total.Load())
	}
	if seen[1].Load() == 0 {
		t.Error("no request saw the second template: the deployments did not go live")
	}
	// The last deployment (i = 100) serves A.
	dp.waitFor(t, a.url("s", "/z"), 200, bodies[0])
}

// TestDataplaneGracefulShutdown: SIGTERM during load lets in-flight
// requests finish; new connections are refused, none is reset.
func TestDataplaneGracefulShutdown(t *testing.T) {
	dp := startDataPlane(t, "")
	var sleeping atomic.Int64
	be := newTestBackend(t)
	inner := be.Config.Handler
	be.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sleep" {
			sleeping.Add(1)
		}
		inner.ServeHTTP(w, r)
	})
	a := dp.newAPI(t, "shutdown")
	a.proxy(t, "/slow", "GET", be.URL+"/sleep?d=700ms", nil)
	a.mock(t, "/fast", "GET", `{"ok":true}`)
	a.deploy(t, "s")
	dp.waitFor(t, a.url("s", "/fast"), 200, `{"ok":true}`)
	dp.waitFor(t, a.url("s", "/slow"), 200, "slept")
	sleeping.Store(0)

	// Load on keep-alive connections; once the listener is closed, new
	// connections are refused, which is fine. Anything else is not.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var loadErrs []string
	var served atomic.Int64
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r, err := dp.send(t, "GET", a.url("s", "/fast"), nil, nil)
				if err != nil {
					if !strings.Contains(err.Error(), "connection refused") {
						mu.Lock()
						loadErrs = append(loadErrs, err.Error())
						mu.Unlock()
					}
					return
				}
				if r.Status != 200 || r.Body != `{"ok":true}` {
					mu.Lock()
					loadErrs = append(loadErrs, r.String())
					mu.Unlock()
					return
				}
				served.Add(1)
			}
		}()
	}
	eventually(t, "load running", func() error {
		if n := served.Load(); n < 300 {
			return fmt.Errorf("%d served", n)
		}
		return nil
	})
	// Sixteen slow requests in flight at the backend when SIGTERM comes.
	slow := make(chan error, 16)
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	for i := 0; i < 16; i++ {
		go func() {
			res, err := client.Get(a.url("s", "/slow"))
			if err != nil {
				slow <- err
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err == nil && (res.StatusCode != 200 || string(b) != "slept") {
				err = fmt.Errorf("%d %q", res.StatusCode, b)
			}
			slow <- err
		}()
	}
	eventually(t, "16 requests in flight", func() error {
		if n := sleeping.Load(); n < 16 {
			return fmt.Errorf("%d in flight", n)
		}
		return nil
	})
	if err := dp.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 16; i++ {
		select {
		case err := <-slow:
			if err != nil {
				t.Errorf("in-flight request failed on shutdown: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("in-flight requests did not complete")
		}
	}
	select {
	case err := <-dp.done:
		dp.done <- err // for Stop
		var exit interface{ ExitCode() int }
		if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 0) {
			t.Errorf("gateway exit: %v\n%s", err, dp.Logs())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("gateway did not exit after SIGTERM")
	}
	wg.Wait()
	t.Logf("%d fast requests served during the test", served.Load())
	if len(loadErrs) > 0 {
		t.Errorf("requests failed during shutdown (other than refused connections): %q", loadErrs)
	}
}
