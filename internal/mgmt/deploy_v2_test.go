package mgmt_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// stageSnapshot reads what a data-plane compiler reads for a stage: the
// stage document and the snapshot of the deployment it names.
func stageSnapshot(t *testing.T, h *harness, apiID, stage string) (modelv2.Stage, *modelv2.Snapshot) {
	t.Helper()
	ctx := context.Background()
	var st modelv2.Stage
	var snap *modelv2.Snapshot
	err := h.store.View(ctx, func(r store.Reader) error {
		var err error
		if st, _, err = docstore.Get[modelv2.Stage](ctx, r, modelv2.ChildKey(modelv2.KindStage, apiID, stage)); err != nil {
			return err
		}
		if st.DeploymentID == nil {
			return nil
		}
		s, _, err := docstore.Get[modelv2.Snapshot](ctx, r, modelv2.ChildKey(modelv2.KindSnapshot, apiID, *st.DeploymentID))
		snap = &s
		return err
	})
	if err != nil {
		t.Fatalf("reading stage %s: %v", stage, err)
	}
	return st, snap
}

func routeKeys(snap *modelv2.Snapshot) []string {
	var out []string
	for _, rt := range snap.Routes {
		out = append(out, rt.RouteKey)
	}
	return out
}

// TestV2DeploymentSnapshots: a deployment freezes the routes,
// integrations and authorizers of its moment; auto-deploying stages move
// to a new snapshot with every change, in the same transaction, and
// stages deployed by hand keep theirs.
func TestV2DeploymentSnapshots(t *testing.T) {
	h := newHarness(t, "000000000000")
	var api struct{ ApiID string }
	mustUnmarshal(t, h.do("POST", "/v2/apis", `{"name":"q","protocolType":"HTTP","target":"arn:aws:lambda:us-east-1:000000000000:function:f"}`).Body, &api)
	base := "/v2/apis/" + api.ApiID

	st, snap := stageSnapshot(t, h, api.ApiID, "$default")
	if !st.AutoDeploy || snap == nil || len(snap.Routes) != 1 || snap.Routes[0].RouteKey != "$default" ||
		len(snap.Integrations) != 1 || snap.Integrations[0].IntegrationType != "AWS_PROXY" || snap.API.ApiID != api.ApiID {
		t.Fatalf("quick create: stage %+v snapshot %+v", st, snap)
	}

	// A manual stage pinned to a deployment of one route.
	if res := h.do("POST", base+"/stages", `{"stageName":"prod"}`); res.Status != 201 {
		t.Fatalf("create stage: %d %s", res.Status, res.Body)
	}
	if res := h.do("POST", base+"/deployments", `{"stageName":"prod"}`); res.Status != 201 {
		t.Fatalf("create deployment: %d %s", res.Status, res.Body)
	}
	_, prod := stageSnapshot(t, h, api.ApiID, "prod")

	var integ struct{ IntegrationID string }
	mustUnmarshal(t, h.do("POST", base+"/integrations", `{"integrationType":"HTTP_PROXY","integrationUri":"https://example.com/{proxy}","integrationMethod":"ANY","payloadFormatVersion":"1.0"}`).Body, &integ)
	if res := h.do("POST", base+"/routes", `{"routeKey":"ANY /api/{proxy+}","target":"integrations/`+integ.IntegrationID+`"}`); res.Status != 201 {
		t.Fatalf("create route: %d %s", res.Status, res.Body)
	}

	st2, snap2 := stageSnapshot(t, h, api.ApiID, "$default")
	if *st2.DeploymentID == *st.DeploymentID || len(snap2.Routes) != 2 || routeKeys(snap2)[1] != "ANY /api/{proxy+}" || len(snap2.Integrations) != 2 {
		t.Errorf("auto-deploy after a new route: stage %+v, snapshot routes %v", st2, routeKeys(snap2))
	}
	if st2.LastDeploymentStatusMessage == nil || *st2.LastDeploymentStatusMessage != "Successfully deployed stage with deployment ID '"+*st2.DeploymentID+"'" {
		t.Errorf("lastDeploymentStatusMessage %v", st2.LastDeploymentStatusMessage)
	}
	if _, again := stageSnapshot(t, h, api.ApiID, "prod"); len(again.Routes) != 1 || len(prod.Routes) != 1 {
		t.Errorf("a stage deployed by hand changed with the API: %v", routeKeys(again))
	}

	// Deleting every route: the auto-deploying stage keeps serving its last
	// deployment and says why it was not redeployed.
	var list struct{ Items []struct{ RouteID string } }
	mustUnmarshal(t, h.do("GET", base+"/routes", nil).Body, &list)
	for _, rt := range list.Items {
		if res := h.do("DELETE", base+"/routes/"+rt.RouteID, nil); res.Status != 204 {
			t.Fatalf("delete route: %d %s", res.Status, res.Body)
		}
	}
	st3, snap3 := stageSnapshot(t, h, api.ApiID, "$default")
	if st3.DeploymentID == nil || snap3 == nil || len(snap3.Routes) == 0 {
		t.Errorf("stage lost its deployment when the routes went: %+v", st3)
	}
	if m := st3.LastDeploymentStatusMessage; m == nil || *m != "Deployment attempt failed: Unable to deploy API because no routes exist in this API" {
		t.Errorf("lastDeploymentStatusMessage %v", m)
	}
	if res := h.do("POST", base+"/deployments", `{}`); res.Status != 400 || res.ErrorType != "BadRequestException" {
		t.Errorf("deploying an API without routes: %d %s", res.Status, res.Body)
	}
}

// TestV2DeleteApiCascades: DeleteApi removes every document of the API in
// its transaction, and leaves other APIs alone.
func TestV2DeleteApiCascades(t *testing.T) {
	h := newHarness(t, "000000000000")
	var a, b struct{ ApiID string }
	mustUnmarshal(t, h.do("POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","target":"https://a.example.com"}`).Body, &a)
	mustUnmarshal(t, h.do("POST", "/v2/apis", `{"name":"b","protocolType":"HTTP","target":"https://b.example.com"}`).Body, &b)
	if res := h.do("DELETE", "/v2/apis/"+a.ApiID+"/stages/%24default/cache/authorizers", nil); res.Status != 204 {
		t.Fatalf("reset cache: %d %s", res.Status, res.Body)
	}
	if res := h.do("DELETE", "/v2/apis/"+a.ApiID, nil); res.Status != 204 {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	ctx := context.Background()
	_ = h.store.View(ctx, func(r store.Reader) error {
		for _, kind := range append([]string{"v2api"}, modelv2.APIChildKinds...) {
			prefix := kind + "/" + a.ApiID
			items, err := r.List(ctx, prefix, store.ListOptions{})
			if err != nil || len(items) != 0 {
				t.Errorf("%s: %d documents left (%v)", prefix, len(items), err)
			}
			switch kind {
			case modelv2.KindFlush, modelv2.KindAuthorizer, modelv2.KindModel, modelv2.KindRouteResponse, modelv2.KindIntegrationResponse:
				continue // b has none (TestWebSocketCascades covers the WebSocket kinds)
			}
			if items, _ := r.List(ctx, kind+"/"+b.ApiID, store.ListOptions{}); len(items) == 0 {
				t.Errorf("%s of the other API: deleted", kind)
			}
		}
		return nil
	})
	if res := h.do("GET", "/v2/apis/"+a.ApiID+"/routes", nil); res.Status != 404 {
		t.Errorf("routes of a deleted API: %d %s", res.Status, res.Body)
	}
}
