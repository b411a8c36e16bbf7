package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/gatewaytest"
	"github.com/tollgate/tollgate/internal/gateway/observe"
	"github.com/tollgate/tollgate/internal/gateway/rest"
	"github.com/tollgate/tollgate/internal/gateway/upstream"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// mockMethod is a MOCK method answering 200 with body.
func mockMethod(body string) *model.Method {
	return &model.Method{
		HTTPMethod: "GET", AuthorizationType: "NONE",
		MethodIntegration: &model.Integration{
			Type:                 "MOCK",
			RequestTemplates:     map[string]*string{"application/json": model.Ptr(`{"statusCode": 200}`)},
			PassthroughBehavior:  model.Ptr("WHEN_NO_MATCH"),
			TimeoutInMillis:      29000,
			IntegrationResponses: map[string]*model.IntegrationResponse{"200": {StatusCode: "200", ResponseTemplates: map[string]*string{"application/json": model.Ptr(body)}}},
		},
	}
}

// snapshot builds an API whose resources each have one GET MOCK method.
func snapshot(apiID string, paths map[string]string) *model.Snapshot {
	s := &model.Snapshot{API: model.RestApi{ID: apiID, Name: "test-" + apiID}}
	ids := map[string]string{"/": "root"}
	s.Resources = append(s.Resources, model.Resource{ID: "root", Path: "/"})
	i := 0
	for p, body := range paths {
		if p == "/" {
			s.Resources[0].ResourceMethods = map[string]*model.Method{"GET": mockMethod(body)}
			continue
		}
		i++
		id := fmt.Sprintf("r%d", i)
		ids[p] = id
		s.Resources = append(s.Resources, model.Resource{ID: id, Path: p, PathPart: p[strings.LastIndex(p, "/")+1:],
			ResourceMethods: map[string]*model.Method{"GET": mockMethod(body)}})
	}
	return s
}

func serve(h *front.Door, method, host, target string, headers ...string) *gatewaytest.Response {
	req := gatewaytest.NewRequest(method, host, target, nil, headers...)
	resp := gatewaytest.NewResponse()
	h.Serve(context.Background(), req, resp)
	return resp
}

func TestCompiledStageServes(t *testing.T) {
	c := &Compiler{Env: &rest.Env{AccountID: "000000000000"}, Clients: upstream.NewClients()}
	d, err := c.CompileDeployment("dep1", snapshot("api1", map[string]string{"/pets": `{"pets":[]}`, "/pets/{id}": `$context.resourcePath $stageVariables.v`}))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.CompileStage(&model.Stage{StageName: "dev", Variables: map[string]string{"v": "x"}}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	door := &front.Door{}
	door.Set("api1", "dev", st)
	h := door

	r := serve(h, "GET", "api1.execute-api.localhost", "/dev/pets")
	if r.Code != 200 || string(r.Body()) != `{"pets":[]}` || r.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("GET /pets: %d %q %v", r.Code, r.Body(), r.Headers)
	}
	if id := r.Headers.Get("x-amzn-RequestId"); len(id) != 36 || r.Headers.Get("x-amz-apigw-id") == "" {
		t.Errorf("ids: %v", r.Headers)
	}
	r = serve(h, "GET", "localhost", "/_aws/execute-api/api1/dev/pets/7")
	if string(r.Body()) != "/pets/{id} x" {
		t.Errorf("templated body %q", r.Body())
	}
	r = serve(h, "POST", "localhost", "/restapis/api1/dev/_user_request_/pets")
	if r.Code != 403 || string(r.Body()) != `{"message":"Missing Authentication Token"}` || r.Headers.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unknown verb: %d %s %v", r.Code, r.Body(), r.Headers)
	}
	r = serve(h, "GET", "localhost", "/_aws/execute-api/api1/prod/pets")
	if r.Code != 403 || string(r.Body()) != `{"message":"Forbidden"}` {
		t.Errorf("unknown stage: %d %s", r.Code, r.Body())
	}
}

// put writes a document the way the management API stores it.
func put(t *testing.T, st store.Store, key string, v any) {
	t.Helper()
	b, err := json.Marshal(model.Record[any]{V: v})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Put(context.Background(), key, b) }); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherSwapsAndKeepsServingOnCompileFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d1"), snapshot("api1", map[string]string{"/a": "one"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d1"})

	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{Clients: upstream.NewClients()}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.Run(ctx, rev) }()
	h := door
	expect := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := string(serve(h, "GET", "x", "/_aws/execute-api/api1/dev/a").Body())
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("body %q, want %q", got, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	expect("one")

	// A new deployment swaps in.
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d2"), snapshot("api1", map[string]string{"/a": "two"}))
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d2"})
	expect("two")

	// A deployment that does not compile keeps the previous one serving and
	// is reported.
	bad := snapshot("api1", map[string]string{"/a": "three"})
	bad.Resources[1].ResourceMethods["GET"].MethodIntegration = &model.Integration{Type: "HTTP_PROXY", URI: model.Ptr("not a url"), TimeoutInMillis: 29000}
	put(t, st, model.ChildKey(model.KindSnapshot, "api1", "d3"), bad)
	put(t, st, model.ChildKey(model.KindStage, "api1", "dev"), model.Stage{StageName: "dev", DeploymentID: "d3"})
	deadline := time.Now().Add(5 * time.Second)
	for len(w.Failures()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if f := w.Failures()["api1/dev"]; !strings.Contains(f, "invalid HTTP endpoint") {
		t.Fatalf("failure not reported: %v", w.Failures())
	}
	expect("two")

	// Deleting the stage stops serving it.
	if _, err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, model.ChildKey(model.KindStage, "api1", "dev")) }); err != nil {
		t.Fatal(err)
	}
	expect(`{"message":"Forbidden"}`)
}

func bigSnapshot(n int) *model.Snapshot {
	paths := map[string]string{"/{proxy+}": "proxy"}
	for i := 0; i < n; i++ {
		paths[fmt.Sprintf("/svc%d/items", i)] = "x"
	}
	return snapshot("big", paths)
}

// BenchmarkCompileDeployment measures compiling deployments of 10 and
// 10,000 resources (issue 3's target: 10,000 in under a second).
func BenchmarkCompileDeployment(b *testing.B) {
	for _, n := range []int{10, 10000} {
		snap := bigSnapshot(n)
		c := &Compiler{Clients: upstream.NewClients()}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := c.CompileDeployment("d", snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServeMock measures the pipeline alone (no engine, no network)
// for a MOCK route, on a 10- and a 10,000-resource API.
func BenchmarkServeMock(b *testing.B) {
	for _, n := range []int{10, 10000} {
		c := &Compiler{Clients: upstream.NewClients()}
		d, err := c.CompileDeployment("d", bigSnapshot(n))
		if err != nil {
			b.Fatal(err)
		}
		st, _ := c.CompileStage(&model.Stage{StageName: "s"}, d, nil)
		door := &front.Door{}
		door.Set("big", "s", st)
		h := door
		req := gatewaytest.NewRequest("GET", "big.execute-api.localhost", "/s/svc7/items", nil)
		resp := gatewaytest.NewResponse()
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				resp.Reset()
				h.Serve(context.Background(), req, resp)
			}
		})
	}
}

// BenchmarkServeProxy measures the pipeline for an HTTP_PROXY route to a
// loopback backend, with an access log (no client engine).
func BenchmarkServeProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer backend.Close()
	snap := snapshot("px", nil)
	snap.Resources = append(snap.Resources, model.Resource{ID: "p", ParentID: "root", PathPart: "{proxy+}", Path: "/{proxy+}",
		ResourceMethods: map[string]*model.Method{"ANY": {HTTPMethod: "ANY", AuthorizationType: "NONE",
			RequestParameters: map[string]bool{"method.request.path.proxy": true},
			MethodIntegration: &model.Integration{Type: "HTTP_PROXY", HTTPMethod: model.Ptr("ANY"), URI: model.Ptr(backend.URL + "/{proxy}"),
				RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}, TimeoutInMillis: 29000}}}})
	logs := &observe.LogSinks{Stdout: io.Discard}
	defer logs.Close()
	c := &Compiler{Clients: upstream.NewClients(), Logs: logs}
	d, err := c.CompileDeployment("d", snap)
	if err != nil {
		b.Fatal(err)
	}
	format := `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","path":"$context.path","status":"$context.status","len":"$context.responseLength","time":"$context.requestTime","lat":"$context.integrationLatency"}`
	st, err := c.CompileStage(&model.Stage{StageName: "s", AccessLogSettings: &model.AccessLogSettings{Format: &format, DestinationArn: model.Ptr("-")}}, d, nil)
	if err != nil {
		b.Fatal(err)
	}
	door := &front.Door{}
	door.Set("px", "s", st)
	h := door
	req := gatewaytest.NewRequest("GET", "px.execute-api.localhost", "/s/hello", nil, "Accept", "*/*", "User-Agent", "bench")
	resp := gatewaytest.NewResponse()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		resp.Reset()
		h.Serve(context.Background(), req, resp)
		if resp.Code != 200 {
			b.Fatalf("status %d %s", resp.Code, resp.Body())
		}
	}
}
