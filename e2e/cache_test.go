package e2e

// Stage response cache (reference §5.2): hits skip the integration until
// the TTL expires or the entry is invalidated; cacheKeyParameters vary the
// key; "*/*" caches GET methods only; Cache-Control: max-age=0 under each
// strategy; FlushStageCache; CacheHitCount/CacheMissCount on /metrics.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// requestIDBody is a MOCK body that differs on every integration call, so
// that a cached answer is recognisable.
const requestIDBody = `{"id":"$context.requestId"}`

// cachedMock defines verb on path as a MOCK answering requestIDBody, with
// method settings methodExtra and integration settings integExtra
// (cacheKeyParameters, cacheNamespace).
func (a *restAPI) cachedMock(t testing.TB, path, verb string, methodExtra, integExtra map[string]any) {
	t.Helper()
	a.method(t, path, verb, methodExtra)
	integ := map[string]any{"type": "MOCK", "requestTemplates": map[string]any{"application/json": `{"statusCode": 200}`}}
	for k, v := range integExtra {
		integ[k] = v
	}
	a.integration(t, path, verb, integ)
	a.methodResponse(t, path, verb, "200", nil)
	a.integrationResponse(t, path, verb, "200", map[string]any{
		"responseTemplates": map[string]any{"application/json": requestIDBody},
	})
}

// enableCache turns the stage cache on with "*/*" caching at ttl seconds.
func (a *restAPI) enableCache(t testing.TB, stage string, ttl int, ops ...map[string]any) {
	t.Helper()
	a.patchStage(t, stage, append([]map[string]any{
		replaceOp("/cacheClusterEnabled", "true"),
		replaceOp("/*/*/caching/enabled", "true"),
		replaceOp("/*/*/caching/ttlInSeconds", strconv.Itoa(ttl)),
	}, ops...)...)
}

// waitCached polls u until two answers in a row are the same 200 (the
// cache settings are live and u's entry is stored) and returns that body.
func (dp *dataPlane) waitCached(t testing.TB, u string, h http.Header) string {
	t.Helper()
	var body string
	eventually(t, "caching of "+u, func() error {
		first := dp.do(t, "GET", u, h, nil)
		second := dp.do(t, "GET", u, h, nil)
		if first.Status != 200 || second.Status != 200 || first.Body != second.Body {
			return fmt.Errorf("not cached yet: %s then %s", first, second)
		}
		body = second.Body
		return nil
	})
	return body
}

// waitForPost polls POST u until it answers 200 with body.
func (dp *dataPlane) waitForPost(t testing.TB, u, body string) {
	t.Helper()
	eventually(t, "POST "+u, func() error {
		if r := dp.do(t, "POST", u, nil, nil); r.Status != 200 || r.Body != body {
			return fmt.Errorf("got %s, want 200 %q", r, body)
		}
		return nil
	})
}

func maxAge0() http.Header { return http.Header{"Cache-Control": {"max-age=0"}} }

// TestCacheTTLKeysAndFlush: a cached GET is answered without the
// integration until its TTL expires or FlushStageCache; only the
// cacheKeyParameters vary the key; "*/*" does not cache POST.
func TestCacheTTLKeysAndFlush(t *testing.T) {
	dp := startDataPlane(t, "")
	a := dp.newAPI(t, "cache-ttl")
	a.cachedMock(t, "/items", "GET",
		map[string]any{"requestParameters": map[string]any{"method.request.querystring.type": false}},
		map[string]any{"cacheKeyParameters": []string{"method.request.querystring.type"}})
	a.cachedMock(t, "/items", "POST", nil, nil)
	a.deploy(t, "dev")
	a.enableCache(t, "dev", 2)

	u := a.url("dev", "/items")
	first := dp.waitCached(t, u+"?type=a&dept=A", nil)
	expect(t, "an unlisted parameter does not vary the key", dp.do(t, "GET", u+"?type=a&dept=B", nil, nil), 200, first)
	expect(t, "no unlisted parameter at all", dp.do(t, "GET", u+"?type=a", nil, nil), 200, first)
	if r := dp.do(t, "GET", u+"?type=b", nil, nil); r.Status != 200 || r.Body == first {
		t.Errorf("type=b must have its own entry, got %s", r)
	}
	p1 := dp.do(t, "POST", u+"?type=a", nil, nil)
	p2 := dp.do(t, "POST", u+"?type=a", nil, nil)
	if p1.Status != 200 || p1.Body == p2.Body {
		t.Errorf("*/* cached a POST: %s then %s", p1, p2)
	}

	// TTL 2 s: the entry expires.
	time.Sleep(2100 * time.Millisecond)
	fresh := dp.do(t, "GET", u+"?type=a", nil, nil)
	if fresh.Status != 200 || fresh.Body == first {
		t.Errorf("after the TTL: got %s, want a fresh answer", fresh)
	}
	expect(t, "the fresh answer is cached again", dp.do(t, "GET", u+"?type=a", nil, nil), 200, fresh.Body)

	// FlushStageCache empties the stage's cache (the data plane follows
	// the store's change feed).
	dp.call(t, "DELETE", "/restapis/"+a.ID+"/stages/dev/cache/data", nil)
	eventually(t, "FlushStageCache", func() error {
		if r := dp.do(t, "GET", u+"?type=a", nil, nil); r.Body == fresh.Body {
			return fmt.Errorf("still the cached %s", r)
		}
		return nil
	})
}

// countingBackend answers /small with a small body, /stream with a
// chunked 100 KB body and /big with 2 MB, counting requests per path.
func countingBackend(t *testing.T) (*httptest.Server, map[string]*atomic.Int64) {
	t.Helper()
	hits := map[string]*atomic.Int64{"/small": {}, "/stream": {}, "/big": {}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := hits[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		n := c.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Backend-Hit", strconv.FormatInt(n, 10))
		switch r.URL.Path {
		case "/small":
			_, _ = fmt.Fprintf(w, "small %d", n)
		case "/stream":
			chunk := bytes.Repeat([]byte{'s'}, 10<<10)
			for range 10 {
				_, _ = w.Write(chunk)
				w.(http.Flusher).Flush()
			}
			_, _ = fmt.Fprintf(w, " %d", n)
		case "/big":
			w.Header().Set("Content-Length", strconv.Itoa(2<<20))
			_, _ = w.Write(bytes.Repeat([]byte{'b'}, 2<<20))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// cacheMetrics reads the cache counters of GET resource from /metrics.
func (dp *dataPlane) cacheMetrics(t *testing.T, api, stage, resource string) (hits, misses float64) {
	t.Helper()
	res, err := http.Get(dp.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	l := `{api="` + api + `",method="GET",resource="` + resource + `",stage="` + stage + `"} `
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "apigateway_CacheHitCount"+l); ok {
			hits, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(line, "apigateway_CacheMissCount"+l); ok {
			misses, _ = strconv.ParseFloat(v, 64)
		}
	}
	return hits, misses
}

// TestCacheHTTPProxyAndMetrics: HTTP_PROXY answers are cached (also
// chunked ones), the backend is not called on hits, bodies over 1 MB
// are not cached, and /metrics counts hits and misses.
func TestCacheHTTPProxyAndMetrics(t *testing.T) {
	dp := startDataPlane(t, "")
	backend, hits := countingBackend(t)
	a := dp.newAPI(t, "cache-proxy")
	for _, p := range []string{"/small", "/stream", "/big"} {
		a.proxy(t, p, "GET", backend.URL+p, nil)
	}
	a.echoMock(t, "/uncached", "POST")
	a.mock(t, "/var", "POST", `{"v":"$stageVariables.v"}`) // shows when a stage update is live
	a.deploy(t, "dev")
	a.enableCache(t, "dev", 300)

	small := dp.waitCached(t, a.url("dev", "/small"), nil)
	h0, m0 := dp.cacheMetrics(t, "cache-proxy", "dev", "/small")
	before := hits["/small"].Load()
	for range 10 {
		r := dp.do(t, "GET", a.url("dev", "/small"), nil, nil)
		expect(t, "a cached GET", r, 200, small)
		if r.Header.Get("X-Backend-Hit") == "" || r.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("cached headers: %v", r.Header)
		}
	}
	if n := hits["/small"].Load() - before; n != 0 {
		t.Errorf("10 cached GETs reached the backend %d times", n)
	}
	h1, m1 := dp.cacheMetrics(t, "cache-proxy", "dev", "/small")
	if h1-h0 != 10 || m1 != m0 || m0 < 1 {
		t.Errorf("CacheHitCount %v→%v (want +10), CacheMissCount %v→%v (want ≥1, unchanged)", h0, h1, m0, m1)
	}

	// A chunked body over 64 KB is cached whole.
	stream := dp.waitCached(t, a.url("dev", "/stream"), nil)
	if len(stream) < 100<<10 {
		t.Errorf("streamed body: %d bytes", len(stream))
	}
	before = hits["/stream"].Load()
	expect(t, "a cached stream", dp.do(t, "GET", a.url("dev", "/stream"), nil, nil), 200, stream)
	if n := hits["/stream"].Load() - before; n != 0 {
		t.Errorf("a cached stream reached the backend %d times", n)
	}

	// Over 1,048,576 bytes: served, never cached.
	before = hits["/big"].Load()
	for range 3 {
		if r := dp.do(t, "GET", a.url("dev", "/big"), nil, nil); r.Status != 200 || len(r.Body) != 2<<20 {
			t.Errorf("big body: %d, %d bytes", r.Status, len(r.Body))
		}
	}
	if n := hits["/big"].Load() - before; n != 3 {
		t.Errorf("3 GETs of a 2 MB body reached the backend %d times, want 3 (not cacheable)", n)
	}

	// The cache survives recompiles of the stage (new variables); resizing
	// it starts empty.
	a.patchStage(t, "dev", replaceOp("/variables/v", "1"))
	dp.waitForPost(t, a.url("dev", "/var"), `{"v":"1"}`)
	expect(t, "after a stage update", dp.do(t, "GET", a.url("dev", "/small"), nil, nil), 200, small)
	a.patchStage(t, "dev", replaceOp("/variables/v", "2"), replaceOp("/cacheClusterSize", "1.6"))
	dp.waitForPost(t, a.url("dev", "/var"), `{"v":"2"}`)
	if r := dp.do(t, "GET", a.url("dev", "/small"), nil, nil); r.Status != 200 || r.Body == small {
		t.Errorf("after resizing the cache: got %s, want a fresh answer", r)
	}

	// A method without caching exports no cache series.
	dp.do(t, "POST", a.url("dev", "/uncached"), nil, nil)
	res, err := http.Get(dp.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), `apigateway_CacheHitCount{api="cache-proxy",method="POST"`) {
		t.Errorf("an uncached method has cache metrics")
	}
}

// cacheIAMConfig configures IAM users dave (may invalidate: execute-api:*)
// and erin (execute-api:Invoke only).
func cacheIAMConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tollgate.yaml")
	cfg := `iam-users:
  - name: dave
    access-key-id: AKIADAVEEXAMPLE00001
    secret-access-key: dave-secret
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}]}'
  - name: erin
    access-key-id: AKIAERINEXAMPLE00001
    secret-access-key: erin-secret
    policies:
      - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}'
`
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// signedGet sends a GET signed for execute-api, with extra headers
// (signed too).
func (dp *dataPlane) signedGet(t *testing.T, u, key, secret string, h http.Header) result {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := dp.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// TestCacheControlMaxAge0: Cache-Control: max-age=0 under each
// unauthorizedCacheControlHeaderStrategy, with
// requireAuthorizationForCacheControl false, and from IAM callers with and
// without execute-api:InvalidateCache.
func TestCacheControlMaxAge0(t *testing.T) {
	dp := startDataPlane(t, "", "--config", cacheIAMConfig(t))
	a := dp.newAPI(t, "cache-control")
	for _, p := range []string{"/fail", "/warn", "/quiet", "/open"} {
		a.cachedMock(t, p, "GET", nil, nil)
	}
	a.cachedMock(t, "/iam", "GET", map[string]any{"authorizationType": "AWS_IAM"}, nil)
	a.deploy(t, "dev")
	a.enableCache(t, "dev", 300,
		replaceOp("/~1fail/GET/caching/enabled", "true"),
		replaceOp("/~1fail/GET/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
		replaceOp("/~1quiet/GET/caching/enabled", "true"),
		replaceOp("/~1quiet/GET/caching/unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITHOUT_RESPONSE_HEADER"),
		replaceOp("/~1open/GET/caching/enabled", "true"),
		replaceOp("/~1open/GET/caching/requireAuthorizationForCacheControl", "false"),
		replaceOp("/~1iam/GET/caching/enabled", "true"),
		replaceOp("/~1iam/GET/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
	)
	const warning = "199 Cache-control headers were ignored because the caller was unauthorized."

	// FAIL_WITH_403: refused, entry untouched.
	fail := dp.waitCached(t, a.url("dev", "/fail"), nil)
	r := dp.do(t, "GET", a.url("dev", "/fail"), maxAge0(), nil)
	expect(t, "FAIL_WITH_403", r, 403, `{"message":"Forbidden"}`)
	expect(t, "after a refused invalidation", dp.do(t, "GET", a.url("dev", "/fail"), nil, nil), 200, fail)

	// SUCCEED_WITH_RESPONSE_HEADER (the "*/*" default): the cached answer
	// and a warning.
	warn := dp.waitCached(t, a.url("dev", "/warn"), nil)
	r = dp.do(t, "GET", a.url("dev", "/warn"), maxAge0(), nil)
	expect(t, "SUCCEED_WITH_RESPONSE_HEADER", r, 200, warn)
	if got := r.Header.Get("Warning"); got != warning {
		t.Errorf("SUCCEED_WITH_RESPONSE_HEADER: Warning %q, want %q", got, warning)
	}

	// SUCCEED_WITHOUT_RESPONSE_HEADER: the cached answer, no warning.
	quiet := dp.waitCached(t, a.url("dev", "/quiet"), nil)
	r = dp.do(t, "GET", a.url("dev", "/quiet"), maxAge0(), nil)
	expect(t, "SUCCEED_WITHOUT_RESPONSE_HEADER", r, 200, quiet)
	if got := r.Header.Get("Warning"); got != "" {
		t.Errorf("SUCCEED_WITHOUT_RESPONSE_HEADER sent Warning %q", got)
	}

	// requireAuthorizationForCacheControl false: anyone invalidates; the
	// fresh answer replaces the entry.
	old := dp.waitCached(t, a.url("dev", "/open"), nil)
	r = dp.do(t, "GET", a.url("dev", "/open"), http.Header{"Cache-Control": {"no-cache, max-age=0"}}, nil)
	if r.Status != 200 || r.Body == old || r.Header.Get("Warning") != "" {
		t.Errorf("open invalidation: got %s (cached %q), want a fresh answer", r, old)
	}
	expect(t, "the fresh answer replaced the entry", dp.do(t, "GET", a.url("dev", "/open"), nil, nil), 200, r.Body)

	// AWS_IAM: dave may invalidate (execute-api:*), erin may not.
	iam := a.url("dev", "/iam")
	var cached string
	eventually(t, "caching of /iam", func() error {
		one := dp.signedGet(t, iam, "AKIAERINEXAMPLE00001", "erin-secret", nil)
		two := dp.signedGet(t, iam, "AKIAERINEXAMPLE00001", "erin-secret", nil)
		if one.Status != 200 || one.Body != two.Body {
			return fmt.Errorf("not cached yet: %s then %s", one, two)
		}
		cached = two.Body
		return nil
	})
	expect(t, "erin's max-age=0 (no InvalidateCache)", dp.signedGet(t, iam, "AKIAERINEXAMPLE00001", "erin-secret", maxAge0()),
		403, `{"message":"Forbidden"}`)
	r = dp.signedGet(t, iam, "AKIADAVEEXAMPLE00001", "dave-secret", maxAge0())
	if r.Status != 200 || r.Body == cached {
		t.Errorf("dave's max-age=0: got %s (cached %q), want a fresh answer", r, cached)
	}
	expect(t, "dave's answer replaced the entry", dp.signedGet(t, iam, "AKIAERINEXAMPLE00001", "erin-secret", nil), 200, r.Body)
}
