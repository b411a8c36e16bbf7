package deploy

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway/front"
	"github.com/tollgate/tollgate/internal/gateway/wsapi"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// TestWatcherWebSocketAPIs: a WebSocket API's stage is compiled from its
// deployment's snapshot and published; a redeploy publishes the new
// deployment; a snapshot that does not compile keeps the previous one; a
// deleted stage is unpublished.
func TestWatcherWebSocketAPIs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := func(keys ...string) modelv2.Snapshot {
		s := modelv2.Snapshot{API: modelv2.Api{ApiID: "w1", Name: "chat", ProtocolType: modelv2.ProtocolWebSocket,
			RouteSelectionExpression: "$request.body.action"},
			Integrations: []modelv2.Integration{{IntegrationID: "i1", IntegrationType: modelv2.IntegrationMock}}}
		for _, k := range keys {
			s.Routes = append(s.Routes, modelv2.Route{RouteID: k, RouteKey: k, AuthorizationType: modelv2.AuthNone,
				Target: model.Ptr("integrations/i1")})
		}
		return s
	}
	put(t, st, modelv2.KeyApi("w1"), modelv2.Api{ApiID: "w1", ProtocolType: modelv2.ProtocolWebSocket})
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "w1", "d1"), snap("$default"))
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "w1", "prod"), modelv2.Stage{StageName: "prod", DeploymentID: model.Ptr("d1")})
	door := &front.Door{}
	w := &Watcher{Store: st, Front: door, Compiler: &Compiler{WebSocket: &wsapi.Env{}}}
	rev, err := w.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.Run(ctx, rev) }()
	served := func(dep string, routes int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			s, _ := door.Lookup("w1", "prod").(*wsapi.Stage)
			if dep == "" && s == nil {
				return
			}
			if s != nil && s.Deployment != nil && s.Deployment.ID == dep && len(s.Deployment.RouteList) == routes {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("stage prod: %+v, want deployment %q with %d routes", s, dep, routes)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	served("d1", 1)
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "w1", "d2"), snap("$default", "join"))
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "w1", "prod"), modelv2.Stage{StageName: "prod", DeploymentID: model.Ptr("d2")})
	served("d2", 2)
	bad := snap("$default")
	bad.API.RouteSelectionExpression = "${request.body.x"
	put(t, st, modelv2.ChildKey(modelv2.KindSnapshot, "w1", "d3"), bad)
	put(t, st, modelv2.ChildKey(modelv2.KindStage, "w1", "prod"), modelv2.Stage{StageName: "prod", DeploymentID: model.Ptr("d3")})
	deadline := time.Now().Add(5 * time.Second)
	for w.Failures()["w1/prod"] == "" {
		if time.Now().After(deadline) {
			t.Fatal("the bad snapshot's failure is not reported")
		}
		time.Sleep(5 * time.Millisecond)
	}
	served("d2", 2)
	if _, err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, modelv2.ChildKey(modelv2.KindStage, "w1", "prod")) }); err != nil {
		t.Fatal(err)
	}
	served("", 0)
}
