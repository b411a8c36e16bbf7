package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/store/sqlite"
)

// TestCrashWebSocketCascades kills the gateway with SIGKILL while clients
// build and tear down a WebSocket API's routes with their route responses
// and integrations with their integration responses (an auto-deploying
// stage snapshots each change), restarts it on the same data dir, and
// reads the store: deleting a route or an integration takes its responses
// in the same transaction, so no route or integration response outlives
// its parent, every snapshot's responses belong to its own routes and
// integrations, and every acknowledged response whose parent was never
// deleted survived.
func TestCrashWebSocketCascades(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	var apiID string
	var acked sync.Map // store key of an acknowledged response → its parent's key
	var deleted sync.Map
	var writes atomic.Int64
	for round := 0; round < 3; round++ {
		g := startGateway(t, dataDir)
		c := g.client(t)
		if round == 0 {
			status, body, err := c.do(context.Background(), "POST", "/v2/apis", map[string]any{"name": "crash", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"})
			var api struct {
				APIID string `json:"apiId"`
			}
			if err != nil || status != 201 || json.Unmarshal(body, &api) != nil {
				t.Fatalf("CreateApi: %d %v %s", status, err, body)
			}
			apiID = api.APIID
			if status, body, err := c.do(context.Background(), "POST", "/v2/apis/"+apiID+"/stages", map[string]any{"stageName": "live", "autoDeploy": true}); err != nil || status != 201 {
				t.Fatalf("CreateStage: %d %v %s", status, err, body)
			}
		}
		base := "/v2/apis/" + apiID
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				create := func(path string, body map[string]any, field string) string {
					status, out, err := c.do(ctx, "POST", path, body)
					var v map[string]any
					if err != nil || status != 201 || json.Unmarshal(out, &v) != nil {
						return ""
					}
					writes.Add(1)
					id, _ := v[field].(string)
					return id
				}
				for i := 0; ctx.Err() == nil; i++ {
					ig := create(base+"/integrations", map[string]any{"integrationType": "MOCK"}, "integrationId")
					if ig == "" {
						continue
					}
					rt := create(base+"/routes", map[string]any{"routeKey": fmt.Sprintf("r%d-%d-%d", round, w, i), "target": "integrations/" + ig,
						"routeResponseSelectionExpression": "$default"}, "routeId")
					if ir := create(base+"/integrations/"+ig+"/integrationresponses", map[string]any{"integrationResponseKey": "$default"}, "integrationResponseId"); ir != "" {
						acked.Store(modelv2.SubKey(modelv2.KindIntegrationResponse, apiID, ig, ir), modelv2.ChildKey(modelv2.KindIntegration, apiID, ig))
					}
					if rt == "" {
						continue
					}
					if rr := create(base+"/routes/"+rt+"/routeresponses", map[string]any{"routeResponseKey": "$default"}, "routeResponseId"); rr != "" {
						acked.Store(modelv2.SubKey(modelv2.KindRouteResponse, apiID, rt, rr), modelv2.ChildKey(modelv2.KindRoute, apiID, rt))
					}
					if i%2 == 0 { // tear every other pair down: the route, then its integration
						key := modelv2.ChildKey(modelv2.KindRoute, apiID, rt)
						deleted.Store(key, true)
						if status, _, err := c.do(ctx, "DELETE", base+"/routes/"+rt, nil); err == nil && status == 204 {
							key = modelv2.ChildKey(modelv2.KindIntegration, apiID, ig)
							deleted.Store(key, true)
							_, _, _ = c.do(ctx, "DELETE", base+"/integrations/"+ig, nil)
						}
					}
				}
			}(w)
		}
		time.Sleep(time.Duration(300+rand.IntN(400)) * time.Millisecond)
		g.Kill()
		cancel()
		wg.Wait()
	}
	if writes.Load() == 0 {
		t.Fatal("no write was acknowledged before the kills")
	}
	// A clean start and stop replays the log, then the store is read.
	g := startGateway(t, dataDir)
	g.Stop()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "tollgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(r store.Reader) error {
		exists := func(key string) bool {
			ok, err := docstore.Exists(ctx, r, key)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		var responses int
		for _, kind := range []string{modelv2.KindRouteResponse, modelv2.KindIntegrationResponse} {
			parent := map[string]string{modelv2.KindRouteResponse: modelv2.KindRoute, modelv2.KindIntegrationResponse: modelv2.KindIntegration}[kind]
			items, err := r.List(ctx, modelv2.ChildPrefix(kind, apiID), store.ListOptions{})
			if err != nil {
				return err
			}
			for _, it := range items {
				responses++
				parentID := strings.Split(strings.TrimPrefix(it.Key, modelv2.ChildPrefix(kind, apiID)), "/")[0]
				if !exists(modelv2.ChildKey(parent, apiID, parentID)) {
					t.Errorf("%s outlived its %s", it.Key, parent)
				}
			}
		}
		acked.Range(func(k, parent any) bool {
			if _, gone := deleted.Load(parent); !gone && !exists(k.(string)) {
				t.Errorf("acknowledged %s is lost", k)
			}
			return true
		})
		snaps, err := docstore.ListRecords[modelv2.Snapshot](ctx, r, modelv2.ChildPrefix(modelv2.KindSnapshot, apiID))
		if err != nil {
			return err
		}
		for _, rec := range snaps {
			checkSnapshotResponses(t, rec)
		}
		t.Logf("%d writes acknowledged, %d responses and %d snapshots after the kills", writes.Load(), responses, len(snaps))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkSnapshotResponses: a snapshot's route and integration responses
// belong to routes and integrations of the same snapshot.
func checkSnapshotResponses(t *testing.T, rec model.Record[modelv2.Snapshot]) {
	t.Helper()
	routes, integrations := map[string]bool{}, map[string]bool{}
	for _, rt := range rec.V.Routes {
		routes[rt.RouteID] = true
	}
	for _, ig := range rec.V.Integrations {
		integrations[ig.IntegrationID] = true
	}
	for id := range rec.V.RouteResponses {
		if !routes[id] {
			t.Errorf("snapshot %d has route responses of route %s, which it lacks", rec.Seq, id)
		}
	}
	for id := range rec.V.IntegrationResponses {
		if !integrations[id] {
			t.Errorf("snapshot %d has integration responses of integration %s, which it lacks", rec.Seq, id)
		}
	}
}
