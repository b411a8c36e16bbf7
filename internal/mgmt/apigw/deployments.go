package apigw

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/patch"
	"github.com/tollgate/tollgate/internal/store"
)

type canarySettingsInput struct {
	PercentTraffic         *float64          `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          *bool             `json:"useStageCache"`
	DeploymentID           *string           `json:"deploymentId"`
}

type createDeploymentInput struct {
	StageName           *string              `json:"stageName"`
	StageDescription    *string              `json:"stageDescription"`
	Description         *string              `json:"description"`
	CacheClusterEnabled *bool                `json:"cacheClusterEnabled"`
	CacheClusterSize    *string              `json:"cacheClusterSize"`
	Variables           map[string]string    `json:"variables"`
	CanarySettings      *canarySettingsInput `json:"canarySettings"`
	TracingEnabled      *bool                `json:"tracingEnabled"`
}

func (a *API) createDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	var in createDeploymentInput
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	apiID := r.Path("restapi_id")
	var dep model.Deployment
	err := a.update(ctx, func(tx store.Tx) error {
		snap, err := a.takeSnapshot(ctx, tx, apiID)
		if err != nil {
			return err
		}
		if err := checkDeployable(snap); err != nil {
			return err
		}
		stageName := model.Deref(in.StageName)
		if in.CanarySettings != nil {
			if stageName == "" {
				prov := "null"
				if in.StageName != nil {
					prov = ""
				}
				return awserr.BadRequest("Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is %s", prov)
			}
			ok, err := exists(ctx, tx, model.ChildKey(model.KindStage, apiID, stageName))
			if err != nil {
				return err
			}
			if !ok {
				return awserr.BadRequest("Invalid deployment content specified.Stage %s must already be created before making a canary release deployment", stageName)
			}
		}
		if err := checkVariables(in.Variables); err != nil {
			return err
		}
		if err := checkCacheClusterSize(in.CacheClusterSize); err != nil {
			return err
		}
		now := model.TimeOf(a.now())
		dep = model.Deployment{ID: a.ids.ID(lenDeploymentID), Description: in.Description, CreatedDate: now}
		seq := a.seq.next()
		if err := put(ctx, tx, model.ChildKey(model.KindDeployment, apiID, dep.ID), seq, dep); err != nil {
			return err
		}
		if err := put(ctx, tx, model.ChildKey(model.KindSnapshot, apiID, dep.ID), seq, *snap); err != nil {
			return err
		}
		if stageName == "" {
			return nil
		}
		return a.deployToStage(ctx, tx, apiID, stageName, dep.ID, &in, now)
	})
	if err != nil {
		return nil, err
	}
	return dep, nil
}

// deployToStage points (or, for a canary, canary-points) a stage at a new
// deployment, creating the stage if needed.
func (a *API) deployToStage(ctx context.Context, tx store.Tx, apiID, name, depID string, in *createDeploymentInput, now model.Time) error {
	key := model.ChildKey(model.KindStage, apiID, name)
	st, seq, err := get[model.Stage](ctx, tx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	if isNotFound(err) {
		if err := checkStageName(name); err != nil {
			return err
		}
		st = newStage(name, now)
		seq = a.seq.next()
	}
	if c := in.CanarySettings; c != nil {
		cs := &model.CanarySettings{DeploymentID: &depID, StageVariableOverrides: c.StageVariableOverrides, UseStageCache: model.Deref(c.UseStageCache)}
		if c.PercentTraffic != nil {
			cs.PercentTraffic = model.Ptr(model.Double(*c.PercentTraffic))
		} else {
			cs.PercentTraffic = model.Ptr(model.Double(0))
		}
		st.CanarySettings = cs
	} else {
		st.DeploymentID = depID
		if in.StageDescription != nil {
			st.Description = in.StageDescription
		}
		if in.Variables != nil {
			st.Variables = in.Variables
		}
	}
	if in.CacheClusterEnabled != nil {
		setCacheCluster(&st, *in.CacheClusterEnabled)
	}
	if in.CacheClusterSize != nil {
		st.CacheClusterSize = in.CacheClusterSize
	}
	if in.TracingEnabled != nil {
		st.TracingEnabled = *in.TracingEnabled
	}
	st.LastUpdatedDate = now
	return put(ctx, tx, key, seq, st)
}

// takeSnapshot copies everything a deployment freezes.
func (a *API) takeSnapshot(ctx context.Context, rd store.Reader, apiID string) (*model.Snapshot, error) {
	api, err := a.loadAPI(ctx, rd, apiID)
	if err != nil {
		return nil, err
	}
	snap := &model.Snapshot{API: api}
	t, err := a.loadTree(ctx, rd, apiID)
	if err != nil {
		return nil, err
	}
	for _, res := range t.sorted() {
		snap.Resources = append(snap.Resources, *res)
	}
	if snap.Models, err = list[model.Model](ctx, rd, model.ChildPrefix(model.KindModel, apiID)); err != nil {
		return nil, err
	}
	if snap.Validators, err = list[model.RequestValidator](ctx, rd, model.ChildPrefix(model.KindValidator, apiID)); err != nil {
		return nil, err
	}
	if snap.Authorizers, err = list[model.Authorizer](ctx, rd, model.ChildPrefix(model.KindAuthorizer, apiID)); err != nil {
		return nil, err
	}
	if snap.GatewayResponses, err = list[model.GatewayResponse](ctx, rd, model.ChildPrefix(model.KindGatewayResponse, apiID)); err != nil {
		return nil, err
	}
	return snap, nil
}

// checkDeployable refuses APIs AWS refuses to deploy.
func checkDeployable(snap *model.Snapshot) error {
	methods := 0
	for _, res := range snap.Resources {
		for _, verb := range sortedKeys(res.ResourceMethods) {
			methods++
			if res.ResourceMethods[verb].MethodIntegration == nil {
				return awserr.BadRequest("No integration defined for method") // [C]
			}
		}
	}
	if methods == 0 {
		return awserr.BadRequest("The REST API doesn't contain any methods") // [C]
	}
	return nil
}

func (a *API) getDeployments(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, model.KindDeployment, func(d model.Deployment) string { return d.ID })
}

func (a *API) loadDeployment(ctx context.Context, rd store.Reader, apiID, id string) (model.Deployment, int64, error) {
	return loadChild[model.Deployment](ctx, a, rd, model.KindDeployment, apiID, id, errDeployment)
}

func (a *API) getDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("deployment_id")
	embed := false
	for _, e := range r.QueryAll("embed") {
		embed = embed || strings.Contains(e, "apisummary")
	}
	var dep model.Deployment
	err := a.view(ctx, func(rd store.Reader) error {
		var err error
		dep, _, err = a.loadDeployment(ctx, rd, apiID, id)
		if err != nil || !embed {
			return err
		}
		snap, _, err := get[model.Snapshot](ctx, rd, model.ChildKey(model.KindSnapshot, apiID, id))
		if err != nil {
			return err
		}
		dep.ApiSummary = apiSummary(&snap)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dep, nil
}

func apiSummary(snap *model.Snapshot) map[string]map[string]model.MethodSnapshot {
	out := map[string]map[string]model.MethodSnapshot{}
	for _, res := range snap.Resources {
		if len(res.ResourceMethods) == 0 {
			continue
		}
		verbs := map[string]model.MethodSnapshot{}
		for verb, m := range res.ResourceMethods {
			verbs[verb] = model.MethodSnapshot{AuthorizationType: m.AuthorizationType, ApiKeyRequired: m.ApiKeyRequired}
		}
		out[res.Path] = verbs
	}
	return out
}

func (a *API) updateDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("deployment_id")
	return output(patchDocument(ctx, a, r, "updateDeploymentInput", model.ChildKey(model.KindDeployment, apiID, id),
		func(rd store.Reader) (model.Deployment, int64, error) { return a.loadDeployment(ctx, rd, apiID, id) },
		func(_ store.Tx, dep *model.Deployment, ops []patch.Operation) error {
			return eachOp(dep, ops, func(dep *model.Deployment, op patch.Operation) error {
				if op.Path != "/description" {
					return patch.InvalidPathFor(op, "/description")
				}
				if op.Op != "replace" {
					return patch.UnsupportedOp(op)
				}
				dep.Description = optional(op.Str())
				return nil
			})
		}))
}

func (a *API) deleteDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("restapi_id"), r.Path("deployment_id")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := a.loadDeployment(ctx, tx, apiID, id); err != nil {
			return err
		}
		stages, err := list[model.Stage](ctx, tx, model.ChildPrefix(model.KindStage, apiID))
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == id || (st.CanarySettings != nil && model.Deref(st.CanarySettings.DeploymentID) == id) {
				return awserr.BadRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		if err := tx.Delete(ctx, model.ChildKey(model.KindDeployment, apiID, id)); err != nil {
			return err
		}
		_ = tx.Delete(ctx, model.ChildKey(model.KindSnapshot, apiID, id))
		return nil
	})
}
