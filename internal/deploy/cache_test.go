package deploy

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/respcache"
	"github.com/tollgate/tollgate/internal/secret"
)

// cachedAPI has GET and POST /items answering with the request id (so a
// cached answer is recognisable), /items keyed by the query parameter
// "type" only, and GET /other in its own namespace.
func cachedAPI() *model.Snapshot {
	s := snapshot("api1", map[string]string{"/items": `$context.requestId`, "/other": `other $context.requestId`})
	for i := range s.Resources {
		r := &s.Resources[i]
		if r.Path == "/items" {
			r.ResourceMethods["GET"].MethodIntegration.CacheKeyParameters = []string{"method.request.querystring.type"}
			post := mockMethod(`$context.requestId`)
			post.HTTPMethod = "POST"
			r.ResourceMethods["POST"] = post
		}
	}
	return s
}

func cachingSetting(mod func(*model.MethodSetting)) *model.MethodSetting {
	ms := model.DefaultMethodSetting()
	ms.CachingEnabled = true
	if mod != nil {
		mod(&ms)
	}
	return &ms
}

// cachedHandler compiles cachedAPI with the given method settings on a
// stage with its cache enabled.
func cachedHandler(t *testing.T, settings map[string]*model.MethodSetting) (*front.Door, *rest.Stage) {
	t.Helper()
	box, err := secret.New(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	c := &Compiler{Env: &rest.Env{AccountID: "000000000000"}, Clients: upstream.NewClients(), Secrets: box}
	d, err := c.CompileDeployment("dep1", cachedAPI())
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.CompileStage(&model.Stage{StageName: "dev", CacheClusterEnabled: true, MethodSettings: settings}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	door := &front.Door{}
	door.Set("api1", "dev", st)
	return door, st
}

func body(h *front.Door, method, target string, headers ...string) (int, string, map[string]string) {
	r := serve(h, method, "api1.execute-api.localhost", "/dev"+target, headers...)
	return r.Code, string(r.Body()), r.Raw
}

func TestStageCacheHitsAndKeys(t *testing.T) {
	h, st := cachedHandler(t, map[string]*model.MethodSetting{"*/*": cachingSetting(nil)})
	if st.Cache == nil || st.Cache.Size != "0.5" {
		t.Fatalf("stage cache %+v", st.Cache)
	}
	_, first, _ := body(h, "GET", "/items?type=a&dept=1")
	if _, again, _ := body(h, "GET", "/items?type=a&dept=2"); again != first {
		t.Errorf("unlisted parameter varied the key: %q then %q", first, again)
	}
	if _, other, _ := body(h, "GET", "/items?type=b"); other == first {
		t.Errorf("type=b answered from type=a's entry")
	}
	code, hit, hdr := body(h, "GET", "/items?type=a")
	if code != 200 || hit != first || hdr["Content-Type"] != "application/json" {
		t.Errorf("hit: %d %q %v", code, hit, hdr)
	}
	if id := hdr["x-amzn-RequestId"]; id == first || id == "" {
		t.Errorf("a hit must carry its own request id, got %q (cached body %q)", id, first)
	}
	_, p1, _ := body(h, "POST", "/items?type=a")
	if _, p2, _ := body(h, "POST", "/items?type=a"); p1 == p2 {
		t.Errorf("*/* cached a POST method")
	}
	if err := st.Cache.Store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, after, _ := body(h, "GET", "/items?type=a"); after == first {
		t.Errorf("entry survived Flush")
	}
}

func TestStageCachePerMethodSettings(t *testing.T) {
	h, st := cachedHandler(t, map[string]*model.MethodSetting{
		"items/POST": cachingSetting(func(ms *model.MethodSetting) { ms.CacheDataEncrypted = true }),
		"other/GET":  cachingSetting(func(ms *model.MethodSetting) { ms.CacheTTLInSeconds = 0 }),
	})
	_, p1, _ := body(h, "POST", "/items")
	if _, p2, _ := body(h, "POST", "/items"); p1 != p2 {
		t.Errorf("an explicit POST setting did not cache: %q then %q", p1, p2)
	}
	if n := st.Cache.Store.(*respcache.Memory).Len(); n != 1 {
		t.Errorf("%d entries, want 1 (sealed)", n)
	}
	_, o1, _ := body(h, "GET", "/other")
	if _, o2, _ := body(h, "GET", "/other"); o1 == o2 {
		t.Errorf("TTL 0 cached")
	}
	_, g1, _ := body(h, "GET", "/items")
	if _, g2, _ := body(h, "GET", "/items"); g1 == g2 {
		t.Errorf("GET /items has no setting and no */*, but was cached")
	}
}

func TestStageCacheControl(t *testing.T) {
	strategies := map[string]string{
		"items/GET": "FAIL_WITH_403", "items/POST": "SUCCEED_WITH_RESPONSE_HEADER", "other/GET": "SUCCEED_WITHOUT_RESPONSE_HEADER",
	}
	settings := map[string]*model.MethodSetting{}
	for k, s := range strategies {
		settings[k] = cachingSetting(func(ms *model.MethodSetting) { ms.UnauthorizedCacheControlHeaderStrategy = s })
	}
	h, _ := cachedHandler(t, settings)
	_, first, _ := body(h, "GET", "/items")
	code, b, _ := body(h, "GET", "/items", "Cache-Control", "max-age=0")
	if code != 403 || b != `{"message":"Forbidden"}` {
		t.Errorf("FAIL_WITH_403: %d %s", code, b)
	}
	if _, again, _ := body(h, "GET", "/items"); again != first {
		t.Errorf("a refused invalidation changed the entry")
	}

	_, p1, _ := body(h, "POST", "/items")
	code, p2, hdr := body(h, "POST", "/items", "Cache-Control", "no-cache, max-age=0")
	if code != 200 || p2 != p1 || hdr["Warning"] != rest.CacheWarning {
		t.Errorf("SUCCEED_WITH_RESPONSE_HEADER: %d %q (cached %q) %v", code, p2, p1, hdr)
	}

	_, o1, _ := body(h, "GET", "/other")
	code, o2, hdr := body(h, "GET", "/other", "Cache-Control", "max-age=0")
	if code != 200 || o2 != o1 || hdr["Warning"] != "" {
		t.Errorf("SUCCEED_WITHOUT_RESPONSE_HEADER: %d %q (cached %q) %v", code, o2, o1, hdr)
	}

	open, _ := cachedHandler(t, map[string]*model.MethodSetting{"*/*": cachingSetting(func(ms *model.MethodSetting) {
		ms.RequireAuthorizationForCacheControl = false
	})})
	_, v1, _ := body(open, "GET", "/other")
	_, v2, _ := body(open, "GET", "/other", "Cache-Control", "max-age=0")
	_, v3, _ := body(open, "GET", "/other")
	if v1 == v2 || v3 != v2 {
		t.Errorf("open invalidation: %q, then %q (fresh), then %q (want the fresh one)", v1, v2, v3)
	}
}

func TestKeepCache(t *testing.T) {
	mk := func(size string) *rest.Stage {
		return &rest.Stage{Cache: &rest.StageCache{Size: size, Store: respcache.NewMemory(1<<20, nil)}}
	}
	prev, same, other := mk("0.5"), mk("0.5"), mk("1.6")
	keepCache(prev, same)
	if same.Cache.Store != prev.Cache.Store {
		t.Errorf("same size: the store was not kept")
	}
	keepCache(prev, other)
	if other.Cache.Store == prev.Cache.Store {
		t.Errorf("resized: the store was kept")
	}
	keepCache(prev, &rest.Stage{}) // disabled: nothing to keep, no panic
}

func TestStageCacheCanary(t *testing.T) {
	c := &Compiler{Clients: upstream.NewClients()}
	d, err := c.CompileDeployment("dep1", cachedAPI())
	if err != nil {
		t.Fatal(err)
	}
	for _, use := range []bool{false, true} {
		st, err := c.CompileStage(&model.Stage{StageName: "dev", CacheClusterEnabled: true, CacheClusterSize: model.Ptr("1.6"),
			MethodSettings: map[string]*model.MethodSetting{"*/*": cachingSetting(nil)},
			CanarySettings: &model.CanarySettings{PercentTraffic: model.Ptr(model.Double(50)), UseStageCache: use}}, d, d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Cache.Size != "1.6" || st.Cache.Store.(*respcache.Memory).Capacity() != 16*(1<<30)/10 {
			t.Errorf("size %q, capacity %d", st.Cache.Size, st.Cache.Store.(*respcache.Memory).Capacity())
		}
		if got := st.Cache.CanaryMethods != nil; got != use {
			t.Errorf("useStageCache=%v: canary methods cached: %v", use, got)
		}
	}
	if _, err := c.CompileStage(&model.Stage{StageName: "dev", CacheClusterEnabled: true, CacheClusterSize: model.Ptr("2")}, d, nil); err == nil {
		t.Errorf("an invalid cache cluster size compiled")
	}
}
