package rest_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/pipeline"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/router"
	"github.com/tollgate/tollgate/internal/respcache"
)

// scripted is an integration that answers with its fields and counts its
// calls; with stream set the body is streamed (size -1).
type scripted struct {
	calls  int
	status int
	body   []byte
	stream bool
}

func (s *scripted) Invoke(x *rest.Exchange) error {
	s.calls++
	x.Resp.SetStatus(s.status)
	x.Resp.SetHeader("Content-Type", "text/plain")
	x.Resp.AddHeader("X-Multi", "1")
	x.Resp.AddHeader("X-Multi", "2")
	x.Resp.SetHeader("X-Gone", "soon")
	x.Resp.DelHeader("x-gone")
	if s.stream {
		x.StreamBody(io.NopCloser(bytes.NewReader(s.body)), -1)
	} else {
		x.Resp.SetBody(s.body)
	}
	return nil
}

// cachedStage serves integ at GET /r of API "a", stage "s", cached for a
// minute.
func cachedStage(t *testing.T, integ rest.Integration) (*front.Door, *respcache.Memory) {
	t.Helper()
	r := &rest.Route{RouteInfo: pipeline.RouteInfo{ResourceID: "res", ResourcePath: "/r", HTTPMethod: "GET"}, Integration: integ, CacheNamespace: "res"}
	d := &rest.Deployment{ID: "d", APIID: "a", APIName: "a", RouteList: []*rest.Route{r}, NumRoutes: 1}
	if err := d.Routes.Add("/r", router.GET, r); err != nil {
		t.Fatal(err)
	}
	mem := respcache.NewMemory(16<<20, nil)
	st := &rest.Stage{StageInfo: pipeline.StageInfo{Name: "s", APIID: "a"}, Deployment: d, Cache: &rest.StageCache{Store: mem, Size: "0.5",
		Methods: []*rest.MethodCache{{TTL: time.Minute, RequireAuthorization: true}}}}
	door := &front.Door{}
	door.Set("a", "s", st)
	return door, mem
}

func get(h *front.Door) *gatewaytest.Response {
	resp := gatewaytest.NewResponse()
	h.Serve(context.Background(), gatewaytest.NewRequest("GET", "a.execute-api.localhost", "/s/r", nil), resp)
	resp.Body() // drains and closes a stream, as an engine does
	return resp
}

func TestCacheRecordsWhatTheIntegrationWrote(t *testing.T) {
	for _, stream := range []bool{false, true} {
		integ := &scripted{status: 201, body: []byte("hello"), stream: stream}
		h, _ := cachedStage(t, integ)
		first := get(h)
		hit := get(h)
		if integ.calls != 1 {
			t.Fatalf("stream=%v: the integration ran %d times, want 1", stream, integ.calls)
		}
		if hit.Code != 201 || string(hit.BodyBuf) != "hello" || hit.Headers.Get("Content-Type") != "text/plain" ||
			strings.Join(hit.Headers.Values("X-Multi"), ",") != "1,2" || hit.Headers.Get("X-Gone") != "" {
			t.Errorf("stream=%v: hit %d %q %v", stream, hit.Code, hit.BodyBuf, hit.Headers)
		}
		if hit.Headers.Get("x-amzn-RequestId") == first.Headers.Get("x-amzn-RequestId") {
			t.Errorf("stream=%v: the hit reused the first request's id", stream)
		}
	}
}

func TestCacheSkipsUncacheableResponses(t *testing.T) {
	for name, integ := range map[string]*scripted{
		"error status":       {status: 500, body: []byte("boom")},
		"body over 1 MB":     {status: 200, body: make([]byte, respcache.MaxEntryBytes+1)},
		"stream over 1 MB":   {status: 200, body: make([]byte, respcache.MaxEntryBytes+1), stream: true},
		"redirect (non-2xx)": {status: 302},
	} {
		h, mem := cachedStage(t, integ)
		get(h)
		get(h)
		if integ.calls != 2 || mem.Len() != 0 {
			t.Errorf("%s: %d calls, %d entries; want 2 calls and nothing cached", name, integ.calls, mem.Len())
		}
	}
}

func TestCacheIgnoresUnfinishedStreams(t *testing.T) {
	integ := &scripted{status: 200, body: []byte("partial body"), stream: true}
	h, mem := cachedStage(t, integ)
	resp := gatewaytest.NewResponse()
	h.Serve(context.Background(), gatewaytest.NewRequest("GET", "a.execute-api.localhost", "/s/r", nil), resp)
	buf := make([]byte, 3)
	_, _ = resp.Stream.Read(buf)
	_ = resp.Stream.(io.Closer).Close() // the client went away
	if mem.Len() != 0 {
		t.Errorf("a stream closed before its end was cached")
	}
}
