package deploy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/httpapi"
	"github.com/tollgate/tollgate/internal/gateway/invoker"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// answering is an invoker whose every function answers its own name.
type answering struct{}

func (answering) Invoke(_ context.Context, fn string, _ []byte) (invoker.Result, error) {
	fn = fn[strings.LastIndexByte(fn, ':')+1:]
	return invoker.Result{Payload: []byte(`{"statusCode":200,"body":"` + fn + `"}`)}, nil
}

// httpSnapshot is an HTTP API whose routes each invoke the function named
// by the route's value (answering its name).
func httpSnapshot(apiID string, routes map[string]string) modelv2.Snapshot {
	s := modelv2.Snapshot{API: modelv2.Api{ApiID: apiID, Name: "h-" + apiID, ProtocolType: modelv2.ProtocolHTTP}}
	for key, fn := range routes {
		id := "i" + fn
		s.Integrations = append(s.Integrations, modelv2.Integration{IntegrationID: id, IntegrationType: modelv2.IntegrationAWSProxy,
			IntegrationURI: model.Ptr("arn:aws:lambda:us-east-1:000000000000:function:" + fn), PayloadFormatVersion: "2.0", ConnectionType: modelv2.ConnectionInternet, TimeoutInMillis: 30000})
		s.Routes = append(s.Routes, modelv2.Route{RouteID: "r" + fn, RouteKey: key, AuthorizationType: modelv2.AuthNone,
			Target: model.Ptr(modelv2.TargetPrefix + id)})
	}
	return s
}

// TestWatcherHTTPAPIs: HTTP API stages are compiled at start-up and
// followed through the change feed: a stage moved to a new deployment (as
// auto-deploy does), a stage without a deployment (404), a deleted stage,
// a deleted API; WebSocket APIs are left alone.
func TestWatcherHTTPAPIs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	httpAPI := modelv2.Api{ApiID: "h1", Name: "h", ProtocolType: modelv2.ProtocolHTTP}
	put(t, st, modelv2.KeyApi("h1"), httpAPI)
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "h1", "d1"), httpSnapshot("h1", map[string]string{"GET /a": "one"}))
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "h1", "$default"), modelv2.Stage{StageName: "$default", DeploymentID: model.Ptr("d1")})
	put(t, st, modelv2.KeyApi("w1"), modelv2.Api{ApiID: "w1", ProtocolType: modelv2.ProtocolWebSocket})
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "w1", "prod"), modelv2.Stage{StageName: "prod"})

	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{HTTP: &httpapi.Env{Lambda: answering{}}}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.Run(ctx, rev) }()
	get := func(target, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := string(serve(door, "GET", "h1.execute-api.localhost", target).Body())
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %q, never %q", target, got, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	get("/a", "one")
	if _, ok := door.Lookup("w1", "prod").(*wsapi.Stage); !ok {
		t.Errorf("a WebSocket API's stage is published as %T", door.Lookup("w1", "prod"))
	}

	// Auto-deploy: a new deployment, the stage pointed at it.
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "h1", "d2"), httpSnapshot("h1", map[string]string{"GET /a": "two", "GET /b": "bee"}))
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "h1", "$default"), modelv2.Stage{StageName: "$default", DeploymentID: model.Ptr("d2"), AutoDeploy: true})
	get("/a", "two")
	get("/b", "bee")

	// A named stage without a deployment answers 404; /dev/... no longer
	// reaches $default.
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "h1", "dev"), modelv2.Stage{StageName: "dev"})
	get("/dev/a", `{"message":"Not Found"}`)

	// A snapshot that does not compile keeps the previous version serving.
	bad := httpSnapshot("h1", map[string]string{"GET /a": "three"})
	bad.Routes[0].AuthorizationType = modelv2.AuthJWT
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "h1", "d3"), bad)
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "h1", "$default"), modelv2.Stage{StageName: "$default", DeploymentID: model.Ptr("d3")})
	deadline := time.Now().Add(5 * time.Second)
	for w.Failures()["h1/$default"] == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if w.Failures()["h1/$default"] == "" {
		t.Fatal("no compile failure recorded")
	}
	get("/a", "two")

	del := func(key string) {
		if _, err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, key) }); err != nil {
			t.Fatal(err)
		}
	}
	del(modelv2.ChildKey(modelv2.KindStage, "h1", "$default"))
	get("/a", `{"message":"Not Found"}`) // the API's dev stage answers for it
	del(modelv2.KeyApi("h1"))
	get("/dev/a", `{"message":"Forbidden"}`) // no such API
	if len(w.Failures()) != 0 {
		t.Errorf("failures of a deleted API stay: %v", w.Failures())
	}
}
