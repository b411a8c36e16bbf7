package apigwv2

import (
	"context"
	"errors"
	"strings"

	"github.com/tollgate/tollgate/internal/awserr"
	"github.com/tollgate/tollgate/internal/mgmt/docstore"
	"github.com/tollgate/tollgate/internal/mgmt/modelschema"
	"github.com/tollgate/tollgate/internal/mgmt/restjson"
	"github.com/tollgate/tollgate/internal/model"
	"github.com/tollgate/tollgate/internal/modelv2"
	"github.com/tollgate/tollgate/internal/store"
)

// deployFailure is why a deployment cannot be made: CreateDeployment
// answers with it, an automatic deployment records it on its stages
// instead of failing the change that triggered it [X][U].
type deployFailure struct{ err error }

func (d deployFailure) Error() string { return d.err.Error() }
func (d deployFailure) Unwrap() error { return d.err }

// errNoRoutes is AWS's answer for deploying an API without routes [C].
var errNoRoutes = deployFailure{bad("Unable to deploy API because no routes exist in this API")}

// isDeployFailure reports whether err says why a deployment cannot be made.
func isDeployFailure(err error) bool {
	var d deployFailure
	return errors.As(err, &d)
}

// checkModelReferences validates a WebSocket API's models together, as
// AWS does when it deploys unless the API disables schema validation [M]:
// a schema's references to other models must be in canonical form
// (modelschema.ModelURL of this API) and name a model of the API
// [C: Dropsource/serverless-todo-api-example-complete#3 for the canonical
// form; the deploy-time text is U].
func checkModelReferences(snap *modelv2.Snapshot) error {
	if snap.API.ProtocolType != modelv2.ProtocolWebSocket || snap.API.DisableSchemaValidation {
		return nil
	}
	names := make(map[string]bool, len(snap.Models))
	for _, m := range snap.Models {
		names[m.Name] = true
	}
	prefix := modelschema.ModelURL(snap.API.ApiID, "")
	for _, m := range snap.Models {
		for _, ref := range modelschema.References(model.Deref(m.Schema)) {
			name, ok := strings.CutPrefix(ref, prefix)
			switch {
			case !ok || strings.Contains(name, "/"):
				return deployFailure{bad("Unable to deploy API because model %s is invalid: Invalid model schema specified, Model reference must be in canonical form: %s", m.Name, ref)} // [C][U]
			case !names[name]:
				return deployFailure{bad("Unable to deploy API because model %s refers to model %s, which does not exist", m.Name, name)} // [U]
			}
		}
	}
	return nil
}

// takeSnapshot copies everything a deployment freezes.
func takeSnapshot(ctx context.Context, rd store.Reader, api modelv2.Api) (*modelv2.Snapshot, error) {
	snap := &modelv2.Snapshot{API: api}
	snap.API.Tags = nil
	var err error
	if snap.Routes, err = docstore.List[modelv2.Route](ctx, rd, modelv2.ChildPrefix(modelv2.KindRoute, api.ApiID)); err != nil {
		return nil, err
	}
	if snap.Integrations, err = docstore.List[modelv2.Integration](ctx, rd, modelv2.ChildPrefix(modelv2.KindIntegration, api.ApiID)); err != nil {
		return nil, err
	}
	if snap.Authorizers, err = docstore.List[modelv2.Authorizer](ctx, rd, modelv2.ChildPrefix(modelv2.KindAuthorizer, api.ApiID)); err != nil {
		return nil, err
	}
	if api.ProtocolType != modelv2.ProtocolWebSocket {
		return snap, nil
	}
	routeIDs := make([]string, len(snap.Routes))
	for i, rt := range snap.Routes {
		routeIDs[i] = rt.RouteID
	}
	if snap.RouteResponses, err = byParent[modelv2.RouteResponse](ctx, rd, modelv2.KindRouteResponse, api.ApiID, routeIDs); err != nil {
		return nil, err
	}
	integrationIDs := make([]string, len(snap.Integrations))
	for i, ig := range snap.Integrations {
		integrationIDs[i] = ig.IntegrationID
	}
	if snap.IntegrationResponses, err = byParent[modelv2.IntegrationResponse](ctx, rd, modelv2.KindIntegrationResponse, api.ApiID, integrationIDs); err != nil {
		return nil, err
	}
	if snap.Models, err = docstore.List[modelv2.Model](ctx, rd, modelv2.ChildPrefix(modelv2.KindModel, api.ApiID)); err != nil {
		return nil, err
	}
	return snap, nil
}

// byParent lists the documents of a kind stored under each of parents, by
// parent id; parents without any are left out.
func byParent[T any](ctx context.Context, rd store.Reader, kind, apiID string, parents []string) (map[string][]T, error) {
	var out map[string][]T
	for _, id := range parents {
		docs, err := docstore.List[T](ctx, rd, modelv2.SubPrefix(kind, apiID, id))
		if err != nil {
			return nil, err
		}
		if len(docs) == 0 {
			continue
		}
		if out == nil {
			out = map[string][]T{}
		}
		out[id] = docs
	}
	return out, nil
}

// deploy stores a new deployment of the API's current configuration and
// its snapshot. It fails with errNoRoutes when there is nothing to serve.
func (a *API) deploy(ctx context.Context, tx store.Tx, apiID string, auto bool, description *string) (modelv2.Deployment, error) {
	api, _, err := a.loadAPI(ctx, tx, apiID)
	if err != nil {
		return modelv2.Deployment{}, err
	}
	snap, err := takeSnapshot(ctx, tx, api)
	if err != nil {
		return modelv2.Deployment{}, err
	}
	if len(snap.Routes) == 0 {
		return modelv2.Deployment{}, errNoRoutes
	}
	if err := checkModelReferences(snap); err != nil {
		return modelv2.Deployment{}, err
	}
	dep := modelv2.Deployment{
		AutoDeployed:     auto,
		CreatedDate:      modelv2.TimeOf(a.now()),
		DeploymentID:     a.ids.ID(lenDeploymentID),
		DeploymentStatus: modelv2.DeploymentDeployed,
		Description:      description,
	}
	seq := a.seq.Next()
	if err := docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindDeployment, apiID, dep.DeploymentID), seq, dep); err != nil {
		return dep, err
	}
	return dep, docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindSnapshot, apiID, dep.DeploymentID), seq, *snap)
}

// autoDeploy makes a new deployment for the API's auto-deploying stages and
// points them at it, in the transaction that changed the API [D]. AWS
// deploys asynchronously; doing it in the same transaction keeps the
// stages and the configuration they serve consistent.
func (a *API) autoDeploy(ctx context.Context, tx store.Tx, apiID string) error {
	stages, err := docstore.ListRecords[modelv2.Stage](ctx, tx, modelv2.ChildPrefix(modelv2.KindStage, apiID))
	if err != nil {
		return err
	}
	var auto []model.Record[modelv2.Stage]
	for _, st := range stages {
		if st.V.AutoDeploy {
			auto = append(auto, st)
		}
	}
	if len(auto) == 0 {
		return nil
	}
	dep, err := a.deploy(ctx, tx, apiID, true, modelv2.Ptr(modelv2.AutoDeployDescription))
	if err != nil && !isDeployFailure(err) {
		return err
	}
	for _, st := range auto {
		if err := a.autoDeployed(ctx, tx, apiID, st.Seq, &st.V, dep, err); err != nil {
			return err
		}
	}
	return nil
}

// autoDeployed records on an auto-deploying stage the outcome of its
// latest deployment: the deployment, or why there is none [X][U].
func (a *API) autoDeployed(ctx context.Context, tx store.Tx, apiID string, seq int64, st *modelv2.Stage, dep modelv2.Deployment, failed error) error {
	if e, ok := awserr.As(failed); ok {
		st.LastDeploymentStatusMessage = modelv2.Ptr("Deployment attempt failed: " + e.Message)
	} else {
		st.DeploymentID = modelv2.Ptr(dep.DeploymentID)
		st.LastDeploymentStatusMessage = modelv2.Ptr("Successfully deployed stage with deployment ID '" + dep.DeploymentID + "'")
	}
	st.LastUpdatedDate = modelv2.TimeOf(a.now())
	return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, st.StageName), seq, *st)
}

type deploymentInput struct {
	Description *string `json:"description"`
	StageName   *string `json:"stageName"`
}

func (a *API) createDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	var in deploymentInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.length(in.Description, "description", 0, 1024)
	c.length(in.StageName, "stageName", 1, 128)
	if c.err != nil {
		return nil, c.err
	}
	apiID := r.Path("apiId")
	var dep modelv2.Deployment
	err := a.update(ctx, func(tx store.Tx) error {
		var stage *model.Record[modelv2.Stage]
		if in.StageName != nil {
			st, seq, err := loadChild[modelv2.Stage](ctx, a, tx, modelv2.KindStage, apiID, *in.StageName, errStage(*in.StageName))
			if err != nil {
				return err
			}
			if st.AutoDeploy {
				return bad("Stage %s has autoDeploy enabled: its deployments are made automatically", st.StageName) // [M][U: text]
			}
			stage = &model.Record[modelv2.Stage]{Seq: seq, V: st}
		}
		var err error
		if dep, err = a.deploy(ctx, tx, apiID, false, optional(in.Description)); err != nil {
			return err
		}
		if stage == nil {
			return nil
		}
		st := stage.V
		st.DeploymentID = modelv2.Ptr(dep.DeploymentID)
		st.LastUpdatedDate = dep.CreatedDate
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindStage, apiID, st.StageName), stage.Seq, st)
	})
	return restjson.Output(dep, err)
}

func (a *API) getDeployments(ctx context.Context, r *restjson.Request) (any, error) {
	return listChildren(ctx, a, r, modelv2.KindDeployment, func(d modelv2.Deployment) string { return d.DeploymentID })
}

func (a *API) getDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	id := r.Path("deploymentId")
	return restjson.Output(readChild[modelv2.Deployment](ctx, a, modelv2.KindDeployment, r.Path("apiId"), id, errDeployment(id)))
}

func (a *API) updateDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	var in deploymentInput
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var c checker
	c.length(in.Description, "description", 0, 1024)
	if c.err != nil {
		return nil, c.err
	}
	apiID, id := r.Path("apiId"), r.Path("deploymentId")
	var dep modelv2.Deployment
	err := a.update(ctx, func(tx store.Tx) error {
		d, seq, err := loadChild[modelv2.Deployment](ctx, a, tx, modelv2.KindDeployment, apiID, id, errDeployment(id))
		if err != nil {
			return err
		}
		setOptional(&d.Description, in.Description)
		dep = d
		return docstore.Put(ctx, tx, modelv2.ChildKey(modelv2.KindDeployment, apiID, id), seq, d)
	})
	return restjson.Output(dep, err)
}

func (a *API) deleteDeployment(ctx context.Context, r *restjson.Request) (any, error) {
	apiID, id := r.Path("apiId"), r.Path("deploymentId")
	return nil, a.update(ctx, func(tx store.Tx) error {
		if _, _, err := loadChild[modelv2.Deployment](ctx, a, tx, modelv2.KindDeployment, apiID, id, errDeployment(id)); err != nil {
			return err
		}
		stages, err := docstore.List[modelv2.Stage](ctx, tx, modelv2.ChildPrefix(modelv2.KindStage, apiID))
		if err != nil {
			return err
		}
		for _, st := range stages {
			if model.Deref(st.DeploymentID) == id {
				return bad("Active stages pointing to this deployment must be moved or deleted") // [U: the REST API's text]
			}
		}
		if err := tx.Delete(ctx, modelv2.ChildKey(modelv2.KindDeployment, apiID, id)); err != nil {
			return err
		}
		return tx.Delete(ctx, modelv2.ChildKey(modelv2.KindSnapshot, apiID, id))
	})
}
