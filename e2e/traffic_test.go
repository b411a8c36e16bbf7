package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	tooManyRequests = `{"message":"Too Many Requests"}`
	limitExceeded   = `{"message":"Limit Exceeded"}`
)

func expectErrorType(t testing.TB, what string, r result, want string) {
	t.Helper()
	if got := r.Header.Get("x-amzn-ErrorType"); got != want {
		t.Errorf("%s: x-amzn-ErrorType %q, want %q", what, got, want)
	}
}

// TestTrafficQuota: a quota of 2 per day lets exactly 2 requests through;
// GetUsage reports them; UpdateUsage grants more.
func TestTrafficQuota(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "quota")
	a.mockWith(t, "/pets", "GET", map[string]any{"apiKeyRequired": true}, `{"ok":true}`)
	a.mockWith(t, "/free", "GET", nil, `{"free":true}`)
	a.deploy(t, "dev")
	id, value := dp.apiKey(t, "k", true)
	out := dp.call(t, "POST", "/usageplans", map[string]any{"name": "two-a-day",
		"apiStages": []map[string]any{{"apiId": a.ID, "stage": "dev"}},
		"quota":     map[string]any{"limit": 2, "period": "DAY"}})
	plan := out["id"].(string)
	dp.call(t, "POST", "/usageplans/"+plan+"/keys", map[string]any{"keyId": id, "keyType": "API_KEY"})
	u := a.url("dev", "/pets")
	eventually(t, "the key in its plan", func() error {
		if r := dp.do(t, "GET", a.url("dev", "/free"), withKey(value), nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	// The index follows the plan asynchronously; wait until the key works.
	var passed int
	eventually(t, "the first request", func() error {
		r := dp.do(t, "GET", u, withKey(value), nil)
		if r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		passed = 1
		return nil
	})
	for range 5 {
		r := dp.do(t, "GET", u, withKey(value), nil)
		switch {
		case r.Status == 200:
			passed++
		case r.Status == 429 && r.Body == limitExceeded:
			expectErrorType(t, "quota exceeded", r, "LimitExceededException")
			if r.Header.Get("Retry-After") != "" {
				t.Errorf("QUOTA_EXCEEDED must not carry Retry-After")
			}
		default:
			t.Errorf("unexpected answer %s", r)
		}
	}
	if passed != 2 {
		t.Fatalf("a quota of 2 per day let %d requests through", passed)
	}
	// Methods without apiKeyRequired are not counted.
	expect(t, "a method without apiKeyRequired", dp.do(t, "GET", a.url("dev", "/free"), withKey(value), nil), 200, `{"free":true}`)

	today := time.Now().UTC().Format("2006-01-02")
	usage := dp.call(t, "GET", "/usageplans/"+plan+"/usage?startDate="+today+"&endDate="+today, nil)
	if fmt.Sprint(usage["values"]) != fmt.Sprintf("map[%s:[[2 0]]]", id) || usage["usagePlanId"] != plan {
		t.Errorf("GetUsage = %v", usage)
	}
	dp.call(t, "PATCH", "/usageplans/"+plan+"/keys/"+id+"/usage", map[string]any{"patchOperations": []map[string]any{
		{"op": "replace", "path": "/remaining", "value": "1"}}})
	expect(t, "after UpdateUsage granted one more", dp.do(t, "GET", u, withKey(value), nil), 200, `{"ok":true}`)
	expect(t, "and then exhausted again", dp.do(t, "GET", u, withKey(value), nil), 429, limitExceeded)
}

// load sends GETs to u from n goroutines for d and counts the answers by
// status.
func (dp *dataPlane) load(t *testing.T, u string, h http.Header, n int, d time.Duration) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var bad atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				r, err := dp.send(t, "GET", u, h, nil)
				if err != nil {
					bad.Store(err.Error())
					return
				}
				if r.Status == 429 && r.Body != tooManyRequests {
					bad.Store(r.String())
				}
				mu.Lock()
				counts[r.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if v := bad.Load(); v != nil {
		t.Errorf("bad answer under load: %v", v)
	}
	return counts
}

// TestTrafficStageThrottle: a method throttle of 10 requests/s with a
// burst of 10 lets 10/s ±10% through once the burst is spent.
func TestTrafficStageThrottle(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "throttle")
	a.mockWith(t, "/pets", "GET", nil, `{"ok":true}`)
	a.mockWith(t, "/other", "GET", nil, `{"other":true}`)
	a.deploy(t, "dev")
	a.patchStage(t, "dev", replaceOp("/~1pets/GET/throttling/rateLimit", "10"), replaceOp("/~1pets/GET/throttling/burstLimit", "10"))
	u := a.url("dev", "/pets")
	// Spend the burst (and wait for the settings to be live).
	eventually(t, "the throttle", func() error {
		r := dp.do(t, "GET", u, nil, nil)
		if r.Status != 429 {
			return fmt.Errorf("still %d", r.Status)
		}
		expect(t, "throttled", r, 429, tooManyRequests)
		expectErrorType(t, "throttled", r, "TooManyRequestsException")
		return nil
	})
	counts := dp.load(t, u, nil, 8, 3*time.Second)
	if ok := counts[200]; ok < 27-1 || ok > 33+1 {
		t.Errorf("rate 10/s over 3 s admitted %d requests (want 30 ±10%%); answers %v", ok, counts)
	}
	if counts[429] == 0 {
		t.Errorf("no request was throttled: %v", counts)
	}
	// Other methods have their own buckets.
	expect(t, "another method", dp.do(t, "GET", a.url("dev", "/other"), nil, nil), 200, `{"other":true}`)
}

// TestTrafficAccountAndPlanThrottle: the account throttle (UpdateAccount)
// applies to every API; a usage plan throttles per key.
func TestTrafficAccountAndPlanThrottle(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "plan-throttle")
	a.mockWith(t, "/pets", "GET", map[string]any{"apiKeyRequired": true}, `{"ok":true}`)
	a.deploy(t, "dev")
	id1, v1 := dp.apiKey(t, "k1", true)
	id2, v2 := dp.apiKey(t, "k2", true)
	dp.call(t, "POST", "/usageplans", map[string]any{"name": "slow",
		"apiStages": []map[string]any{{"apiId": a.ID, "stage": "dev"}},
		"throttle":  map[string]any{"rateLimit": 0.5, "burstLimit": 2}})
	plans := dp.call(t, "GET", "/usageplans", nil)["item"].([]any)
	plan := plans[0].(map[string]any)["id"].(string)
	for _, k := range []string{id1, id2} {
		dp.call(t, "POST", "/usageplans/"+plan+"/keys", map[string]any{"keyId": k, "keyType": "API_KEY"})
	}
	u := a.url("dev", "/pets")
	eventually(t, "key 1 in its plan", func() error {
		if r := dp.do(t, "GET", u, withKey(v1), nil); r.Status != 200 {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
	expect(t, "key 1, second request (burst 2)", dp.do(t, "GET", u, withKey(v1), nil), 200, `{"ok":true}`)
	r := dp.do(t, "GET", u, withKey(v1), nil)
	expect(t, "key 1, third request", r, 429, tooManyRequests)
	expectErrorType(t, "plan throttle", r, "TooManyRequestsException")
	// Key 2's membership reaches the key index asynchronously, like key 1's.
	eventually(t, "key 2 has its own bucket", func() error {
		if r := dp.do(t, "GET", u, withKey(v2), nil); r.Status != 200 || r.Body != `{"ok":true}` {
			return fmt.Errorf("%s", r)
		}
		return nil
	})

	b := dp.newAPI(t, "account-throttle")
	b.mockWith(t, "/x", "GET", nil, `{}`)
	b.deploy(t, "dev")
	dp.waitFor(t, b.url("dev", "/x"), 200, `{}`)
	dp.call(t, "PATCH", "/account", map[string]any{"patchOperations": []map[string]any{
		replaceOp("/throttleSettings/rateLimit", "1"), replaceOp("/throttleSettings/burstLimit", "3")}})
	eventually(t, "the account throttle", func() error {
		if r := dp.do(t, "GET", b.url("dev", "/x"), nil, nil); r.Status != 429 || r.Body != tooManyRequests {
			return fmt.Errorf("%s", r)
		}
		return nil
	})
}
